import type { OpenLineageFacets } from "../lineage/openlineage-event.js";
import { completeFacets } from "../lineage/openlineage-facets.js";
import { uuidV5 } from "./uuid-v5.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A fixed namespace for ids that are not UUIDs (a test's made-up run id). */
const RUN_ID_NAMESPACE = "5c2a8f3e-9d41-4b7a-8e0f-6a1d2c3b4e5f";

/**
 * A Control Room run id as an OpenLineage run id: run ids are UUIDs already (v7), kept
 * as they are; anything else is mapped to a stable UUID so the event stays valid.
 */
export function toRunUuid(runId: string): string {
  return UUID.test(runId) ? runId.toLowerCase() : uuidV5(runId, RUN_ID_NAMESPACE);
}

/** The job facets of a Control Room run (`DAG`) or phase (`TASK`). */
export function controlRoomJobFacets(
  jobType: "DAG" | "TASK",
  producer: string,
): OpenLineageFacets | undefined {
  return completeFacets(
    "job",
    { jobType: { processingType: "BATCH", integration: "CONTROLROOM", jobType } },
    producer,
  ).facets;
}

/** A tag of the run `tags` facet. */
export interface LineageTag {
  key: string;
  value: string;
  source: string;
}

/** The tags every event of a run carries: its git sha and environment. */
export function runTags(run: {
  git_sha?: string | undefined;
  environment?: string | undefined;
}): LineageTag[] {
  const tags: LineageTag[] = [];
  if (run.git_sha) tags.push({ key: "git_sha", value: run.git_sha, source: "CONTROLROOM" });
  if (run.environment)
    tags.push({ key: "environment", value: run.environment, source: "CONTROLROOM" });
  return tags;
}
