import { join, resolve } from "node:path";
import { createDeltaLakehouse, type DeltaLakehouse } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { startControlPlane } from "@controlroom/control-plane";
import type { ObjectStore } from "@controlroom/executor-kit";
import { ControlRoomClient } from "@controlroom/sdk";
import type { CliIo } from "../cli-io.js";
import { DEFAULT_TENANT } from "../defaults.js";
import { UsageError } from "../usage-error.js";

/** The flags of the commands that run work on a lake (`rollback`, `rebuild`), for `parseFlags`. */
export const AUDIT_PLANE_FLAGS = {
  "data-dir": { type: "string" },
  url: { type: "string" },
  token: { type: "string" },
  lake: { type: "string" },
} as const;

/** The lines of a command's usage that describe {@link AUDIT_PLANE_FLAGS}. */
export const AUDIT_PLANE_USAGE = `Where:
  --data-dir DIR  the demo's layout: start the embedded control plane on DIR (as the demo
                  does; no \`controlroom serve\` may be using DIR) and the lake in DIR/lake
  --url U --token T --lake DIR
                  a running control plane (default CONTROLROOM_URL, CONTROLROOM_TOKEN;
                  the token needs role admin: it creates the run and works it) and the
                  lake directory its tables are in`;

/** A control plane to create runs on, a client for the in-process worker, and the lake. */
export interface AuditPlane {
  /** Reads runs and creates the audit run. */
  client: ControlRoomClient;
  /** Claims and completes the audit run's phases. */
  workerClient: ControlRoomClient;
  store: ObjectStore;
  lakehouse: DeltaLakehouse;
  /** What it is connected to, for messages. */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens what `rollback` and `rebuild` need from their flags: with `--data-dir`, the
 * embedded control plane on that directory and its `lake/`; otherwise the control
 * plane at `--url` with `--token` and the lake at `--lake`.
 *
 * @example
 * ```ts
 * const plane = await openAuditPlane({ "data-dir": ".controlroom" }, io);
 * try { … } finally { await plane.close(); }
 * ```
 */
export async function openAuditPlane(
  values: {
    "data-dir"?: string | undefined;
    url?: string | undefined;
    token?: string | undefined;
    lake?: string | undefined;
  },
  io: CliIo,
): Promise<AuditPlane> {
  const dataDir = values["data-dir"];
  if (dataDir !== undefined && (values.url !== undefined || values.token !== undefined)) {
    throw new UsageError("give --data-dir, or --url and --token, not both");
  }
  if (dataDir !== undefined) {
    const dir = resolve(io.cwd, dataDir);
    const lakeDir = resolve(io.cwd, values.lake ?? join(dir, "lake"));
    let controlPlane: Awaited<ReturnType<typeof startControlPlane>>;
    try {
      controlPlane = await startControlPlane({ dataDir: dir, host: "127.0.0.1", port: 0 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/held by process/.test(message)) {
        throw new Error(
          `${message}. A control plane is already serving ${dir}: pass --url and --token of it, and --lake ${lakeDir}`,
        );
      }
      throw error;
    }
    const token = (role: "operator" | "executor") =>
      controlPlane.issueToken({ tenant_id: DEFAULT_TENANT, role, sub: `controlroom-cli-${role}` });
    const store = createLocalObjectStore({ root: lakeDir });
    const lakehouse = createDeltaLakehouse({ store });
    return {
      client: new ControlRoomClient({ baseUrl: controlPlane.url, token: await token("operator") }),
      workerClient: new ControlRoomClient({
        baseUrl: controlPlane.url,
        token: await token("executor"),
      }),
      store,
      lakehouse,
      description: `embedded control plane on ${dir}, lake ${lakeDir}`,
      async close() {
        await lakehouse.close();
        await controlPlane.close();
      },
    };
  }
  const url = values.url ?? nonEmpty(io.env.CONTROLROOM_URL);
  const token = values.token ?? nonEmpty(io.env.CONTROLROOM_TOKEN);
  if (url === undefined || token === undefined) {
    throw new UsageError(
      "give --data-dir DIR (the demo's layout), or --url and --token (or CONTROLROOM_URL and CONTROLROOM_TOKEN) with --lake DIR",
    );
  }
  if (values.lake === undefined) {
    throw new UsageError("--lake DIR is required with --url: the directory the tables are in");
  }
  const lakeDir = resolve(io.cwd, values.lake);
  const client = new ControlRoomClient({ baseUrl: url, token, userAgent: "controlroom-cli" });
  const store = createLocalObjectStore({ root: lakeDir });
  const lakehouse = createDeltaLakehouse({ store });
  return {
    client,
    workerClient: client,
    store,
    lakehouse,
    description: `${client.baseUrl}, lake ${lakeDir}`,
    close: () => lakehouse.close(),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
