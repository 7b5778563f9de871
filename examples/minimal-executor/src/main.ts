// Two phases, one worker: create a run, work it to completion, exit 0 when it succeeded.
import { buildPhaseSpec, defineExecutor, phase, runWorker } from "@controlroom/executor-kit";
import { ControlRoomClient } from "@controlroom/sdk";
import { z } from "zod";

const requires = ["minimal-example"]; // only workers declaring this capability claim these phases
const words = z.object({ words: z.array(z.string()) });
const executor = defineExecutor({
  id: "minimal",
  version: "1.0.0",
  capabilities: requires,
  phases: {
    count: phase({ input: words, requires, run: (ctx) => ({ count: ctx.params.words.length }) }),
    report: phase({ requires, run: (ctx) => ({ message: `${ctx.upstream.count?.count} words` }) }),
  },
});

const token = process.env.CONTROLROOM_TOKEN ?? "";
const client = new ControlRoomClient({ baseUrl: process.env.CONTROLROOM_URL ?? "", token });
const count = buildPhaseSpec(executor, "count", { params: { words: ["hello", "world"] } });
const phases = [count, buildPhaseSpec(executor, "report")];
const spec = { spec_slug: "minimal-example", git_sha: "0".repeat(40), input_manifest: {}, phases };
const run = await client.runs.create({ ...spec, environment: "dev" });
const stop = new AbortController();
const worker = runWorker(executor, { client, signal: stop.signal, claimWaitMs: 1_000 });
let current = run;
for (let i = 0; i < 300 && !["succeeded", "failed", "cancelled"].includes(current.status); i++) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  current = await client.runs.get(run.run_id);
}
stop.abort();
await worker;
console.log(
  `run ${run.run_id} ${current.status}: ${JSON.stringify(current.phases.at(-1)?.output)}`,
);
process.exit(current.status === "succeeded" ? 0 : 1);
