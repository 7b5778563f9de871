import { ENDPOINTS, type EndpointName } from "@controlroom/contract";

/** A path template split once: literal text at even indexes, parameter names at odd ones. */
const templates = new Map<EndpointName, string[]>();

function templateOf(endpoint: EndpointName): string[] {
  let parts = templates.get(endpoint);
  if (!parts) {
    // split() with a capturing group keeps the names: "/ops/runs/{run_id}" → ["/ops/runs/", "run_id", ""].
    parts = ENDPOINTS[endpoint].path.split(/\{([a-z0-9_]+)\}/);
    templates.set(endpoint, parts);
  }
  return parts;
}

/**
 * The URL of one contract endpoint: `baseUrl` + the contract's path template with its
 * `{param}`s filled in (URI-encoded) + the defined query parameters. Paths are never
 * written twice: they come from the contract's `ENDPOINTS` table.
 */
export function endpointUrl(
  baseUrl: string,
  endpoint: EndpointName,
  params: Readonly<Record<string, string>> = {},
  query?: Readonly<Record<string, string | number | undefined>>,
): string {
  const parts = templateOf(endpoint);
  let url = baseUrl + parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const value = params[name];
    if (value === undefined || value === "") {
      throw new TypeError(`${endpoint}: missing path parameter ${name}`);
    }
    url += encodeURIComponent(value) + parts[i + 1];
  }
  if (query) {
    // Most calls have no query: no URLSearchParams for them.
    let search: URLSearchParams | undefined;
    for (const key of Object.keys(query)) {
      const value = query[key];
      if (value === undefined) continue;
      search ??= new URLSearchParams();
      search.set(key, String(value));
    }
    if (search) url += `?${search}`;
  }
  return url;
}
