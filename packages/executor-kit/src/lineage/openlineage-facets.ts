import type { OpenLineageFacet, OpenLineageFacets } from "./openlineage-event.js";

const FACETS = "https://openlineage.io/spec/facets";

/**
 * The schema URL of each standard facet the kit fills in, by where the facet goes and
 * its name. Versions are those of the facet schemas of spec 2-0-2.
 */
const STANDARD_FACETS: Record<FacetGroup, Record<string, string>> = {
  run: {
    parent: `${FACETS}/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet`,
    errorMessage: `${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
    processing_engine: `${FACETS}/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet`,
    tags: `${FACETS}/1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet`,
    nominalTime: `${FACETS}/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet`,
  },
  job: {
    jobType: `${FACETS}/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`,
    documentation: `${FACETS}/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet`,
    sql: `${FACETS}/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet`,
    tags: `${FACETS}/1-0-0/TagsJobFacet.json#/$defs/TagsJobFacet`,
  },
  dataset: {
    schema: `${FACETS}/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
    version: `${FACETS}/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet`,
    storage: `${FACETS}/1-0-1/StorageDatasetFacet.json#/$defs/StorageDatasetFacet`,
    dataSource: `${FACETS}/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet`,
    datasetType: `${FACETS}/1-0-1/DatasetTypeDatasetFacet.json#/$defs/DatasetTypeDatasetFacet`,
    documentation: `${FACETS}/1-1-0/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet`,
    symlinks: `${FACETS}/1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet`,
  },
  input: {
    inputStatistics: `${FACETS}/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet`,
  },
  output: {
    outputStatistics: `${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
  },
};

/** Where a facet goes: on the run, the job, a dataset, an input or an output. */
export type FacetGroup = "run" | "job" | "dataset" | "input" | "output";

/**
 * `facets` with `_producer` and `_schemaURL` filled in where missing (the schema URL
 * only for standard facets). Facets that still have no `_schemaURL` are left out and
 * named in `dropped`: the spec requires both fields, and an event with an invalid
 * facet could be refused whole.
 */
export function completeFacets(
  group: FacetGroup,
  facets: OpenLineageFacets | undefined,
  producer: string,
): { facets: OpenLineageFacets | undefined; dropped: string[] } {
  if (!facets) return { facets: undefined, dropped: [] };
  const out: OpenLineageFacets = {};
  const dropped: string[] = [];
  for (const [name, facet] of Object.entries(facets)) {
    if (typeof facet !== "object" || facet === null || Array.isArray(facet)) {
      dropped.push(name);
      continue;
    }
    const schemaURL = facet._schemaURL ?? standardFacetSchemaUrl(group, name);
    if (schemaURL === undefined) {
      dropped.push(name);
      continue;
    }
    const complete: OpenLineageFacet = {
      ...facet,
      _producer: facet._producer ?? producer,
      _schemaURL: schemaURL,
    };
    out[name] = complete;
  }
  return { facets: Object.keys(out).length > 0 ? out : undefined, dropped };
}

/** The schema URL of a standard facet, or `undefined` for one the kit does not know. */
export function standardFacetSchemaUrl(group: FacetGroup, name: string): string | undefined {
  const urls = STANDARD_FACETS[group];
  return Object.hasOwn(urls, name) ? urls[name] : undefined;
}
