/**
 * Renders the OpenAPI document as the Markdown reference in `docs/api-reference.md`:
 * every operation (method, path, roles, parameters, body, responses) and every schema
 * as a table of its fields. Generated, so the reference can never drift from the
 * contract; `pnpm --filter @controlroom/contract generate` rewrites it and a test fails
 * when it is stale.
 */

/** Where the reference lives, relative to the repository root. */
export const API_REFERENCE_PATH = "docs/api-reference.md";

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  "x-controlroom-roles"?: string[];
  /** An empty list marks an endpoint that needs no token. */
  security?: unknown[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    schema?: Json;
    description?: string;
  }[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** The reference as Markdown, from an OpenAPI 3.1 document built by the contract. */
export function renderApiReference(document: Json): string {
  const info = document.info as { title: string; version: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
  const lines: string[] = [
    `# API reference (contract ${info.version})`,
    "",
    "<!-- Generated from packages/contract/openapi.json by `pnpm --filter @controlroom/contract generate`; do not edit. -->",
    "",
    "Every endpoint of the contract, rendered from the OpenAPI document the control plane",
    "serves at `GET /openapi.json`. Errors are `application/problem+json` documents",
    "([Problem](#schema-problem)) whose `code` says what went wrong; [contract.md](contract.md)",
    "explains how the document is made and versioned.",
    "",
    "## Operations",
    "",
    "| operation | method and path | roles |",
    "| --- | --- | --- |",
  ];
  const operations: { method: string; path: string; operation: Operation }[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) operations.push({ method, path, operation });
    }
  }
  for (const { method, path, operation } of operations) {
    lines.push(
      `| [${operation.operationId}](#op-${anchor(operation.operationId)}) | \`${method.toUpperCase()} ${path}\` | ${roles(operation)} |`,
    );
  }
  for (const { method, path, operation } of operations) {
    lines.push("", ...renderOperation(method, path, operation));
  }
  lines.push("", "## Schemas");
  for (const name of Object.keys(schemas).sort()) {
    lines.push("", ...renderSchema(name, schemas[name] as Json));
  }
  return `${lines.join("\n")}\n`;
}

function renderOperation(method: string, path: string, operation: Operation): string[] {
  const lines = [
    `<a id="op-${anchor(operation.operationId)}"></a>`,
    "",
    `### ${operation.operationId}`,
    "",
    `\`${method.toUpperCase()} ${path}\``,
    "",
  ];
  if (operation.summary) lines.push(`${operation.summary}.`.replace(/\.\.$/, "."), "");
  if (operation.description) lines.push(operation.description, "");
  lines.push(`Roles: ${roles(operation)}.`, "");
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    lines.push(
      "| parameter | in | type | required | description |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const p of parameters) {
      lines.push(
        `| \`${p.name}\` | ${p.in} | ${typeOf(p.schema ?? {})} | ${p.required ? "yes" : "no"} | ${cell(p.description ?? (p.schema?.description as string | undefined) ?? "")} |`,
      );
    }
    lines.push("");
  }
  const body = operation.requestBody?.content?.["application/json"]?.schema;
  if (body) lines.push(`Body: ${typeOf(body)}`, "");
  lines.push("| status | meaning | body |", "| --- | --- | --- |");
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const content = response.content ?? {};
    const [mediaType] = Object.keys(content);
    const schema = mediaType === undefined ? undefined : content[mediaType]?.schema;
    lines.push(
      `| ${status} | ${cell(response.description ?? "")} | ${schema ? typeOf(schema) : "—"} |`,
    );
  }
  return lines;
}

function renderSchema(name: string, schema: Json): string[] {
  const lines = [`<a id="schema-${anchor(name)}"></a>`, "", `### ${name}`, ""];
  if (typeof schema.description === "string") lines.push(schema.description, "");
  const properties = schema.properties as Record<string, Json> | undefined;
  if (schema.type === "object" && properties) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    lines.push("| field | type | required | description |", "| --- | --- | --- | --- |");
    for (const [field, property] of Object.entries(properties)) {
      lines.push(
        `| \`${field}\` | ${typeOf(property)} | ${required.has(field) ? "yes" : "no"} | ${cell(describe(property))} |`,
      );
    }
  } else {
    lines.push(`${typeOf(schema)}${constraints(schema)}`);
  }
  return lines;
}

/** A schema's type in a few words, with links to named schemas. */
function typeOf(schema: Json): string {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const name = ref.slice(ref.lastIndexOf("/") + 1);
    return `[${name}](#schema-${anchor(name)})`;
  }
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const variants = (schema.anyOf ?? schema.oneOf) as Json[];
    return variants.map(typeOf).join(" or ");
  }
  if (Array.isArray(schema.enum)) {
    return (schema.enum as unknown[]).map((value) => `\`${JSON.stringify(value)}\``).join(", ");
  }
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  const type = schema.type;
  if (Array.isArray(type)) return type.join(" or ");
  if (type === "array") return `array of ${typeOf((schema.items as Json | undefined) ?? {})}`;
  if (type === "object") {
    const values = schema.additionalProperties;
    if (values && typeof values === "object" && Object.keys(values).length > 0) {
      return `map of ${typeOf(values as Json)}`;
    }
    return "object";
  }
  if (type === "string" && typeof schema.format === "string") return `string (${schema.format})`;
  return typeof type === "string" ? type : "any";
}

/** The description of a field plus its bounds, which clients most often get wrong. */
function describe(schema: Json): string {
  const text = typeof schema.description === "string" ? schema.description : "";
  const bounds = constraints(schema).trim();
  return [text, bounds].filter(Boolean).join(" ");
}

function constraints(schema: Json): string {
  const parts: string[] = [];
  const range = (low: unknown, high: unknown, unit: string) => {
    if (low !== undefined && high !== undefined) parts.push(`${unit} ${low}–${high}`);
    else if (low !== undefined) parts.push(`${unit} ≥ ${low}`);
    else if (high !== undefined) parts.push(`${unit} ≤ ${high}`);
  };
  range(schema.minimum, schema.maximum, "value");
  range(schema.minLength, schema.maxLength, "length");
  range(schema.minItems, schema.maxItems, "items");
  // Patterns of formats (uuid, date-time) are noise next to the format's name.
  if (typeof schema.pattern === "string" && schema.format === undefined) {
    parts.push(`pattern \`${schema.pattern}\``);
  }
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

function roles(operation: Operation): string {
  if (operation.security !== undefined && operation.security.length === 0)
    return "public, no token";
  return (operation["x-controlroom-roles"] ?? []).join(", ");
}

/**
 * An id for an explicit `<a id>` anchor (operations and schemas may share a name, such as
 * `health` and `Health`, so each kind gets its own prefix).
 */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
