import { z } from "zod";

/** Metadata kept for every named schema of the contract. */
export interface ContractSchemaMeta {
  /** The stable id, used as the OpenAPI component name and JSON Schema file name. */
  id: string;
  /** One sentence for generated documentation. */
  description?: string;
}

/**
 * The registry of every named schema of the contract. It is a registry of its own
 * (not zod's global one) so that converting a single schema to JSON Schema inlines
 * everything, which is what LLM tool definitions need, while the OpenAPI document
 * still gets one component per id.
 */
export const contractRegistry = z.registry<ContractSchemaMeta>();

/** Registers `schema` under a stable `id` and returns it unchanged. */
export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  contractRegistry.add(schema, { id, description });
  return schema;
}
