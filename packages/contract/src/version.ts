/**
 * The version of the wire contract this package encodes. Every response of the
 * control plane carries it in the `controlroom-contract-version` header, and the
 * OpenAPI document's `info.version` is the same string. A breaking change bumps the
 * major and the path prefix.
 *
 * @example
 * ```ts
 * import { CONTRACT_VERSION } from "@controlroom/contract";
 * console.log(CONTRACT_VERSION); // "1.0.0"
 * ```
 */
export const CONTRACT_VERSION = "1.0.0";

/** The name of the response header that carries {@link CONTRACT_VERSION}. */
export const CONTRACT_VERSION_HEADER = "controlroom-contract-version";
