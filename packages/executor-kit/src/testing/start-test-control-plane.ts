import type { Role } from "@controlroom/contract";
import { ControlRoomClient } from "@controlroom/sdk";

/**
 * The part of `@controlroom/control-plane` this harness calls, typed here so that
 * neither this package's code nor its declarations depend on that optional peer.
 */
interface ControlPlaneModule {
  startControlPlane(options: {
    port?: number;
    dataDir?: string;
    reaperIntervalMs?: number;
    longPollIntervalMs?: number;
  }): Promise<{
    url: string;
    issueToken(options: { tenant_id: string; role: Role }): Promise<string>;
    close(): Promise<void>;
  }>;
}

/** Options of {@link startTestControlPlane}. */
export interface StartTestControlPlaneOptions {
  /**
   * The tenant every token belongs to.
   * @default "test"
   */
  tenantId?: string;
  /**
   * Keep the database in this directory (PGlite) instead of in memory.
   * @default undefined (in memory, gone on close)
   */
  dataDir?: string;
  /**
   * How often the server expires overdue leases; short so lease-expiry tests are fast.
   * @default 100
   */
  reaperIntervalMs?: number;
  /**
   * How often a waiting claim re-checks for work made runnable by the clock (retry
   * backoff); short so retries are picked up promptly.
   * @default 50
   */
  longPollIntervalMs?: number;
  /**
   * Options for the clients this harness makes (retries, timeouts).
   * @default {}
   */
  clientOptions?: Omit<ConstructorParameters<typeof ControlRoomClient>[0], "baseUrl" | "token">;
}

/** Tokens for each role, all in the harness's tenant. */
export type TestTokens = Record<Role, string>;

/** An embedded control plane and clients for it, as {@link startTestControlPlane} returns. */
export interface TestControlPlane {
  /** The server's base URL, e.g. `http://127.0.0.1:40213`. */
  url: string;
  /** A client with the `admin` role: creates runs and works them. */
  client: ControlRoomClient;
  tokens: TestTokens;
  /** A new client for `role`, e.g. an `executor` client for a worker. */
  createClient(role?: Role): ControlRoomClient;
  /** Stops the server and discards its in-memory database. */
  close(): Promise<void>;
}

/**
 * Starts the reference control plane in this process (PGlite in memory, a random
 * port) for integration tests, with a ready client and a token per role. Needs
 * `@controlroom/control-plane` installed (an optional peer dependency of this package).
 *
 * @example
 * ```ts
 * import { startTestControlPlane } from "@controlroom/executor-kit/testing";
 *
 * const cp = await startTestControlPlane();
 * const worker = runWorker(executor, { client: cp.createClient("executor"), signal });
 * const run = await cp.client.runs.create(spec);
 * await cp.close();
 * ```
 */
export async function startTestControlPlane(
  options: StartTestControlPlaneOptions = {},
): Promise<TestControlPlane> {
  // A variable specifier keeps bundlers and type-only consumers from treating the
  // control plane as a hard dependency of this entry point.
  const specifier = "@controlroom/control-plane";
  let module: ControlPlaneModule;
  try {
    module = (await import(specifier)) as ControlPlaneModule;
  } catch (error) {
    throw new Error(
      "startTestControlPlane() needs @controlroom/control-plane; add it as a devDependency",
      { cause: error },
    );
  }
  const tenantId = options.tenantId ?? "test";
  const controlPlane = await module.startControlPlane({
    port: 0,
    reaperIntervalMs: options.reaperIntervalMs ?? 100,
    longPollIntervalMs: options.longPollIntervalMs ?? 50,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  try {
    const roles: Role[] = ["viewer", "executor", "operator", "admin"];
    const signed = await Promise.all(
      roles.map((role) => controlPlane.issueToken({ tenant_id: tenantId, role })),
    );
    const tokens = Object.fromEntries(
      roles.map((role, index) => [role, signed[index]]),
    ) as TestTokens;
    const createClient = (role: Role = "admin") =>
      new ControlRoomClient({
        ...options.clientOptions,
        baseUrl: controlPlane.url,
        token: tokens[role],
      });
    return {
      url: controlPlane.url,
      client: createClient("admin"),
      tokens,
      createClient,
      close: () => controlPlane.close(),
    };
  } catch (error) {
    await controlPlane.close();
    throw error;
  }
}
