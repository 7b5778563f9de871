import type { Lakehouse, TableVersionRef } from "../ports/lakehouse.js";
import type { ObjectStoreCallOptions } from "../ports/object-store.js";
import type { TableSchema } from "../ports/table-format.js";
import { datasetNameFromUri } from "./dataset-name-from-uri.js";
import type { OpenLineageDataset, OpenLineageFacets } from "./openlineage-event.js";

/** Options of {@link lakehouseDataset}. */
export interface LakehouseDatasetOptions extends ObjectStoreCallOptions {
  /**
   * The table's columns, when the caller has them.
   * @default read from the table's snapshot at `ref`
   */
  schema?: TableSchema | undefined;
}

/**
 * The OpenLineage dataset of one version of a lakehouse table (Delta, Iceberg): named
 * after its URI by the spec's conventions (`file` + `/abs/path`, `s3://bucket` + key),
 * with its columns (`schema`), the version (`version`: the Delta version or Iceberg
 * snapshot sequence number, as a string), `storage` (the format, Parquet files) and
 * `datasetType` TABLE. Report it with `ctx.lineage.input()` or `.output()`, adding
 * `outputFacets: { outputStatistics: { rowCount } }` for a write.
 *
 * @example
 * ```ts
 * const written = await session.writeQuery("gold/totals", sql, { mode: "overwrite", provenance });
 * ctx.lineage.output({
 *   ...(await lakehouseDataset(lake, { location: "gold/totals", version: written.version })),
 *   outputFacets: { outputStatistics: { rowCount: written.rowCount } },
 * });
 * ```
 */
export async function lakehouseDataset(
  lake: Pick<Lakehouse, "format" | "uri" | "snapshot">,
  ref: TableVersionRef,
  options: LakehouseDatasetOptions = {},
): Promise<OpenLineageDataset> {
  const { namespace, name } = datasetNameFromUri(lake.uri(ref.location));
  const snapshot =
    options.schema && ref.version !== undefined
      ? undefined
      : await lake.snapshot(ref, { signal: options.signal });
  const schema = options.schema ?? snapshot?.schema;
  const version = ref.version ?? snapshot?.version;
  const fileFormat = snapshot?.properties["write.format.default"] ?? "parquet";
  const facets: OpenLineageFacets = {
    ...(schema
      ? {
          schema: {
            fields: schema.fields.map((field) => ({ name: field.name, type: field.type })),
          },
        }
      : {}),
    ...(version === undefined ? {} : { version: { datasetVersion: String(version) } }),
    storage: { storageLayer: lake.format, fileFormat },
    datasetType: { datasetType: "TABLE" },
  };
  return { namespace, name, facets };
}
