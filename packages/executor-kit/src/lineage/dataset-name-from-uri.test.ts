import { describe, expect, it } from "vitest";
import { datasetNameFromUri } from "./dataset-name-from-uri.js";

describe("datasetNameFromUri", () => {
  it("follows OpenLineage naming for object stores and local files", () => {
    expect(datasetNameFromUri("s3://acme-lake/gold/finance/ar_ageing")).toEqual({
      namespace: "s3://acme-lake",
      name: "gold/finance/ar_ageing",
    });
    expect(datasetNameFromUri("gs://bucket/silver/orders")).toEqual({
      namespace: "gs://bucket",
      name: "silver/orders",
    });
    expect(datasetNameFromUri("file:///data/lake/silver/odoo/account_move")).toEqual({
      namespace: "file",
      name: "/data/lake/silver/odoo/account_move",
    });
    expect(datasetNameFromUri("file:///tmp/a%20lake/t")).toEqual({
      namespace: "file",
      name: "/tmp/a lake/t",
    });
    expect(datasetNameFromUri("memory://store/bronze/x")).toEqual({
      namespace: "memory://store",
      name: "bronze/x",
    });
    expect(datasetNameFromUri("/not/a/uri")).toEqual({ namespace: "file", name: "/not/a/uri" });
  });
});
