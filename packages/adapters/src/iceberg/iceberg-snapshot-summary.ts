import type { CommitProvenance } from "@controlroom/executor-kit";
import type { IcebergDataFile, ManifestFile } from "./iceberg-manifests.js";

/** The prefix of the summary keys that carry a commit's provenance. */
export const PROVENANCE_PREFIX = "controlroom.";
const STANDARD = new Set(["run_id", "phase", "git_sha"]);

/**
 * A snapshot summary: the operation, the standard counters Java and PyIceberg write
 * (`added-data-files`, `total-records`…; totals from the new manifest list, so they
 * are exact whatever the parent's summary said) and the provenance as
 * `controlroom.run_id`, `controlroom.phase`, `controlroom.git_sha` (as they are) and
 * `controlroom.<key>` for any other field (as JSON, so it reads back with its type).
 */
export function snapshotSummary(options: {
  operation: string;
  added: readonly IcebergDataFile[];
  removed: readonly IcebergDataFile[];
  manifests: readonly ManifestFile[];
  provenance: CommitProvenance;
}): Record<string, string> {
  const sum = (files: readonly IcebergDataFile[], pick: (file: IcebergDataFile) => number) =>
    String(files.reduce((total, file) => total + pick(file), 0));
  const data = options.manifests.filter((manifest) => manifest.content === 0);
  const summary: Record<string, string> = { operation: options.operation };
  if (options.added.length > 0) {
    summary["added-data-files"] = String(options.added.length);
    summary["added-records"] = sum(options.added, (file) => file.recordCount);
    summary["added-files-size"] = sum(options.added, (file) => file.fileSizeInBytes);
  }
  if (options.removed.length > 0) {
    summary["deleted-data-files"] = String(options.removed.length);
    summary["deleted-records"] = sum(options.removed, (file) => file.recordCount);
    summary["removed-files-size"] = sum(options.removed, (file) => file.fileSizeInBytes);
  }
  summary["total-data-files"] = String(
    data.reduce((total, m) => total + m.addedFilesCount + m.existingFilesCount, 0),
  );
  summary["total-records"] = String(
    data.reduce((total, m) => total + m.addedRowsCount + m.existingRowsCount, 0n),
  );
  summary["total-delete-files"] = "0";
  summary["total-position-deletes"] = "0";
  summary["total-equality-deletes"] = "0";
  for (const [key, value] of Object.entries(options.provenance)) {
    if (value === undefined) continue;
    summary[`${PROVENANCE_PREFIX}${key}`] = STANDARD.has(key)
      ? String(value)
      : JSON.stringify(value);
  }
  return summary;
}

/** The provenance recorded in a summary, or `undefined` when it has none. */
export function provenanceOf(summary: Record<string, string>): CommitProvenance | undefined {
  const entries = Object.entries(summary).filter(([key]) => key.startsWith(PROVENANCE_PREFIX));
  if (entries.length === 0) return undefined;
  const provenance: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const name = key.slice(PROVENANCE_PREFIX.length);
    if (STANDARD.has(name)) provenance[name] = value;
    else {
      try {
        provenance[name] = JSON.parse(value);
      } catch {
        provenance[name] = value;
      }
    }
  }
  return provenance as CommitProvenance;
}
