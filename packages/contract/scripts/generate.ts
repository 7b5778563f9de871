/**
 * Writes the generated artefacts of the contract: `openapi.json`, one JSON Schema per
 * request body under `schemas/`, `tools.json` (LLM tool definitions) and the
 * openapi-typescript types of `openapi.json` (`generated/openapi-types.ts`), and the
 * Markdown reference `docs/api-reference.md` at the repository root. Run with
 * `pnpm --filter @controlroom/contract generate` (or `pnpm generate:clients`, which also
 * makes the Python client); tests fail when they are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_FILES, stableJson } from "../src/generated-files.js";
import { buildOpenApiDocument, requestBodyJsonSchemas, toolDefinitions } from "../src/index.js";
import { API_REFERENCE_PATH, renderApiReference } from "./api-reference.js";
import { OPENAPI_TYPES_PATH, renderOpenApiTypes } from "./openapi-types.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = GENERATED_FILES({ buildOpenApiDocument, requestBodyJsonSchemas, toolDefinitions });
mkdirSync(join(root, "schemas"), { recursive: true });
for (const name of readdirSync(join(root, "schemas"))) rmSync(join(root, "schemas", name));
for (const [path, value] of Object.entries(files)) {
  writeFileSync(join(root, path), stableJson(value));
  console.log(`wrote ${path}`);
}
mkdirSync(dirname(join(root, OPENAPI_TYPES_PATH)), { recursive: true });
writeFileSync(join(root, OPENAPI_TYPES_PATH), await renderOpenApiTypes(files["openapi.json"]));
console.log(`wrote ${OPENAPI_TYPES_PATH}`);
writeFileSync(
  join(root, "../..", API_REFERENCE_PATH),
  renderApiReference(files["openapi.json"] as Record<string, unknown>),
);
console.log(`wrote ${API_REFERENCE_PATH}`);
