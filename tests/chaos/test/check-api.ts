import type { ControlRoomClient } from "@controlroom/sdk";
import type { ChaosSnapshot } from "./chaos-snapshot.js";
import type { Findings } from "./findings.js";
import { mapLimit } from "./map-limit.js";

/**
 * What a user sees through the API matches the database: every run created is
 * listed, reads as succeeded with every phase succeeded, and its event trail, paged
 * through `GET /ops/runs/{id}/events`, is exactly the stored one.
 */
export async function checkApi(
  snapshot: ChaosSnapshot,
  client: ControlRoomClient,
  createdRunIds: readonly string[],
  findings: Findings,
): Promise<void> {
  const stored = new Set(snapshot.runs.map((r) => r.run_id));
  findings.expect(
    createdRunIds.length === stored.size && createdRunIds.every((id) => stored.has(id)),
    () => `created ${createdRunIds.length} runs, the database holds ${stored.size}`,
  );
  const listed = new Set<string>();
  for await (const run of client.runs.iterate({ spec_slug: "chaos" })) listed.add(run.run_id);
  findings.expect(
    createdRunIds.every((id) => listed.has(id)),
    () => `GET /ops/runs lists ${listed.size} of ${createdRunIds.length} runs`,
  );

  await mapLimit(createdRunIds, 8, async (runId) => {
    const run = await client.runs.get(runId);
    findings.expect(
      run.status === "succeeded" && run.phases.every((p) => p.status === "succeeded"),
      () => `GET /ops/runs/${runId}: ${run.status}, phases ${run.phases.map((p) => p.status)}`,
    );
    const served: string[] = [];
    for await (const event of client.events.iterate(runId, { pageSize: 100 })) {
      served.push(`${event.seq}:${event.event_id}:${event.type}:${event.phase ?? "-"}`);
    }
    const expected = (snapshot.events.get(runId) ?? []).map(
      (e) => `${e.seq}:${e.event_id}:${e.type}:${e.phase ?? "-"}`,
    );
    findings.expect(
      served.join() === expected.join(),
      () =>
        `GET /ops/runs/${runId}/events serves ${served.length} events, the database holds ${expected.length} (or they differ)`,
    );
  });
}
