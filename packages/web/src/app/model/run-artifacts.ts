import type { Event } from "@controlroom/contract";

/** An artifact linked to a run, as its `ARTIFACT_REGISTERED` event describes it. */
export interface RunArtifact {
  /** The link name, e.g. `gold/ar_ageing/query.sql`. */
  name: string;
  phase: string | null;
  sha256: string;
  mediaType: string;
  sizeBytes: number;
  uri: string;
}

/**
 * The artifacts linked to a run, read from its `ARTIFACT_REGISTERED` events (the API has
 * no per-run artifact list), each link once, in the order they were registered.
 *
 * @example
 * ```ts
 * runArtifacts(events).map((a) => a.name); // ["validation-report.json", "gold/ar_ageing/query.sql", …]
 * ```
 */
export function runArtifacts(events: readonly Event[]): RunArtifact[] {
  const seen = new Set<string>();
  const out: RunArtifact[] = [];
  for (const event of events) {
    if (event.type !== "ARTIFACT_REGISTERED") continue;
    const { name, sha256, media_type, size_bytes, uri } = event.payload;
    if (typeof name !== "string" || typeof sha256 !== "string") continue;
    const key = `${event.phase ?? ""}\u0000${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      name,
      phase: event.phase,
      sha256,
      mediaType: typeof media_type === "string" ? media_type : "application/octet-stream",
      sizeBytes: typeof size_bytes === "number" ? size_bytes : 0,
      uri: typeof uri === "string" ? uri : "",
    });
  }
  return out;
}
