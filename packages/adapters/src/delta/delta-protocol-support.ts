import type { AddAction, MetadataAction, ProtocolAction } from "./delta-actions.js";
import { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";

// Reader features whose data this adapter reads correctly: timestampNtz is a plain
// Parquet timestamp without zone; vacuumProtocolCheck only constrains vacuum.
const READER_FEATURES = new Set(["timestampNtz", "vacuumProtocolCheck"]);
// Writer features this adapter honours when it writes: it never removes files from
// appendOnly tables and refuses tables whose schema carries invariants.
const WRITER_FEATURES = new Set(["appendOnly", "invariants"]);
const WRITER_VERSION_FEATURES: Record<number, string> = {
  3: "checkConstraints",
  4: "changeDataFeed/generatedColumns",
  5: "columnMapping",
  6: "identityColumns",
};

/**
 * Throws {@link DeltaUnsupportedFeatureError} unless this adapter can read the table
 * correctly: reader version 1, 2 without column mapping, or 3 with only supported
 * reader features; no deletion vectors on live files; Parquet data files.
 *
 * @example
 * ```ts
 * assertReadable({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ["deletionVectors"] }, metadata);
 * // throws: the table needs reader feature "deletionVectors", which is not supported
 * ```
 */
export function assertReadable(
  protocol: ProtocolAction,
  metadata: MetadataAction,
  liveFiles: Iterable<AddAction> = [],
): void {
  const reader = protocol.minReaderVersion;
  const mode = metadata.configuration?.["delta.columnMapping.mode"] ?? "none";
  if (reader > 3 || reader < 1 || !Number.isInteger(reader)) {
    throw new DeltaUnsupportedFeatureError(
      `readerVersion ${reader}`,
      `the table needs Delta reader version ${reader}; this adapter reads versions 1 to 3`,
    );
  }
  if (reader === 3) {
    for (const feature of protocol.readerFeatures ?? []) {
      if (!READER_FEATURES.has(feature)) throw unsupported(feature, "reader");
    }
  }
  // Reader version 2 exists for column mapping; with mode "none" names are physical.
  if (mode !== "none") throw unsupported("columnMapping", `reader (mode ${mode})`);
  const provider = metadata.format?.provider ?? "parquet";
  if (provider !== "parquet") {
    throw new DeltaUnsupportedFeatureError(
      `format ${provider}`,
      `the table's data files are "${provider}"; this adapter reads Parquet`,
    );
  }
  for (const add of liveFiles) {
    if (add.deletionVector != null) throw unsupported("deletionVectors", "reader");
  }
}

/**
 * Throws {@link DeltaUnsupportedFeatureError} unless this adapter may write to the
 * table: writer version up to 2, or 7 with only `appendOnly`/`invariants`, and no
 * column invariants in the schema (enforcing them needs a SQL expression evaluator).
 *
 * @example
 * ```ts
 * assertWritable({ minReaderVersion: 1, minWriterVersion: 2 }, metadata); // ok
 * ```
 */
export function assertWritable(protocol: ProtocolAction, metadata: MetadataAction): void {
  const writer = protocol.minWriterVersion;
  if (writer === 7) {
    for (const feature of protocol.writerFeatures ?? []) {
      if (!WRITER_FEATURES.has(feature)) throw unsupported(feature, "writer");
    }
  } else if (writer > 2) {
    const feature = WRITER_VERSION_FEATURES[writer] ?? `writerVersion ${writer}`;
    throw new DeltaUnsupportedFeatureError(
      feature,
      `the table needs Delta writer version ${writer} (${feature}); this adapter writes versions up to 2`,
    );
  }
  if (metadata.schemaString.includes('"delta.invariants"'))
    throw unsupported("invariants", "writer");
}

function unsupported(feature: string, side: string): DeltaUnsupportedFeatureError {
  return new DeltaUnsupportedFeatureError(
    feature,
    `the table needs ${side} feature "${feature}", which @controlroom/adapters/delta does not support`,
  );
}
