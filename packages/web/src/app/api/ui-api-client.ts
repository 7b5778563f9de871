import type { Problem } from "@controlroom/contract";

/** A failed call to the UI's read endpoints, carrying the server's problem document. */
export class UiApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "UiApiError";
    this.status = status;
    this.code = code;
  }
}

/** A table a run wrote, as `GET /ui/api/runs/{run_id}/tables/{name}` answers. */
export interface TableDetailResponse {
  name: string;
  phase: string;
  location: string;
  run_version: number;
  version: number;
  row_count: number;
  history: {
    version: number;
    timestamp: string;
    operation: string;
    run_id: string | null;
    phase: string | null;
    git_sha: string | null;
  }[];
  schema: { name: string; type: string; nullable: boolean }[];
  preview: { columns: string[]; rows: Record<string, unknown>[] };
}

/**
 * The server's web UI read endpoints (`/ui/api`, served by `controlroom serve`, not part
 * of the contract): artifact bytes and table details. Errors come back as
 * {@link UiApiError} with the problem's `code` and `detail`.
 *
 * @example
 * ```ts
 * const api = new UiApiClient(location.origin, token);
 * const sql = await api.artifactText(sha256);
 * ```
 */
export class UiApiClient {
  readonly #baseUrl: string;
  readonly #token: string;
  constructor(baseUrl: string, token: string) {
    this.#baseUrl = baseUrl;
    this.#token = token;
  }

  /** An artifact's bytes as text (UTF-8). */
  async artifactText(sha256: string, signal?: AbortSignal): Promise<string> {
    const response = await this.#get(`/ui/api/artifacts/${sha256}/content`, signal);
    return response.text();
  }

  /** A table the run wrote: history, schema and first rows (of `version`, default the run's). */
  async runTable(
    runId: string,
    name: string,
    options: { version?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<TableDetailResponse> {
    const query = options.version === undefined ? "" : `?version=${options.version}`;
    const response = await this.#get(
      `/ui/api/runs/${encodeURIComponent(runId)}/tables/${encodeURIComponent(name)}${query}`,
      options.signal,
    );
    return (await response.json()) as TableDetailResponse;
  }

  async #get(path: string, signal: AbortSignal | undefined): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        headers: { authorization: `Bearer ${this.#token}` },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new UiApiError(0, "connection_error", "the server could not be reached");
    }
    if (response.ok) return response;
    let problem: Partial<Problem> = {};
    try {
      problem = (await response.json()) as Partial<Problem>;
    } catch {
      // Not a problem document (a proxy's error page): the status says enough.
    }
    throw new UiApiError(
      response.status,
      problem.code ?? "internal",
      problem.detail ?? `${response.status} ${response.statusText}`,
    );
  }
}
