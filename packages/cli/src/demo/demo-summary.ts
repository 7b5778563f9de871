import type { OdooDemoResult } from "@controlroom/odoo-medallion";
import { renderTextTable } from "../table/render-text-table.js";

/** The closing summary of `controlroom demo` for people: gold outputs and what to run next. */
export function demoSummaryLines(result: OdooDemoResult): string[] {
  const lines: string[] = [""];
  const ingested = Object.values(result.ingested).reduce((sum, rows) => sum + rows, 0);
  lines.push(
    `run ${result.run_id} ${result.status} in ${(result.duration_ms / 1000).toFixed(1)} s` +
      ` (git ${result.git_sha.slice(0, 12)}; ${ingested} source rows ingested` +
      `${result.source.changed === undefined ? "" : `, ${result.source.changed} rows changed before it`})`,
  );
  const stages = Object.entries(result.memory.by_stage_mib)
    .map(([stage, mib]) => `${stage} ${mib}`)
    .join(", ");
  lines.push(`peak memory ${result.memory.peak_rss_mib} MiB (by stage, MiB: ${stages})`);
  if (result.error) lines.push(`failed in ${result.error.phase}: ${result.error.message}`);
  if (result.gold.length > 0) {
    lines.push("", "gold tables:");
    lines.push(
      ...renderTextTable(
        ["table", "version", "rows", "content sha256 (first 16)"],
        result.gold.map((t) => ({
          table: t.name,
          version: t.version,
          rows: t.rows,
          "content sha256 (first 16)": t.sha256.slice(0, 16),
        })),
      ),
    );
    // URIs in full (a table cell would cut them): they are what one copies next.
    const folder = commonFolder(result.gold.map((t) => t.uri));
    if (folder) lines.push(`in ${folder}/`);
  }
  if (result.output_manifest_sha256) {
    lines.push("", `output manifest sha256: ${result.output_manifest_sha256}`);
  }
  const first = result.gold[0];
  lines.push(
    "",
    "next:",
    ...(first ? [`  controlroom table read ${first.uri}`] : []),
    ...(first ? [`  controlroom table history ${first.uri}`] : []),
    `  controlroom serve --data-dir ${result.data_dir}   # then: controlroom runs show ${result.run_id}`,
    `  controlroom demo --data-dir ${result.data_dir} --mutate   # change the source, ingest only the changes`,
  );
  return lines;
}

function commonFolder(uris: string[]): string | undefined {
  const folders = new Set(uris.map((uri) => uri.slice(0, uri.lastIndexOf("/"))));
  return folders.size === 1 ? [...folders][0] : undefined;
}
