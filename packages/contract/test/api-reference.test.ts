import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { API_REFERENCE_PATH, renderApiReference } from "../scripts/api-reference.js";
import { buildOpenApiDocument, ENDPOINTS } from "../src/index.js";

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const document = buildOpenApiDocument() as unknown as Record<string, unknown>;

describe("docs/api-reference.md", () => {
  const rendered = renderApiReference(document);

  it("is up to date (run `pnpm --filter @controlroom/contract generate`)", () => {
    expect(readFileSync(join(repositoryRoot, API_REFERENCE_PATH), "utf8")).toBe(rendered);
  });

  it("has a section for every endpoint of the contract, with its method, path and roles", () => {
    for (const [operationId, endpoint] of Object.entries(ENDPOINTS)) {
      const section = rendered.split(`\n### ${operationId}\n`)[1]?.split("\n### ")[0];
      expect(section, operationId).toBeDefined();
      expect(section).toContain(`\`${endpoint.method.toUpperCase()} ${endpoint.path}\``);
      const roles = endpoint.auth ? endpoint.roles.join(", ") : "public, no token";
      expect(section).toContain(`Roles: ${roles}.`);
    }
  });

  it("lists each request field with whether it is required, and links named schemas", () => {
    const claim = rendered.split("\n### ClaimRequest\n")[1]?.split("\n### ")[0] ?? "";
    expect(claim).toMatch(/\| `executor_id` \| string \| yes \| \(length 1–200\) \|/);
    expect(claim).toMatch(/\| `wait_ms` \| integer \| no \| Long-poll .* \(value 0–30000\) \|/);
    expect(claim).toContain(
      "| `environments` | array of [Environment](#schema-environment) | yes |",
    );
  });
});
