import { useArtifactText } from "../hooks/use-artifact-text.js";
import { shortHash } from "../model/format.js";
import { parseSqlPreview, type SqlOutput } from "../model/sql-outputs.js";
import { DataTable } from "./data-table.js";
import { ErrorNotice } from "./error-notice.js";

/**
 * One SQL output as a person reads it: the query text, what the result manifest says
 * (rows, table version, content hash), and the preview sample as a table.
 */
export function SqlOutputView(props: { output: SqlOutput }) {
  const query = useArtifactText(props.output.query.sha256);
  const preview = useArtifactText(props.output.preview?.sha256);
  const manifest = useArtifactText(props.output.manifest?.sha256);
  let parsed: ReturnType<typeof parseSqlPreview> | undefined;
  let previewError: unknown = preview.error;
  if (preview.text !== undefined) {
    try {
      parsed = parseSqlPreview(preview.text);
    } catch (error) {
      previewError = new Error(`the preview is not readable: ${(error as Error).message}`);
    }
  }
  let summary: Record<string, unknown> | undefined;
  try {
    summary = manifest.text ? (JSON.parse(manifest.text) as Record<string, unknown>) : undefined;
  } catch {
    summary = undefined;
  }
  return (
    <div class="sql-output" data-testid="sql-output">
      <h4>Query</h4>
      {query.error ? (
        <ErrorNotice error={query.error} what="the query" />
      ) : (
        <pre class="code-block sql" data-testid="query-text">
          {query.text ?? "Loading…"}
        </pre>
      )}
      {summary ? (
        <p class="muted">
          {typeof summary.row_count === "number" ? `${summary.row_count} rows` : ""}
          {typeof summary.location === "string" ? ` · ${summary.location}` : ""}
          {typeof summary.version === "number" ? ` version ${summary.version}` : ""}
          {typeof summary.content_sha256 === "string"
            ? ` · content ${shortHash(summary.content_sha256)}`
            : ""}
        </p>
      ) : null}
      <h4>
        Result preview
        {parsed
          ? ` (${parsed.rows.length}${parsed.totalRows !== undefined ? ` of ${parsed.totalRows}` : ""} rows)`
          : ""}
      </h4>
      {props.output.preview === undefined ? (
        <p class="muted">This output has no preview.</p>
      ) : previewError ? (
        <ErrorNotice error={previewError} what="the preview" />
      ) : parsed ? (
        <DataTable
          columns={parsed.columns}
          rows={parsed.rows}
          caption={`preview of ${props.output.name}`}
        />
      ) : (
        <p class="muted">Loading the preview…</p>
      )}
    </div>
  );
}
