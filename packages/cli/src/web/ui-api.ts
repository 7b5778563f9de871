import { type Artifact, ArtifactSchema, type Run, RunSchema } from "@controlroom/contract";
import { Hono } from "hono";
import { readArtifactContent } from "./artifact-content.js";
import { findRunTable } from "./run-table-ref.js";
import { readTableDetail } from "./table-detail.js";
import { openUiLake } from "./ui-lake.js";
import { uiProblem } from "./ui-problem.js";

/** The prefix of the web UI's read endpoints; nothing under it is part of the contract. */
export const UI_API_PREFIX = "/ui/api";

/** Options of {@link createUiApi}. */
export interface UiApiOptions {
  /**
   * Answers a contract request in process (the control plane's `app.fetch`). Every UI
   * endpoint first reads the run or artifact it concerns through it, with the caller's
   * own `Authorization`, so authentication, roles and tenant isolation are the
   * control plane's, not re-implemented here.
   */
  controlPlane: (request: Request) => Response | Promise<Response>;
  /** The lake (directory, `file://…` or `s3://bucket/prefix`); without it tables and artifact bytes are unavailable. */
  lake?: string | undefined;
  /** Read for the S3 variables when the lake is on S3. */
  env: Readonly<Record<string, string | undefined>>;
  /** Relative lake paths resolve against it. */
  cwd: string;
  /** Largest artifact whose bytes are served. @default 4 MiB */
  maxArtifactBytes?: number | undefined;
  /** Where unexpected failures are reported. @default console.error */
  onError?: ((error: unknown) => void) | undefined;
}

const DEFAULT_MAX_ARTIFACT_BYTES = 4 * 1024 * 1024;

/**
 * The read endpoints the web UI needs beyond the contract, under `/ui/api`:
 *
 * - `GET /ui/api/artifacts/{sha256}/content`: an artifact's bytes (query texts, result
 *   manifests, previews), read from the lake and checked against the hash;
 * - `GET /ui/api/runs/{run_id}/tables/{name}?version=&limit=`: a table the run wrote:
 *   its version history with the run, phase and commit of each version, the schema and
 *   the first rows of a version (default: the one the run wrote).
 *
 * Errors are problem documents with contract codes.
 *
 * @example
 * ```ts
 * const ui = createUiApi({ controlPlane: cp.app.fetch, lake: ".controlroom/lake", env, cwd });
 * const res = await ui.request("/ui/api/runs/0190…/tables/gold.ar_ageing");
 * ```
 */
export function createUiApi(options: UiApiOptions): Hono {
  const maxBytes = options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  const app = new Hono().basePath(UI_API_PREFIX);

  // A contract read with the caller's credentials: the response itself when it failed
  // (401, 403, 404 as the control plane decided), else the parsed body.
  async function contractRead<T>(
    request: Request,
    path: string,
    parse: (body: unknown) => T,
  ): Promise<T | Response> {
    const headers = new Headers();
    for (const name of ["authorization", "x-request-id"]) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const response = await options.controlPlane(
      new Request(new URL(path, request.url), { headers, signal: request.signal }),
    );
    if (!response.ok) return response;
    return parse(await response.json());
  }

  async function withLake(
    work: (lake: Awaited<ReturnType<typeof openUiLake>>) => Promise<Response>,
  ) {
    if (options.lake === undefined) {
      return uiProblem(
        "not_found",
        "this server has no lake to read: start `controlroom serve` with --lake DIR (embedded mode uses <data-dir>/lake)",
      );
    }
    let lake: Awaited<ReturnType<typeof openUiLake>>;
    try {
      lake = await openUiLake(options.lake, options.env, options.cwd);
    } catch (error) {
      return uiProblem("not_found", `the lake cannot be opened: ${(error as Error).message}`);
    }
    try {
      return await work(lake);
    } finally {
      await lake.close();
    }
  }

  app.get("/artifacts/:sha256/content", async (c) => {
    const sha256 = c.req.param("sha256");
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      return uiProblem("validation_failed", "sha256 must be 64 lowercase hex characters");
    }
    const artifact = await contractRead<Artifact>(c.req.raw, `/ops/artifacts/${sha256}`, (body) =>
      ArtifactSchema.parse(body),
    );
    if (artifact instanceof Response) return artifact;
    return withLake(async (lake) => {
      const result = await readArtifactContent(lake, artifact, maxBytes);
      if ("bytes" in result) {
        // Served as opaque bytes whatever the artifact says it is, so an HTML or SVG
        // artifact can never run as a page of this origin; the UI knows the media type.
        return new Response(new Uint8Array(result.bytes), {
          headers: {
            "content-type": "application/octet-stream",
            "content-disposition": "attachment",
            "x-content-type-options": "nosniff",
            "x-artifact-media-type": artifact.media_type,
            "cache-control": "private, max-age=31536000, immutable",
          },
        });
      }
      switch (result.reason) {
        case "outside_lake":
          return uiProblem(
            "not_found",
            `artifact ${sha256} is stored at ${artifact.uri}, outside the lake this server reads`,
          );
        case "too_large":
          return uiProblem(
            "payload_too_large",
            `artifact ${sha256} is ${artifact.size_bytes} bytes; the UI shows artifacts up to ${result.maxBytes} bytes`,
          );
        case "missing":
          return uiProblem("not_found", `artifact ${sha256} is registered but its bytes are gone`);
        case "hash_mismatch":
          return uiProblem(
            "conflict",
            `the bytes at ${artifact.uri} do not hash to ${sha256}: the file was changed`,
          );
      }
    });
  });

  app.get("/runs/:run_id/tables/:name", async (c) => {
    const runId = c.req.param("run_id");
    const name = c.req.param("name");
    const version = optionalInteger(c.req.query("version"), 0, Number.MAX_SAFE_INTEGER);
    const limit = optionalInteger(c.req.query("limit"), 0, 500);
    if (version === null || limit === null) {
      return uiProblem(
        "validation_failed",
        "version must be an integer ≥ 0 and limit an integer from 0 to 500",
      );
    }
    const run = await contractRead<Run>(
      c.req.raw,
      `/ops/runs/${encodeURIComponent(runId)}`,
      (body) => RunSchema.parse(body),
    );
    if (run instanceof Response) return run;
    const ref = findRunTable(run, name);
    if (ref === undefined) {
      return uiProblem(
        "not_found",
        run.output_manifest === null
          ? `run ${runId} is ${run.status}: its tables are listed once it has ended`
          : `run ${runId} recorded no table ${name}`,
      );
    }
    return withLake(async (lake) => {
      const detail = await readTableDetail(lake, ref.location, {
        version: version ?? ref.version,
        limit: limit ?? 100,
      });
      if (detail === undefined) {
        return uiProblem("not_found", `there is no Delta table at ${ref.location} in the lake`);
      }
      return c.json({ name, phase: ref.phase, run_version: ref.version, ...detail });
    });
  });

  app.notFound((c) => uiProblem("not_found", `there is no endpoint ${c.req.method} ${c.req.path}`));
  app.onError((error) => {
    (options.onError ?? ((e) => console.error("[controlroom] web UI endpoint failed", e)))(error);
    return uiProblem("internal", "reading this failed on the server; see its log");
  });
  return app;
}

// undefined when absent, null when present but not an integer in range.
function optionalInteger(value: string | undefined, min: number, max: number) {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) return null;
  const number = Number(value);
  return number >= min && number <= max ? number : null;
}
