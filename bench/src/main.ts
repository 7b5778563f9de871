/**
 * `pnpm bench`: Control Room's benchmarks side by side with its peers, on this machine.
 * Prints the report on stdout (progress on stderr); `--help` lists the options.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type GroupId, parseBenchOptions, USAGE } from "./bench-options.js";
import { startBenchPostgres } from "./bench-postgres.js";
import type { GroupContext, GroupReport } from "./group-report.js";
import { machineInfo } from "./machine.js";
import { renderReport } from "./render-report.js";

const GROUP_RUNNERS: Record<GroupId, (context: GroupContext) => Promise<GroupReport[]>> = {
  throughput: async (context) => [
    await (await import("./throughput/throughput-group.js")).throughputGroup(context),
  ],
  latency: async (context) => [
    await (await import("./latency/latency-group.js")).latencyGroup(context),
  ],
  delta: async (context) => [await (await import("./delta/delta-group.js")).deltaGroup(context)],
  gold: async (context) => [
    await (await import("./gold/gold-overhead.js")).goldOverheadGroup(context),
  ],
  memory: async (context) => [
    await (await import("./memory/memory-group.js")).memoryGroup(context),
  ],
};

const options = (() => {
  try {
    return parseBenchOptions(
      process.argv.slice(2),
      process.env,
      fileURLToPath(new URL("../.cache", import.meta.url)),
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
})();
if (options === "help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
log(options.databaseUrl ? "using the given Postgres" : "starting a throwaway Postgres 15 cluster");
const postgres = await startBenchPostgres(options.databaseUrl);
const startedAt = new Date();
try {
  const machine = await machineInfo(postgres.url);
  const context: GroupContext = { options, postgres, log };
  const reports: GroupReport[] = [];
  for (const group of options.groups) {
    const started = performance.now();
    reports.push(...(await GROUP_RUNNERS[group](context)));
    log(`${group} done in ${((performance.now() - started) / 1_000).toFixed(0)} s`);
  }
  process.stdout.write(renderReport({ machine, options, reports, startedAt }));
  if (options.jsonPath) {
    await writeFile(
      options.jsonPath,
      `${JSON.stringify({ startedAt, machine, options, reports }, null, 2)}\n`,
    );
    log(`results written to ${options.jsonPath}`);
  }
} finally {
  await postgres.stop();
}
