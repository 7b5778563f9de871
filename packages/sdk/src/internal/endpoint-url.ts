import { ENDPOINTS, type EndpointName } from "@controlroom/contract";

/**
 * The URL of one contract endpoint: `baseUrl` + the contract's path template with its
 * `{param}`s filled in (URI-encoded) + the defined query parameters. Paths are never
 * written twice: they come from the contract's `ENDPOINTS` table.
 */
export function endpointUrl(
  baseUrl: string,
  endpoint: EndpointName,
  params: Readonly<Record<string, string>> = {},
  query: Readonly<Record<string, string | number | undefined>> = {},
): string {
  const path = ENDPOINTS[endpoint].path.replace(/\{([a-z0-9_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") {
      throw new TypeError(`${endpoint}: missing path parameter ${name}`);
    }
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const qs = search.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
}
