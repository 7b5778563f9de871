import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import type { ControlRoomClient } from "@controlroom/sdk";
import { artifactBytes } from "../src/artifact-bytes.js";
import {
  CHAOS_ARTIFACT,
  CHAOS_DAG,
  ChaosOutputSchema,
  type ChaosPhaseName,
} from "../src/chaos-executor.js";
import type { ChaosSnapshot, LinkRow } from "./chaos-snapshot.js";
import type { Findings } from "./findings.js";
import { mapLimit } from "./map-limit.js";

/**
 * No registered artifact is missing from storage: every link names a registered
 * artifact whose bytes are in the object store at its URI with its sha256 and size;
 * the control plane's API lists the link; each phase has its one artifact, the one its
 * output and output manifest name, with exactly the bytes the phase derives from its
 * run and upstream (so every attempt stored the same bytes); and the run's output
 * manifest holds each phase's manifest.
 */
export async function checkArtifacts(
  snapshot: ChaosSnapshot,
  client: ControlRoomClient,
  findings: Findings,
): Promise<void> {
  const bySha = new Map<string, LinkRow[]>();
  for (const link of snapshot.links)
    bySha.set(link.sha256, [...(bySha.get(link.sha256) ?? []), link]);

  await mapLimit([...bySha], 8, async ([sha256, links]) => {
    const first = links[0];
    if (!first?.uri || first.size_bytes === null) {
      findings.violation(`artifact ${sha256} is linked but not registered`);
      return;
    }
    const bytes = await readFile(new URL(first.uri)).catch(() => undefined);
    if (!bytes) {
      findings.violation(`artifact ${sha256} is missing from storage (${first.uri})`);
      return;
    }
    const actual = createHash("sha256").update(bytes).digest("hex");
    findings.expect(
      actual === sha256 && bytes.byteLength === first.size_bytes,
      () => `artifact ${sha256}: storage holds ${bytes.byteLength} bytes hashing to ${actual}`,
    );
    findings.count("artifacts verified in storage");
    findings.count("artifact bytes verified", bytes.byteLength);
    const served = await client.artifacts.get(sha256);
    for (const link of links) {
      findings.expect(
        served.links.some(
          (l) => l.run_id === link.run_id && l.phase === link.phase && l.name === link.name,
        ),
        () =>
          `GET /ops/artifacts/${sha256} does not list ${link.run_id}/${link.phase}/${link.name}`,
      );
    }
  });

  for (const run of snapshot.runs) {
    const phases = snapshot.phases.get(run.run_id) ?? [];
    const shas = new Map<string, string>();
    for (const phase of phases) {
      const where = `run ${run.run_id} phase ${phase.name}`;
      const links = snapshot.links.filter((l) => l.run_id === run.run_id && l.phase === phase.name);
      findings.expect(
        links.length === 1 && links[0]?.name === CHAOS_ARTIFACT,
        () => `${where}: links ${JSON.stringify(links.map((l) => l.name))}`,
      );
      const output = ChaosOutputSchema.safeParse(phase.output);
      const sha = links[0]?.sha256;
      findings.expect(
        output.success && output.data.artifact_sha256 === sha,
        () => `${where}: output names artifact ${output.data?.artifact_sha256}, link ${sha}`,
      );
      findings.expect(
        phase.output_manifest?.[CHAOS_ARTIFACT]?.sha256 === sha,
        () => `${where}: output manifest names ${phase.output_manifest?.[CHAOS_ARTIFACT]?.sha256}`,
      );
      findings.expect(
        isDeepStrictEqual(run.output_manifest?.phases?.[phase.name], phase.output_manifest),
        () => `${where}: the run's output manifest does not hold the phase's manifest`,
      );
      if (sha) shas.set(phase.name, sha);
    }
    for (const phase of phases) {
      const upstream = (CHAOS_DAG[phase.name as ChaosPhaseName] ?? []).map(
        (n) => shas.get(n) ?? "",
      );
      const max = Number(phase.params.artifact_bytes_max);
      const expected = createHash("sha256")
        .update(artifactBytes(run.run_id, phase.name, upstream, max))
        .digest("hex");
      findings.expect(
        shas.get(phase.name) === expected,
        () => `run ${run.run_id} phase ${phase.name}: artifact is not the bytes the phase derives`,
      );
    }
  }
}
