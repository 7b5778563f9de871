/**
 * Writes the generated artefacts of the contract: `openapi.json`, one JSON Schema per
 * request body under `schemas/`, and `tools.json` (LLM tool definitions). Run with
 * `pnpm --filter @controlroom/contract generate`; a test fails when they are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_FILES, stableJson } from "../src/generated-files.js";
import { buildOpenApiDocument, requestBodyJsonSchemas, toolDefinitions } from "../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = GENERATED_FILES({ buildOpenApiDocument, requestBodyJsonSchemas, toolDefinitions });
mkdirSync(join(root, "schemas"), { recursive: true });
for (const name of readdirSync(join(root, "schemas"))) rmSync(join(root, "schemas", name));
for (const [path, value] of Object.entries(files)) {
  writeFileSync(join(root, path), stableJson(value));
  console.log(`wrote ${path}`);
}
