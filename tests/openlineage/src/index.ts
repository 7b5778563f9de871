import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/** The OpenLineage spec version the vendored schemas are (`schemas/<version>/`). */
export const OPENLINEAGE_SPEC_VERSION = "2-0-2";

/** `$id` of the vendored core schema. */
export const OPENLINEAGE_SCHEMA_ID = `https://openlineage.io/spec/${OPENLINEAGE_SPEC_VERSION}/OpenLineage.json`;

type JsonSchema = { $id: string; properties?: Record<string, unknown> };

// ajv-formats is CommonJS whose types declare an ES default export.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** Where a facet may appear, as its schema's file name says (`…RunFacet.json`). */
type FacetKind = "run" | "job" | "dataset" | "input" | "output";

const KIND_SUFFIXES: [string, FacetKind][] = [
  ["InputDatasetFacet", "input"],
  ["OutputDatasetFacet", "output"],
  ["DatasetFacet", "dataset"],
  ["RunFacet", "run"],
  ["JobFacet", "job"],
];

interface Validators {
  core: ValidateFunction;
  /** `<kind>:<facet name>` (`run:parent`, `dataset:schema`…) → its schema's validator and `$id`. */
  facets: Map<string, { id: string; validate: ValidateFunction }>;
}

let cached: Validators | undefined;

function validators(): Validators {
  if (cached) return cached;
  const dir = fileURLToPath(new URL(`../schemas/${OPENLINEAGE_SPEC_VERSION}/`, import.meta.url));
  const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as JsonSchema;
  // Strict mode off: the official schemas use the non-standard `example` keyword.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const core = read(`${dir}OpenLineage.json`);
  ajv.addSchema(core);
  const facetFiles = readdirSync(`${dir}facets`).filter((name) => name.endsWith(".json"));
  const facetSchemas = facetFiles.map((file) => ({ file, schema: read(`${dir}facets/${file}`) }));
  for (const { schema } of facetSchemas) ajv.addSchema(schema);
  const facets = new Map<string, { id: string; validate: ValidateFunction }>();
  for (const { file, schema } of facetSchemas) {
    const validate = ajv.getSchema(schema.$id);
    if (!validate) throw new Error(`facet schema ${schema.$id} did not compile`);
    const base = file.replace(/\.json$/, "");
    // `LineageFacet.json` names no kind: it serves datasets and jobs.
    const kind = KIND_SUFFIXES.find(([suffix]) => base.endsWith(suffix))?.[1];
    const kinds: FacetKind[] = kind ? [kind] : ["dataset", "job"];
    for (const kind of kinds) {
      for (const key of Object.keys(schema.properties ?? {})) {
        facets.set(`${kind}:${key}`, { id: schema.$id, validate });
      }
    }
  }
  const validateCore = ajv.getSchema(core.$id);
  if (!validateCore) throw new Error("the OpenLineage core schema did not compile");
  cached = { core: validateCore, facets };
  return cached;
}

/**
 * Checks one event against the official OpenLineage JSON Schema (the vendored
 * `OpenLineage.json`, spec {@link OPENLINEAGE_SPEC_VERSION}) and each of its facets
 * against that facet's official schema. The core schema only checks facets as
 * `BaseFacet`s, so this also requires every facet to be a standard one (a facet schema
 * defines its name) whose `_schemaURL` points into that schema's `$id`.
 *
 * @returns the problems found; empty when the event is valid.
 */
export function openLineageEventErrors(event: unknown): string[] {
  const { core, facets } = validators();
  const errors: string[] = [];
  if (!core(event)) {
    for (const error of core.errors ?? []) {
      errors.push(`${error.instancePath || "(root)"} ${error.message ?? "is invalid"}`);
    }
  }
  const checkFacets = (path: string, kind: FacetKind, group: unknown) => {
    if (group === undefined) return;
    if (typeof group !== "object" || group === null) {
      errors.push(`${path} must be an object`);
      return;
    }
    for (const [name, facet] of Object.entries(group)) {
      const schema = facets.get(`${kind}:${name}`);
      if (!schema) {
        errors.push(`${path}/${name} is not a standard OpenLineage ${kind} facet`);
        continue;
      }
      if (!schema.validate({ [name]: facet })) {
        for (const error of schema.validate.errors ?? []) {
          errors.push(`${path}${error.instancePath} ${error.message ?? "is invalid"}`);
        }
      }
      const url = (facet as { _schemaURL?: unknown })._schemaURL;
      if (typeof url !== "string" || !url.startsWith(`${schema.id}#`)) {
        errors.push(`${path}/${name}/_schemaURL must point into ${schema.id}, got ${String(url)}`);
      }
    }
  };
  const value = event as {
    run?: { facets?: unknown };
    job?: { facets?: unknown };
    inputs?: { facets?: unknown; inputFacets?: unknown }[];
    outputs?: { facets?: unknown; outputFacets?: unknown }[];
  };
  checkFacets("/run/facets", "run", value?.run?.facets);
  checkFacets("/job/facets", "job", value?.job?.facets);
  for (const [index, input] of (value?.inputs ?? []).entries()) {
    checkFacets(`/inputs/${index}/facets`, "dataset", input?.facets);
    checkFacets(`/inputs/${index}/inputFacets`, "input", input?.inputFacets);
  }
  for (const [index, output] of (value?.outputs ?? []).entries()) {
    checkFacets(`/outputs/${index}/facets`, "dataset", output?.facets);
    checkFacets(`/outputs/${index}/outputFacets`, "output", output?.outputFacets);
  }
  return errors;
}

/**
 * Throws unless {@link openLineageEventErrors} finds nothing, with every problem and
 * the event in the message.
 */
export function assertValidOpenLineageEvent(event: unknown): void {
  const errors = openLineageEventErrors(event);
  if (errors.length > 0) {
    throw new Error(
      `invalid OpenLineage event (spec ${OPENLINEAGE_SPEC_VERSION}):\n  ${errors.join("\n  ")}\n${JSON.stringify(event, null, 2)}`,
    );
  }
}
