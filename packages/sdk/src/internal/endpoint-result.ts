import type { ENDPOINTS, EndpointName } from "@controlroom/contract";

type Responses<N extends EndpointName> = (typeof ENDPOINTS)[N]["responses"];
type SchemaOf<N extends EndpointName> = Responses<N>[keyof Responses<N>] extends {
  schema: infer S;
}
  ? S
  : never;
type Parsed<S> = S extends { safeParse(value: unknown): infer R }
  ? Extract<R, { success: true }> extends { data: infer T }
    ? T
    : never
  : null;

/**
 * What a successful call of endpoint `N` resolves to, derived from the contract's
 * response schemas: e.g. `Run` for `getRun`, `Lease | null` for `claim` (204 → null).
 */
export type EndpointResult<N extends EndpointName> = Parsed<SchemaOf<N>>;
