/** What the generator writes, by path relative to the package: shared with the staleness test. */
export function GENERATED_FILES(build: {
  buildOpenApiDocument: () => unknown;
  requestBodyJsonSchemas: () => Record<string, unknown>;
  toolDefinitions: () => unknown;
}): Record<string, unknown> {
  const files: Record<string, unknown> = {
    "openapi.json": build.buildOpenApiDocument(),
    "tools.json": build.toolDefinitions(),
  };
  for (const [id, schema] of Object.entries(build.requestBodyJsonSchemas())) {
    files[`schemas/${id}.json`] = schema;
  }
  return files;
}

/** JSON as the generator writes it: two-space indent and a final newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
