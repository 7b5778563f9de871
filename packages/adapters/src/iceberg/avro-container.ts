import { randomBytes } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { AvroReader, AvroWriter } from "./avro-binary.js";
import { type AvroValue, readAvroDatum, writeAvroDatum } from "./avro-datum.js";
import { compileAvroSchema } from "./avro-schema.js";
import { IcebergError } from "./iceberg-error.js";
import { stringifyLosslessJson } from "./lossless-json.js";

const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01); // "Obj" 1
const METADATA_TYPE = compileAvroSchema({ type: "map", values: "bytes" });
const RECORDS_PER_BLOCK = 4096;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An Avro object container file, decoded. */
export interface AvroContainer {
  /** The writer's schema, as the file's JSON (extra attributes such as `field-id` kept). */
  schema: unknown;
  /** The file's metadata other than `avro.schema` and `avro.codec`, as text. */
  metadata: Record<string, string>;
  /** Every record, decoded with the writer's schema. */
  records: AvroValue[];
}

/** Options of {@link writeAvroContainer}. */
export interface WriteAvroContainerOptions {
  /** Key/value metadata stored in the header (Iceberg's `schema`, `format-version`…). @default {} */
  metadata?: Record<string, string> | undefined;
  /** `deflate` (what Iceberg writers use by default) or `null`. @default "deflate" */
  codec?: "deflate" | "null" | undefined;
}

/**
 * Writes records as an Avro object container file (Avro 1.x spec): the magic, a header
 * map with `avro.schema` (the schema JSON exactly as given, so Iceberg's `field-id`
 * attributes survive), `avro.codec` and the caller's metadata, a random 16-byte sync
 * marker, then blocks of up to 4096 records.
 *
 * @example
 * ```ts
 * const bytes = writeAvroContainer(schemaJson, [{ id: 1n }], { metadata: { "format-version": "2" } });
 * ```
 */
export function writeAvroContainer(
  schema: unknown,
  records: readonly unknown[],
  options: WriteAvroContainerOptions = {},
): Uint8Array {
  const type = compileAvroSchema(schema);
  const codec = options.codec ?? "deflate";
  const header: Record<string, Uint8Array> = {
    "avro.schema": encoder.encode(stringifyLosslessJson(schema)),
    "avro.codec": encoder.encode(codec),
  };
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    header[key] = encoder.encode(value);
  }
  const sync = randomBytes(16);
  const out = new AvroWriter();
  out.raw(MAGIC);
  writeAvroDatum(out, METADATA_TYPE, header);
  out.raw(sync);
  for (let start = 0; start < records.length; start += RECORDS_PER_BLOCK) {
    const block = new AvroWriter();
    const slice = records.slice(start, start + RECORDS_PER_BLOCK);
    for (const record of slice) writeAvroDatum(block, type, record);
    const data = codec === "deflate" ? deflateRawSync(block.bytes()) : block.bytes();
    out.long(slice.length);
    out.long(data.byteLength);
    out.raw(data);
    out.raw(sync);
  }
  return out.bytes();
}

/**
 * Reads an Avro object container file: header, writer's schema, then every block
 * (codec `null` or `deflate`; `snappy`, `zstandard` and others are refused with
 * `ICEBERG_UNSUPPORTED_FEATURE`), checking each block's sync marker.
 *
 * @example
 * ```ts
 * const { schema, metadata, records } = readAvroContainer(await store.get(key));
 * ```
 */
export function readAvroContainer(bytes: Uint8Array, what = "Avro file"): AvroContainer {
  try {
    return readContainer(bytes);
  } catch (error) {
    if (error instanceof IcebergError && error.code !== "ICEBERG_INVALID_METADATA") throw error;
    throw new IcebergError(
      "ICEBERG_INVALID_METADATA",
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function readContainer(bytes: Uint8Array): AvroContainer {
  if (bytes.byteLength < 4 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new IcebergError("ICEBERG_INVALID_METADATA", "not an Avro object container file");
  }
  const reader = new AvroReader(bytes, 4);
  const header = readAvroDatum(reader, METADATA_TYPE) as Record<string, Uint8Array>;
  const sync = reader.raw(16);
  const text = (key: string) => {
    const value = header[key];
    return value === undefined ? undefined : decoder.decode(value);
  };
  const schemaText = text("avro.schema");
  if (schemaText === undefined) {
    throw new IcebergError("ICEBERG_INVALID_METADATA", "the header has no avro.schema");
  }
  const schema = JSON.parse(schemaText) as unknown;
  const type = compileAvroSchema(schema);
  const codec = text("avro.codec") ?? "null";
  if (codec !== "null" && codec !== "deflate") {
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `Avro codec "${codec}" is not supported (only null and deflate)`,
    );
  }
  const metadata: Record<string, string> = {};
  for (const key of Object.keys(header)) {
    if (key !== "avro.schema" && key !== "avro.codec") metadata[key] = text(key) as string;
  }
  const records: AvroValue[] = [];
  while (!reader.done) {
    const count = reader.count();
    const size = reader.count();
    const data = reader.raw(size);
    const block = new AvroReader(codec === "deflate" ? inflateRawSync(data) : data);
    for (let i = 0; i < count; i++) records.push(readAvroDatum(block, type));
    const marker = reader.raw(16);
    if (marker.some((byte, i) => byte !== sync[i])) {
      throw new IcebergError("ICEBERG_INVALID_METADATA", "a block's sync marker does not match");
    }
  }
  return { schema, metadata, records };
}
