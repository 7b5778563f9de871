/** The screens of the app, by URL. */
export type Route =
  | { page: "runs" }
  | { page: "run"; runId: string }
  | { page: "tables" }
  | { page: "table"; runId: string; name: string; version: number | undefined }
  | { page: "health" }
  | { page: "not-found"; path: string };

/**
 * The screen for a path and query: `/` and `/runs` (the runs list), `/runs/{id}`,
 * `/tables`, `/tables/{name}?run={id}&version={n}`, `/health`.
 *
 * @example
 * ```ts
 * parseRoute("/runs/0190…", ""); // { page: "run", runId: "0190…" }
 * ```
 */
export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "runs")) return { page: "runs" };
  if (parts[0] === "runs" && parts.length === 2) return { page: "run", runId: parts[1] as string };
  if (parts[0] === "tables" && parts.length === 1) return { page: "tables" };
  if (parts[0] === "tables" && parts.length === 2 && query.get("run")) {
    const version = query.get("version");
    return {
      page: "table",
      name: parts[1] as string,
      runId: query.get("run") as string,
      version: version !== null && /^\d+$/.test(version) ? Number(version) : undefined,
    };
  }
  if (parts[0] === "health" && parts.length === 1) return { page: "health" };
  return { page: "not-found", path: pathname };
}

/** The path of a run's page. */
export function runPath(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

/** The path of a table's page, as written by `runId` (at `version`, else the run's own). */
export function tablePath(name: string, runId: string, version?: number): string {
  const query = new URLSearchParams({ run: runId });
  if (version !== undefined) query.set("version", String(version));
  return `/tables/${encodeURIComponent(name)}?${query}`;
}
