/**
 * Renders the TypeScript types of the OpenAPI document with openapi-typescript:
 * `paths`, `components["schemas"]` and `operations`, as a client written from the
 * document alone would see them. The contract's own types are the zod ones; these are
 * generated so that a test can check the two agree (test/openapi-types.test.ts).
 */
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from "openapi-typescript";

/** Where the types are written, relative to the package. */
export const OPENAPI_TYPES_PATH = "generated/openapi-types.ts";

/**
 * The file's text for `document`. Deterministic: the same document gives the same bytes.
 *
 * @example
 * ```ts
 * writeFileSync(OPENAPI_TYPES_PATH, await renderOpenApiTypes(buildOpenApiDocument()));
 * ```
 */
export async function renderOpenApiTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as OpenAPI3, {
    // Optional is what `required` says, defaults or not: request components (`…Input`)
    // keep defaulted fields optional, as clients write them.
    defaultNonNullable: false,
    silent: true,
  });
  return `${COMMENT_HEADER}// From packages/contract/openapi.json: regenerate with \`pnpm generate:clients\`
// (or \`pnpm --filter @controlroom/contract generate\`); a test fails when it is stale.

${astToString(ast)}`;
}
