import { describe, expect, it } from "vitest";
import { readAvroContainer, writeAvroContainer } from "../src/iceberg/avro-container.js";
import { IcebergError } from "../src/iceberg/index.js";
import { parseLosslessJson, stringifyLosslessJson } from "../src/iceberg/lossless-json.js";

describe("lossless JSON", () => {
  it("keeps integers past 2^53 exact and round-trips them", () => {
    const text =
      '{"snapshot-id":9223372036854775807,"small":42,"neg":-9007199254740993,"x":[1.5,true,null,"a\\"b"]}';
    const parsed = parseLosslessJson(text);
    expect(parsed).toEqual({
      "snapshot-id": 9223372036854775807n,
      small: 42,
      neg: -9007199254740993n,
      x: [1.5, true, null, 'a"b'],
    });
    expect(stringifyLosslessJson(parsed)).toBe(text);
    expect(JSON.parse(stringifyLosslessJson({ a: 1n, b: undefined }, 2))).toEqual({ a: 1 });
  });

  it("refuses malformed JSON with an ICEBERG_INVALID_METADATA error", () => {
    for (const bad of ['{"a":1', "[1,]", "01", '{"a" 1}', "nul", '{"a":1} x']) {
      expect(() => parseLosslessJson(bad)).toThrow(IcebergError);
    }
  });
});

describe("Avro object container files", () => {
  const schema = {
    type: "record",
    name: "entry",
    fields: [
      { name: "id", type: "long", "field-id": 1 },
      { name: "small", type: "int", "field-id": 2 },
      { name: "name", type: ["null", "string"], default: null, "field-id": 3 },
      { name: "bytes", type: ["null", "bytes"], default: null, "field-id": 4 },
      { name: "score", type: "double", "field-id": 5 },
      { name: "flag", type: "boolean", "field-id": 6 },
      { name: "uuid", type: { type: "fixed", name: "u16", size: 16 }, "field-id": 7 },
      { name: "tags", type: { type: "array", items: "long", "element-id": 9 }, "field-id": 8 },
      { name: "props", type: { type: "map", values: "string" }, "field-id": 10 },
      {
        name: "inner",
        type: {
          type: "record",
          name: "r11",
          fields: [{ name: "f", type: "float", "field-id": 12 }],
        },
        "field-id": 11,
      },
    ],
  };
  const records = Array.from({ length: 5000 }, (_, i) => ({
    id: i % 2 === 0 ? 9223372036854775807n - BigInt(i) : -BigInt(i) * 1000000000000n,
    small: i - 2500,
    name: i % 3 === 0 ? null : `row ${i} ✓`,
    bytes: i % 5 === 0 ? Uint8Array.of(i % 256, 0, 255) : null,
    score: i / 7,
    flag: i % 2 === 0,
    uuid: new Uint8Array(16).fill(i % 256),
    tags: [BigInt(i), 2n ** 62n],
    props: { a: String(i) },
    inner: { f: 0.5 },
  }));

  it("round-trips records, 64-bit longs, the schema's field ids and the metadata, deflated or not", () => {
    for (const codec of ["deflate", "null"] as const) {
      const bytes = writeAvroContainer(schema, records, {
        codec,
        metadata: { "format-version": "2" },
      });
      expect([...bytes.slice(0, 4)]).toEqual([0x4f, 0x62, 0x6a, 0x01]);
      const read = readAvroContainer(bytes);
      expect(read.schema).toEqual(schema);
      expect(read.metadata).toEqual({ "format-version": "2" });
      expect(read.records).toEqual(records);
    }
  });

  it("refuses a value that does not fit and a damaged or unsupported file", () => {
    expect(() => writeAvroContainer(schema, [{ ...records[0], small: 2 ** 31 }])).toThrow(
      /does not fit an Avro int/,
    );
    expect(() => writeAvroContainer(schema, [{ ...records[0], id: 2n ** 63n }])).toThrow(
      /does not fit an Avro long/,
    );
    const bytes = writeAvroContainer(schema, records.slice(0, 3), { codec: "null" });
    const damaged = bytes.slice();
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff;
    expect(() => readAvroContainer(damaged)).toThrow(/sync marker/);
    expect(() => readAvroContainer(bytes.slice(0, bytes.length - 20))).toThrow(/unexpected end/);
    expect(() => readAvroContainer(new TextEncoder().encode("PAR1"))).toThrow(/not an Avro/);
    const deflated = writeAvroContainer(schema, records.slice(0, 3));
    const snappy = Buffer.from(deflated).toString("latin1").replace("deflate", "zstdxyz");
    const error = (() => {
      try {
        readAvroContainer(Uint8Array.from(Buffer.from(snappy, "latin1")));
      } catch (e) {
        return e as IcebergError;
      }
    })();
    expect(error?.code).toBe("ICEBERG_UNSUPPORTED_FEATURE");
  });
});
