import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GENERATED_FILES, stableJson } from "../src/generated-files.js";
import {
  buildOpenApiDocument,
  CONTRACT_VERSION,
  CreateRunRequestSchema,
  ENDPOINTS,
  requestBodyJsonSchemas,
  TOOL_SPECS,
  toolDefinitions,
} from "../src/index.js";
import * as ex from "./examples.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("generated files", () => {
  const files = GENERATED_FILES({ buildOpenApiDocument, requestBodyJsonSchemas, toolDefinitions });

  it.each(Object.keys(files))(
    "%s is up to date (run `pnpm --filter @controlroom/contract generate`)",
    (path) => {
      const committed = readFileSync(join(root, path), "utf8");
      expect(committed).toBe(stableJson(files[path]));
    },
  );

  it("generates byte-identical output twice", () => {
    expect(stableJson(buildOpenApiDocument())).toBe(stableJson(buildOpenApiDocument()));
  });
});

describe("openapi.json", () => {
  const doc = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));

  it("passes a standard OpenAPI 3.1 validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("fails the validator when broken, so the check above can fail", async () => {
    const broken = structuredClone(doc);
    broken.paths["/ops/runs"].post.responses = "nope";
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it("lists every endpoint of CONTRACT.md", () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual(
      [
        "POST /ops/runs",
        "POST /ops/runs/{run_id}/claim",
        "POST /ops/claims",
        "POST /ops/runs/{run_id}/heartbeat",
        "POST /ops/runs/{run_id}/events",
        "POST /ops/artifacts",
        "POST /ops/runs/{run_id}/complete",
        "POST /ops/runs/{run_id}/cancel",
        "GET /ops/runs",
        "GET /ops/runs/{run_id}",
        "GET /ops/runs/{run_id}/events",
        "GET /ops/artifacts/{sha256}",
        "GET /openapi.json",
        "GET /healthz",
        "GET /metrics",
        // Additions to CONTRACT.md (src/batch.ts): several claims or completes in one request.
        "POST /ops/claims/batch",
        "POST /ops/completions",
      ].sort(),
    );
  });

  it("carries the contract version and resolves every $ref", () => {
    expect(doc.info.version).toBe(CONTRACT_VERSION);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const pointer = ref.slice(8, -1).replace(/^#\//, "").split("/");
      let node: unknown = doc;
      for (const key of pointer) node = (node as Record<string, unknown>)[key];
      expect(node, ref).toBeDefined();
    }
  });

  it("documents the status codes the contract fixes", () => {
    const responses = (method: string, path: string) =>
      Object.keys(doc.paths[path][method].responses);
    expect(responses("post", "/ops/runs")).toEqual(
      expect.arrayContaining(["200", "201", "400", "409"]),
    );
    expect(responses("post", "/ops/runs/{run_id}/claim")).toEqual(
      expect.arrayContaining(["200", "204"]),
    );
    expect(responses("post", "/ops/runs/{run_id}/heartbeat")).toContain("409");
    expect(responses("post", "/ops/runs/{run_id}/events")).toContain("413");
    expect(doc.paths["/ops/runs"].post.responses["429"].headers["Retry-After"]).toBeDefined();
  });
});

describe("tool definitions", () => {
  const tools = toolDefinitions();

  it("covers the operations agents need, with self-contained object schemas", () => {
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "create_run",
        "claim",
        "heartbeat",
        "append_events",
        "register_artifact",
        "complete_phase",
        "get_run",
        "list_runs",
        "list_events",
      ]),
    );
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.input_schema.type).toBe("object");
      expect(JSON.stringify(tool.input_schema)).not.toContain("$ref");
      expect(tool.input_schema).not.toHaveProperty("$schema");
      for (const endpoint of TOOL_SPECS.map((s) => s.endpoint))
        expect(ENDPOINTS).toHaveProperty(endpoint);
    }
  });

  it("validates arguments by the same rules as the endpoints", () => {
    const create = TOOL_SPECS.find((t) => t.name === "create_run")!.input;
    expect(create.safeParse({ ...ex.createRunBody, idempotency_key: "k1" }).success).toBe(true);
    const cyclic = {
      ...ex.createRunBody,
      phases: [
        { name: "a", kind: "custom", depends_on: ["b"] },
        { name: "b", kind: "custom", depends_on: ["a"] },
      ],
    };
    expect(create.safeParse(cyclic).success).toBe(false);
    const heartbeat = TOOL_SPECS.find((t) => t.name === "heartbeat")!.input;
    expect(heartbeat.safeParse({ run_id: ex.RUN_ID, ...ex.heartbeatBody }).success).toBe(true);
    expect(heartbeat.safeParse(ex.heartbeatBody).success).toBe(false);
  });

  it("describes a request body the same way the JSON Schema file does", () => {
    const schemas = requestBodyJsonSchemas();
    expect(Object.keys(schemas)).toContain("CreateRunRequest");
    const fromZod = z.toJSONSchema(CreateRunRequestSchema, {
      target: "draft-2020-12",
      io: "input",
    });
    expect(schemas.CreateRunRequest).toMatchObject({
      required: fromZod.required,
      properties: fromZod.properties,
    });
  });
});
