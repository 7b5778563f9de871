import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The file in a data directory that holds the embedded server's JWT secret. */
export const JWT_SECRET_FILE = "jwt-secret";

/**
 * Reads the JWT secret kept in `dataDir`, or `undefined` when there is none yet.
 *
 * @example
 * ```ts
 * const secret = await readJwtSecret(".controlroom");
 * ```
 */
export async function readJwtSecret(dataDir: string): Promise<string | undefined> {
  try {
    const secret = (await readFile(join(dataDir, JWT_SECRET_FILE), "utf8")).trim();
    return secret.length > 0 ? secret : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Returns the JWT secret kept in `dataDir`, creating a random one (mode 0600) the
 * first time, so an embedded server keeps accepting its tokens across restarts.
 * Two processes racing to create it agree: the file is created exclusively and the
 * loser reads the winner's secret.
 *
 * @example
 * ```ts
 * const secret = await loadOrCreateJwtSecret(".controlroom");
 * ```
 */
export async function loadOrCreateJwtSecret(dataDir: string): Promise<string> {
  const existing = await readJwtSecret(dataDir);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  const target = join(dataDir, JWT_SECRET_FILE);
  // Write a private temp file, then hard-link it into place: the link either appears
  // complete or fails with EEXIST, so a racing process never reads a half-written file.
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${secret}\n`, { encoding: "utf8", mode: 0o600, flag: "wx" });
  try {
    await link(temp, target);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = await readJwtSecret(dataDir);
    if (!winner) throw new Error(`${target} exists but is empty`);
    return winner;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
