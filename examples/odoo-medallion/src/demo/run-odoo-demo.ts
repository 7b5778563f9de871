import { join, resolve } from "node:path";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { createPostgresSource } from "@controlroom/adapters/postgres";
import { type Event, manifestSha256, type Run } from "@controlroom/contract";
import { startControlPlane } from "@controlroom/control-plane";
import {
  createOpenLineageEmitter,
  isOpenLineageEmitter,
  type ObjectStore,
  type OpenLineageEmitter,
  type OpenLineageEmitterOptions,
  runLineageEvent,
  runStatusLineageEventType,
  runWorker,
} from "@controlroom/executor-kit";
import { medallionPhases, type PublishedTable } from "@controlroom/executor-kit/medallion";
import { ControlRoomClient } from "@controlroom/sdk";
import { pino } from "pino";
import { mutateOdooDatabase } from "../odoo/mutate-odoo-database.js";
import { pgliteOdooDatabase } from "../odoo/odoo-database.js";
import { ODOO_TABLES } from "../odoo/odoo-tables.js";
import { createOdooFinanceExecutor, ODOO_FINANCE_SPEC } from "../odoo-finance-executor.js";
import { DemoError } from "./demo-error.js";
import { type DemoTableFormat, openDemoLakehouse } from "./open-demo-lakehouse.js";
import { openOdooSourceDatabase } from "./open-odoo-source-database.js";
import { PeakMemory } from "./peak-memory.js";

/** Options of {@link runOdooDemo}. */
export interface OdooDemoOptions {
  /**
   * Where everything lives: the control plane's database (`db/`, `jwt-secret`, as
   * `controlroom serve --data-dir` expects), the Odoo database (`odoo/`) and the lake
   * (`lake/`: Delta tables and artifacts).
   */
  dataDir: string;
  /** Journal items to generate when the Odoo database is created. @default 10_000 */
  rows?: number | undefined;
  /** The generator's seed. @default 1 */
  seed?: number | undefined;
  /**
   * Change the Odoo database before the run (payments, cancellations, new invoices),
   * as users would between two ingests: this many business changes. @default 0
   */
  mutate?: number | undefined;
  /**
   * The lake's table format: Delta tables, or Iceberg tables in a SQL catalog kept in an
   * embedded PGlite database under `dataDir/iceberg-catalog`.
   * @default "delta"
   */
  tableFormat?: DemoTableFormat | undefined;
  /**
   * Where the lake (tables and artifacts) lives: e.g. an S3 store, so that Trino or
   * another engine can read the demo's tables where they are.
   * @default a local store on `dataDir/lake`
   */
  objectStore?: ObjectStore | undefined;
  /** The commit the run is tied to (40 or 64 hex). */
  gitSha: string;
  /** Called with every event of the run as it happens, in order. */
  onEvent?: ((event: Event) => void) | undefined;
  /** Called while the Odoo database is being seeded, with journal items loaded. */
  onSeedProgress?: ((loaded: number, total: number) => void) | undefined;
  /** Stops the run (the worker shuts down; the run is left to its leases). */
  signal?: AbortSignal | undefined;
  /** The tenant the run belongs to (`controlroom serve` prints a token for "default"). @default "default" */
  tenant?: string | undefined;
  /** Worker log level on stderr. @default "error" */
  logLevel?: "debug" | "info" | "warn" | "error" | "silent" | undefined;
  /**
   * Emit OpenLineage events: the run's START and COMPLETE/FAIL (job `odoo-finance`) and
   * every phase's (jobs `odoo-finance.<phase>`, with the tables each read and wrote).
   * Options (e.g. `{ transport: { type: "file", path } }`) make an emitter that is
   * closed before the demo returns; an emitter is only flushed.
   * @default undefined (none)
   */
  lineage?: OpenLineageEmitter | OpenLineageEmitterOptions | undefined;
}

/** One gold table in the demo's summary. */
export interface DemoGoldTable extends PublishedTable {
  name: string;
}

/** What {@link runOdooDemo} did. */
export interface OdooDemoResult {
  run_id: string;
  status: Run["status"];
  git_sha: string;
  data_dir: string;
  /** SHA-256 of the run's output manifest in canonical JSON. */
  output_manifest_sha256: string | null;
  output_manifest: Run["output_manifest"];
  gold: DemoGoldTable[];
  /** Rows each stream's ingest appended to bronze in this run. */
  ingested: Record<string, number>;
  source: { seed: number; rows: number; seeded_now: boolean; mutations: number; changed?: number };
  /** The first failed phase's error, when the run failed. */
  error: { phase: string; message: string } | null;
  duration_ms: number;
  /** Peak resident memory of the process (MiB), overall and per stage (seed, each phase). */
  memory: { peak_rss_mib: number; by_stage_mib: Record<string, number> };
}

/**
 * The main job on embedded defaults: an Odoo database in PGlite (seeded on first use),
 * the control plane on PGlite, a local lake of Delta tables, DuckDB — all in process
 * under `dataDir`. Creates one `odoo-finance` run, works it to the end with one worker
 * and returns the summary. A second call on the same directory ingests only what
 * changed (pass `mutate` to change something first).
 *
 * @example
 * ```ts
 * const result = await runOdooDemo({ dataDir: "./controlroom-demo", gitSha: "0".repeat(40) });
 * console.log(result.status, result.output_manifest_sha256);
 * ```
 */
export async function runOdooDemo(options: OdooDemoOptions): Promise<OdooDemoResult> {
  const started = performance.now();
  const memory = new PeakMemory();
  const dataDir = resolve(options.dataDir);
  const seed = options.seed ?? 1;
  const rows = options.rows ?? 10_000;
  if (!Number.isSafeInteger(rows) || rows < 100) {
    throw new DemoError("DEMO_INVALID_OPTION", "rows must be an integer of at least 100");
  }
  memory.enter("seed");
  const odoo = await openOdooSourceDatabase(join(dataDir, "odoo"), {
    seed,
    rows,
    onProgress: (loaded) => options.onSeedProgress?.(loaded, rows),
  });
  const cleanup: (() => Promise<void>)[] = [() => odoo.close()];
  try {
    const lineage = lineageEmitter(options.lineage, cleanup);
    let changed: number | undefined;
    if ((options.mutate ?? 0) > 0) {
      const round = await odoo.recordMutation();
      const result = await mutateOdooDatabase(pgliteOdooDatabase(odoo.pglite), {
        seed: seed * 1_000 + round,
        changes: options.mutate,
      });
      changed = Object.values(result.changed).reduce((sum, ids) => sum + ids.length, 0);
    }

    const controlPlane = await startControlPlane({
      // The layout `controlroom serve --data-dir` uses, so it shows the demo's runs.
      dataDir,
      host: "127.0.0.1",
      port: 0,
    });
    cleanup.unshift(() => controlPlane.close());
    const store = options.objectStore ?? createLocalObjectStore({ root: join(dataDir, "lake") });
    const { lakehouse, close: closeLakehouse } = await openDemoLakehouse(
      options.tableFormat ?? "delta",
      dataDir,
      store,
    );
    cleanup.unshift(closeLakehouse);
    const source = createPostgresSource({
      connection: odoo.pglite,
      tables: [...ODOO_TABLES],
      // One writer, no late commits: nothing to re-read.
      overlapMs: 0,
    });

    const tenant = options.tenant ?? "default";
    const client = new ControlRoomClient({
      baseUrl: controlPlane.url,
      token: await controlPlane.issueToken({ tenant_id: tenant, role: "operator", sub: "demo" }),
    });
    const workerClient = new ControlRoomClient({
      baseUrl: controlPlane.url,
      token: await controlPlane.issueToken({
        tenant_id: tenant,
        role: "executor",
        sub: "demo-worker",
      }),
    });
    const executor = createOdooFinanceExecutor();
    const run = await client.runs.create({
      spec_slug: ODOO_FINANCE_SPEC,
      git_sha: options.gitSha,
      environment: "dev",
      phases: medallionPhases(executor),
      input_manifest: { source: { kind: "odoo", engine: "pglite", seed, rows } },
      labels: { origin: "controlroom-demo" },
    });
    // The worker sees phases, not runs: the run's own events come from here, where it
    // is created and awaited.
    lineage?.emit(
      runLineageEvent({
        eventType: "START",
        run,
        namespace: lineage.namespace,
        producer: lineage.producer,
      }),
    );

    const stopWorker = new AbortController();
    const onAbort = () => stopWorker.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const worker = runWorker(executor, {
      client: workerClient,
      adapters: { lakehouse, source },
      artifactStore: store,
      environments: ["dev"],
      concurrency: 1,
      claimWaitMs: 1_000,
      handleSignals: false,
      signal: stopWorker.signal,
      logger: pino({ level: options.logLevel ?? "error" }, pino.destination(2)),
      lineage,
    });
    try {
      for await (const event of client.events.iterate(run.run_id, {
        follow: true,
        signal: options.signal,
      })) {
        if (event.type === "PHASE_STARTED" && event.phase) memory.enter(event.phase);
        options.onEvent?.(event);
      }
    } finally {
      stopWorker.abort();
      await worker;
      options.signal?.removeEventListener("abort", onAbort);
    }
    const finished = await client.runs.get(run.run_id);
    const failedPhase = finished.phases.find((p) => p.status === "failed");
    lineage?.emit(
      runLineageEvent({
        eventType: runStatusLineageEventType(finished.status),
        run: finished,
        namespace: lineage.namespace,
        producer: lineage.producer,
        errorMessage: failedPhase
          ? `phase ${failedPhase.name} failed: ${failedPhase.last_error?.message ?? "failed"}`
          : undefined,
      }),
    );
    return await summarise(finished, {
      dataDir,
      source: {
        seed,
        rows,
        seeded_now: odoo.seeded !== undefined,
        mutations: odoo.record.mutations,
        ...(changed === undefined ? {} : { changed }),
      },
      durationMs: performance.now() - started,
      memory: memory.stop(),
    });
  } finally {
    for (const close of cleanup) await close();
  }
}

/** The demo's emitter: made from options (and closed last), or the caller's (flushed). */
function lineageEmitter(
  option: OdooDemoOptions["lineage"],
  cleanup: (() => Promise<void>)[],
): OpenLineageEmitter | undefined {
  if (option === undefined) return undefined;
  if (isOpenLineageEmitter(option)) {
    cleanup.push(async () => {
      await option.flush(5_000);
    });
    return option;
  }
  const emitter = createOpenLineageEmitter(option);
  cleanup.push(() => emitter.close());
  return emitter;
}

async function summarise(
  run: Run,
  context: {
    dataDir: string;
    source: OdooDemoResult["source"];
    durationMs: number;
    memory: OdooDemoResult["memory"];
  },
): Promise<OdooDemoResult> {
  const publish = run.phases.find((p) => p.name === "publish");
  const published = (publish?.output?.tables ?? {}) as Record<string, PublishedTable>;
  const ingest = run.phases.find((p) => p.name === "ingest");
  const streams = (ingest?.output?.streams ?? {}) as Record<string, { rows: number }>;
  const failed = run.phases.find((p) => p.status === "failed");
  return {
    run_id: run.run_id,
    status: run.status,
    git_sha: run.git_sha,
    data_dir: context.dataDir,
    output_manifest_sha256:
      run.output_manifest === null ? null : await manifestSha256(run.output_manifest),
    output_manifest: run.output_manifest,
    gold: Object.entries(published).map(([name, table]) => ({ name, ...table })),
    ingested: Object.fromEntries(Object.entries(streams).map(([name, s]) => [name, s.rows])),
    source: context.source,
    error: failed ? { phase: failed.name, message: failed.last_error?.message ?? "failed" } : null,
    duration_ms: Math.round(context.durationMs),
    memory: context.memory,
  };
}
