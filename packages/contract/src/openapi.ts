import { z } from "zod";
import { ENDPOINTS, type EndpointDefinition, PATH_PARAMS } from "./endpoints.js";
import { ERROR_CODES, PROBLEM_MEDIA_TYPE, ProblemSchema } from "./errors.js";
import { contractRegistry } from "./registry.js";
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from "./version.js";

type JsonSchema = Record<string, unknown>;

/** The OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  info: { title: string; version: string } & Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};

const REF_PREFIX = "#/components/schemas/";
const INPUT_MARK = "__input__";

/**
 * Builds the OpenAPI 3.1 document of the contract from its zod schemas and endpoint
 * table. Deterministic: the same schemas give byte-identical JSON, which is what lets
 * a test fail when the committed `openapi.json` is stale.
 *
 * Request bodies are described as clients write them (defaults optional) and
 * responses as servers send them (defaults filled in). A schema whose two forms
 * differ gets two components: `Name` for responses and `NameInput` for requests.
 */
export function buildOpenApiDocument(): OpenApiDocument {
  const components = buildComponents();
  const paths: OpenApiDocument["paths"] = {};
  for (const [operationId, endpoint] of Object.entries(ENDPOINTS) as [
    string,
    EndpointDefinition,
  ][]) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method] = buildOperation(operationId, endpoint, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Control Room control plane",
      version: CONTRACT_VERSION,
      description:
        "The wire contract between the Control Room control plane and its executors, agents and CI. Errors are RFC 9457 problem documents; every response carries the `controlroom-contract-version` header.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "http://127.0.0.1:7400", description: "controlroom serve (default port)" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "runs" },
      { name: "leases" },
      { name: "events" },
      { name: "artifacts" },
      { name: "service" },
    ],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "HS256 JWT with claims `sub`, `tenant_id` and `role`.",
        },
      },
      headers: {
        ContractVersion: {
          description: "The contract version the server implements.",
          schema: { type: "string", const: CONTRACT_VERSION },
        },
        RetryAfter: {
          description: "Seconds to wait before trying again.",
          schema: { type: "integer", minimum: 0 },
        },
      },
    },
  };
}

interface Components {
  schemas: Record<string, JsonSchema>;
  /** The component a request body of schema id `id` refers to. */
  inputName: (id: string) => string;
}

function buildComponents(): Components {
  const output = z.toJSONSchema(contractRegistry, {
    target: "draft-2020-12",
    io: "output",
    unrepresentable: "any",
    uri: (id) => `${REF_PREFIX}${id}`,
  }).schemas as Record<string, JsonSchema>;
  // zod closes objects in output mode; responses stay open so that adding a field
  // later is not a breaking change for generated clients.
  for (const id of Object.keys(output)) output[id] = openObjects(output[id]!) as JsonSchema;
  const input = z.toJSONSchema(contractRegistry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `${REF_PREFIX}${id}${INPUT_MARK}`,
  }).schemas as Record<string, JsonSchema>;

  // A schema needs a separate input component when its own text differs between
  // the two forms, or when it refers to one that does.
  const plain = (schema: JsonSchema) => JSON.stringify(schema).replaceAll(INPUT_MARK, "");
  const comparable = (schema: JsonSchema) => JSON.stringify(stripSchemaKeyword(schema));
  const differs = new Set(
    Object.keys(input).filter(
      (id) => plain(stripSchemaKeyword(input[id]!)) !== comparable(output[id]!),
    ),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const id of Object.keys(input)) {
      if (differs.has(id)) continue;
      const text = JSON.stringify(input[id]);
      if ([...differs].some((other) => text.includes(`"${REF_PREFIX}${other}${INPUT_MARK}"`))) {
        differs.add(id);
        grew = true;
      }
    }
  }
  const inputName = (id: string) => (differs.has(id) ? `${id}Input` : id);
  const relink = (schema: JsonSchema): JsonSchema =>
    JSON.parse(
      JSON.stringify(schema).replace(
        new RegExp(`"${escapeRegExp(REF_PREFIX)}([A-Za-z0-9_]+)${INPUT_MARK}"`, "g"),
        (_match, id: string) => `"${REF_PREFIX}${inputName(id)}"`,
      ),
    );

  const schemas: Record<string, JsonSchema> = {};
  for (const id of Object.keys(output).sort()) {
    schemas[id] = stripSchemaKeyword(output[id]!);
    if (differs.has(id)) schemas[`${id}Input`] = stripSchemaKeyword(relink(input[id]!));
  }
  return { schemas: sortKeys(schemas), inputName };
}

function buildOperation(operationId: string, endpoint: EndpointDefinition, components: Components) {
  const idOf = (schema: object) => contractRegistry.get(schema as z.ZodType)?.id;
  const parameters: unknown[] = [];
  for (const match of endpoint.path.matchAll(/\{([a-z_0-9]+)\}/g)) {
    const name = match[1] as keyof typeof PATH_PARAMS;
    parameters.push({
      name,
      in: "path",
      required: true,
      schema: stripSchemaKeyword(
        z.toJSONSchema(PATH_PARAMS[name], { target: "draft-2020-12" }) as JsonSchema,
      ),
    });
  }
  if (endpoint.query) {
    const querySchema = z.toJSONSchema(endpoint.query, {
      target: "draft-2020-12",
      io: "input",
    }) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(querySchema.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: "query",
        required: querySchema.required?.includes(name) ?? false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  for (const [name, header] of Object.entries(endpoint.headers ?? {})) {
    parameters.push({
      name,
      in: "header",
      required: header.required,
      description: header.description,
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }

  const responses: Record<string, unknown> = {};
  const headers = { [CONTRACT_VERSION_HEADER]: { $ref: "#/components/headers/ContractVersion" } };
  for (const [status, response] of Object.entries(endpoint.responses)) {
    const id = response.schema ? idOf(response.schema) : undefined;
    responses[status] = {
      description: response.description,
      headers,
      ...(response.schema
        ? { content: { "application/json": { schema: { $ref: `${REF_PREFIX}${id}` } } } }
        : operationId === "metrics"
          ? { content: { "text/plain": { schema: { type: "string" } } } }
          : operationId === "openapi"
            ? { content: { "application/json": { schema: { type: "object" } } } }
            : {}),
    };
  }
  const errorCodes = new Set<keyof typeof ERROR_CODES>(["internal", ...endpoint.errors]);
  if (endpoint.auth) {
    errorCodes.add("unauthorized");
    errorCodes.add("forbidden");
    errorCodes.add("rate_limited");
    errorCodes.add("unavailable");
  }
  if (endpoint.body || endpoint.query || endpoint.path.includes("{"))
    errorCodes.add("validation_failed");
  if (endpoint.body) errorCodes.add("payload_too_large");
  const byStatus = new Map<number, string[]>();
  for (const code of errorCodes) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
    const retryAfter = status === 429 || status === 503;
    responses[String(status)] = {
      description: `Problem with code ${codes.map((c) => `\`${c}\``).join(" or ")}.`,
      headers: retryAfter
        ? { ...headers, "Retry-After": { $ref: "#/components/headers/RetryAfter" } }
        : headers,
      content: {
        [PROBLEM_MEDIA_TYPE]: { schema: { $ref: `${REF_PREFIX}${idOf(ProblemSchema)}` } },
      },
    };
  }

  const tag = endpoint.path.startsWith("/ops/artifacts")
    ? "artifacts"
    : endpoint.path.endsWith("/events")
      ? "events"
      : /claim|heartbeat|complete/.test(endpoint.path)
        ? "leases"
        : endpoint.path.startsWith("/ops/runs")
          ? "runs"
          : "service";
  const bodyId = endpoint.body ? idOf(endpoint.body) : undefined;
  return {
    operationId,
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    tags: [tag],
    ...(endpoint.auth ? {} : { security: [] }),
    "x-controlroom-roles": [...endpoint.roles],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(bodyId
      ? {
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { $ref: `${REF_PREFIX}${components.inputName(bodyId)}` },
              },
            },
          },
        }
      : {}),
    responses: sortKeys(responses),
  };
}

function stripSchemaKeyword(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function openObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openObjects);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "additionalProperties" && child === false) continue;
    out[key] = openObjects(child);
  }
  return out;
}

function sortKeys<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))) as T;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
