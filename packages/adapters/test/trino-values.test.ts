import { describe, expect, it } from "vitest";
import { bindTrinoParams } from "../src/trino/bind-trino-params.js";
import { decimalFromText } from "../src/trino/decimal-text.js";
import { parseTrinoJson } from "../src/trino/parse-trino-json.js";
import { parseTrinoTimestamp } from "../src/trino/trino-timestamp.js";
import { trinoValueReader } from "../src/trino/trino-value-reader.js";

// The pure parts of the Trino adapter, without a server: reading the protocol's JSON
// and values, and binding parameters.
describe("parseTrinoJson", () => {
  it("keeps integers past 2^53 exact and leaves strings and fractions alone", () => {
    const body =
      '{"id":"q1","data":[[9007199254740993,-9223372036854775808,"12345678901234567",' +
      '1.2345678901234567,1.0E20,12,"say \\"9007199254740993\\""]]}';
    expect(parseTrinoJson(body)).toEqual({
      id: "q1",
      data: [
        [
          "9007199254740993",
          "-9223372036854775808",
          "12345678901234567",
          1.2345678901234567,
          1e20,
          12,
          'say "9007199254740993"',
        ],
      ],
    });
  });
});

describe("decimalFromText", () => {
  it("gives a number only when it is exactly the decimal", () => {
    expect(decimalFromText("12.50")).toBe(12.5);
    expect(decimalFromText("-0.000001")).toBe(-0.000001);
    expect(decimalFromText("0.00")).toBe(0);
    expect(decimalFromText("12345678901234567.89")).toBe("12345678901234567.89");
    expect(decimalFromText("99999999999999999999999999999999999999")).toBe(
      "99999999999999999999999999999999999999",
    );
    expect(decimalFromText("100000000000000000000000")).toBe(1e23);
  });
});

describe("parseTrinoTimestamp", () => {
  it("reads dates, timestamps and zones, offsets and DST included", () => {
    expect(parseTrinoTimestamp("2024-02-29")).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(parseTrinoTimestamp("2024-01-02 03:04:05.123456789")).toEqual(
      new Date("2024-01-02T03:04:05.123Z"),
    );
    expect(parseTrinoTimestamp("2024-01-02 03:04:05 UTC")).toEqual(
      new Date("2024-01-02T03:04:05Z"),
    );
    expect(parseTrinoTimestamp("2024-01-02 03:04:05.5 +05:30")).toEqual(
      new Date("2024-01-01T21:34:05.500Z"),
    );
    expect(parseTrinoTimestamp("2024-03-31 03:30:00 Europe/Berlin")).toEqual(
      new Date("2024-03-31T01:30:00Z"),
    );
    expect(parseTrinoTimestamp("2024-10-27 12:00:00 Europe/Berlin")).toEqual(
      new Date("2024-10-27T11:00:00Z"),
    );
    expect(parseTrinoTimestamp("0001-01-01 00:00:00")).toEqual(new Date("0001-01-01T00:00:00Z"));
    expect(parseTrinoTimestamp("2024-01-02 03:04:05 Not/AZone")).toBeUndefined();
    expect(parseTrinoTimestamp("yesterday")).toBeUndefined();
  });
});

describe("trinoValueReader", () => {
  it("reads nested types by their signature", () => {
    const read = trinoValueReader({
      rawType: "array",
      arguments: [
        {
          kind: "TYPE",
          value: {
            rawType: "map",
            arguments: [
              { kind: "TYPE", value: { rawType: "bigint" } },
              { kind: "TYPE", value: { rawType: "varbinary" } },
            ],
          },
        },
      ],
    });
    expect(read([{ "9007199254740993": "yv4=" }, null])).toEqual([
      [{ key: 9007199254740993n, value: new Uint8Array([0xca, 0xfe]) }],
      null,
    ]);
  });
});

describe("bindTrinoParams", () => {
  it("wraps the statement in EXECUTE IMMEDIATE with typed literals", () => {
    expect(
      bindTrinoParams("SELECT ? WHERE x = '?'", [
        "it's",
        7,
        2 ** 40,
        1.5,
        Number.POSITIVE_INFINITY,
        12n,
        true,
        null,
        new Date("2024-05-06T07:08:09.010Z"),
        new Uint8Array([0, 255]),
      ]),
    ).toBe(
      "EXECUTE IMMEDIATE 'SELECT ? WHERE x = ''?''' USING 'it''s', 7, BIGINT '1099511627776', " +
        "DOUBLE '1.5', infinity(), BIGINT '12', TRUE, NULL, " +
        "TIMESTAMP '2024-05-06 07:08:09.010 UTC', X'00ff'",
    );
    expect(bindTrinoParams("SELECT 1", [])).toBe("SELECT 1");
    expect(bindTrinoParams("SELECT 1", undefined)).toBe("SELECT 1");
  });

  it("refuses named parameters and values with no Trino type", () => {
    expect(() => bindTrinoParams("SELECT :a", { a: 1 })).toThrow(/positional parameters only/);
    expect(() => bindTrinoParams("SELECT ?", [undefined as never])).toThrow(
      "parameter 1: undefined has no Trino type",
    );
    expect(() => bindTrinoParams("SELECT ?", [new Date("+010000-01-01T00:00:00Z")])).toThrow(
      /years 0–9999/,
    );
  });
});
