import type { RunArtifact } from "./run-artifacts.js";

/** A published SQL output: its query and, when published, its preview and result manifest. */
export interface SqlOutput {
  /** The name the artifacts share, e.g. `gold/ar_ageing`. */
  name: string;
  query: RunArtifact;
  preview: RunArtifact | undefined;
  manifest: RunArtifact | undefined;
}

/**
 * Groups a run's artifacts into SQL outputs: every `…query.sql` (or `application/sql`)
 * artifact, with the `preview.json` and `result-manifest.json` published beside it
 * under the same prefix (the medallion template's publish phase writes all three).
 *
 * @example
 * ```ts
 * sqlOutputs(artifacts)[0]; // { name: "gold/ar_ageing", query, preview, manifest }
 * ```
 */
export function sqlOutputs(artifacts: readonly RunArtifact[]): SqlOutput[] {
  const byName = new Map(artifacts.map((artifact) => [artifact.name, artifact]));
  const out: SqlOutput[] = [];
  for (const artifact of artifacts) {
    const isQuery = artifact.name.endsWith(".sql") || artifact.mediaType === "application/sql";
    if (!isQuery) continue;
    const prefix = artifact.name.endsWith("query.sql")
      ? artifact.name.slice(0, -"query.sql".length)
      : artifact.name.replace(/\.sql$/, ".");
    out.push({
      name: prefix.replace(/[/.]+$/, "") || artifact.name,
      query: artifact,
      preview: byName.get(`${prefix}preview.json`),
      manifest: byName.get(`${prefix}result-manifest.json`),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The preview document publish writes: columns with types, and the first rows. */
export interface SqlPreview {
  columns: string[];
  rows: Record<string, unknown>[];
  totalRows: number | undefined;
}

/**
 * Reads a `preview.json` (`{ columns: [{ name, type }…] | [name…], rows, total_rows }`);
 * throws when the text is not such a document, so the UI can say so.
 *
 * @example
 * ```ts
 * parseSqlPreview('{"columns":[{"name":"a"}],"rows":[{"a":1}],"total_rows":1}').rows; // [{ a: 1 }]
 * ```
 */
export function parseSqlPreview(text: string): SqlPreview {
  const doc = JSON.parse(text) as { columns?: unknown; rows?: unknown; total_rows?: unknown };
  if (!Array.isArray(doc.rows)) throw new Error("the preview has no rows array");
  const rows = doc.rows.filter(
    (row): row is Record<string, unknown> => row !== null && typeof row === "object",
  );
  const columns = Array.isArray(doc.columns)
    ? doc.columns.map((column) =>
        typeof column === "string" ? column : String((column as { name?: unknown }).name),
      )
    : Object.keys(rows[0] ?? {});
  return {
    columns,
    rows,
    totalRows: typeof doc.total_rows === "number" ? doc.total_rows : undefined,
  };
}
