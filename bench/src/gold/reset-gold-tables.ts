import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

const LOG = "_delta_log";
const COMMIT = /^(\d{20})\.json$/;
const VERSIONED = /^(\d{20})\./;

/**
 * Puts the cached demo lake's gold tables back to the versions the demo itself wrote:
 * every framework run of the gold group commits a new version of each, and a table's
 * state (its checkpoint holds every file removed in the last 7 days, the Delta default)
 * would otherwise grow run after run, so that later runs load more than earlier ones
 * and the figure drifts. Removes the later commits and checkpoints, `_last_checkpoint`
 * when it points past them, and the data files only they added (not when a checkpoint
 * at or before the demo's version holds the file list). Called between runs, off the
 * clock; the plain side never writes to the lake.
 *
 * The demo's versions are those committed up to `builtAt`, when the cached lake was
 * complete.
 */
export async function resetGoldTables(lake: { lakeDir: string; builtAt: string }): Promise<void> {
  const builtAt = Date.parse(lake.builtAt);
  if (!Number.isFinite(builtAt))
    throw new Error(`the lake's builtAt is not a time: ${lake.builtAt}`);
  for (const table of await deltaTablesUnder(join(lake.lakeDir, "gold"))) {
    await resetTable(table, builtAt);
  }
}

async function resetTable(table: string, builtAt: number): Promise<void> {
  const logDir = join(table, LOG);
  const names = await readdir(logDir);
  const commits = names
    .map((name) => COMMIT.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  let demo = -1;
  const added = new Set<string>();
  for (const version of commits) {
    const actions = await readCommit(logDir, version);
    if ((actions.timestamp ?? Number.POSITIVE_INFINITY) > builtAt) break;
    demo = version;
    for (const path of actions.added) added.add(path);
  }
  if (demo < 0) throw new Error(`${table}: no commit from before the lake was built`);
  if (commits.at(-1) === demo) return;

  const later = names.filter((name) => Number(VERSIONED.exec(name)?.[1] ?? -1) > demo);
  await Promise.all(later.map((name) => rm(join(logDir, name), { force: true })));
  const lastCheckpoint = await readFile(join(logDir, "_last_checkpoint"), "utf8").catch(() => "");
  if (lastCheckpoint !== "" && Number(JSON.parse(lastCheckpoint).version) > demo) {
    await rm(join(logDir, "_last_checkpoint"), { force: true });
  }
  const checkpointed = names.some(
    (name) => name.includes(".checkpoint.") && Number(VERSIONED.exec(name)?.[1]) <= demo,
  );
  if (checkpointed) return; // The file list is in the checkpoint: leave the data alone.
  const stale = (await readdir(table, { withFileTypes: true })).filter(
    (entry) => entry.isFile() && entry.name.endsWith(".parquet") && !added.has(entry.name),
  );
  await Promise.all(stale.map((entry) => rm(join(table, entry.name), { force: true })));
}

// A commit's timestamp and the paths of the files it added (top-level ones as written).
async function readCommit(
  logDir: string,
  version: number,
): Promise<{ timestamp: number | undefined; added: string[] }> {
  const text = await readFile(join(logDir, `${String(version).padStart(20, "0")}.json`), "utf8");
  let timestamp: number | undefined;
  const added: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const action = JSON.parse(line) as {
      commitInfo?: { timestamp?: number };
      add?: { path?: string };
    };
    if (action.commitInfo?.timestamp !== undefined) timestamp = action.commitInfo.timestamp;
    if (action.add?.path !== undefined) added.push(decodeURIComponent(action.add.path));
  }
  return { timestamp, added };
}

// Every directory under `root` that holds a `_delta_log` (a Delta table), a few levels deep.
async function deltaTablesUnder(root: string, depth = 3): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isDirectory() && entry.name === LOG)) return [root];
  if (depth === 0) return [];
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => deltaTablesUnder(join(root, entry.name), depth - 1)),
  );
  return nested.flat();
}
