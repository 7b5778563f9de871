import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components, operations, paths } from "../generated/openapi-types.js";
import { OPENAPI_TYPES_PATH, renderOpenApiTypes } from "../scripts/openapi-types.js";
import {
  type AppendEventsRequest,
  type AppendEventsResponse,
  type Artifact,
  type CancelRunRequest,
  type ClaimRequest,
  type ClaimRunRequest,
  type CompleteRequest,
  type CreateRunRequest,
  CreateRunRequestSchema,
  type Event,
  type EventInput,
  type EventList,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Lease,
  type Phase,
  type PhaseSpecInput,
  type Problem,
  type RegisterArtifactRequest,
  type RetryPolicy,
  type Run,
  type RunList,
} from "../src/index.js";
import * as ex from "./examples.js";

// The types openapi-typescript generates from openapi.json must say what the zod
// schemas say: a client written from the document alone sends and reads the same
// shapes as the SDK. The checks are type-level: `pnpm typecheck` fails when they drift
// (vitest runs the file too, for the staleness check and to keep the examples honest).

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

type Schemas = components["schemas"];

/**
 * A type with `| undefined` taken off its optional properties, all the way down. zod
 * types an optional field `x?: T | undefined`, openapi-typescript `x?: T`; under
 * `exactOptionalPropertyTypes` those differ only in whether an explicit `undefined`
 * may be written, which JSON cannot carry anyway.
 */
type Defined<T> = T extends readonly (infer U)[]
  ? Defined<U>[]
  : T extends object
    ? { [K in keyof T]: Defined<Exclude<T[K], undefined>> }
    : T;

describe("generated/openapi-types.ts", () => {
  it("is up to date (run `pnpm generate:clients`)", async () => {
    const document = JSON.parse(readFileSync(join(root, "openapi.json"), "utf8"));
    const committed = readFileSync(join(root, OPENAPI_TYPES_PATH), "utf8");
    expect(committed).toBe(await renderOpenApiTypes(document));
  });

  it("describes responses exactly as the zod output types do", () => {
    expectTypeOf<Defined<Run>>().toEqualTypeOf<Defined<Schemas["Run"]>>();
    expectTypeOf<Defined<Phase>>().toEqualTypeOf<Defined<Schemas["Phase"]>>();
    expectTypeOf<Defined<RetryPolicy>>().toEqualTypeOf<Defined<Schemas["RetryPolicy"]>>();
    expectTypeOf<Defined<RunList>>().toEqualTypeOf<Defined<Schemas["RunList"]>>();
    expectTypeOf<Defined<Lease>>().toEqualTypeOf<Defined<Schemas["Lease"]>>();
    expectTypeOf<Defined<Event>>().toEqualTypeOf<Defined<Schemas["Event"]>>();
    expectTypeOf<Defined<EventList>>().toEqualTypeOf<Defined<Schemas["EventList"]>>();
    expectTypeOf<Defined<Artifact>>().toEqualTypeOf<Defined<Schemas["Artifact"]>>();
    expectTypeOf<Defined<HeartbeatResponse>>().toEqualTypeOf<
      Defined<Schemas["HeartbeatResponse"]>
    >();
    expectTypeOf<Defined<AppendEventsResponse>>().toEqualTypeOf<
      Defined<Schemas["AppendEventsResponse"]>
    >();
    expectTypeOf<Defined<Problem>>().toEqualTypeOf<Defined<Schemas["Problem"]>>();
  });

  it("describes request bodies exactly as the zod input types do", () => {
    expectTypeOf<Defined<CreateRunRequest>>().toEqualTypeOf<
      Defined<Schemas["CreateRunRequestInput"]>
    >();
    expectTypeOf<Defined<PhaseSpecInput>>().toEqualTypeOf<Defined<Schemas["PhaseSpecInput"]>>();
    expectTypeOf<Defined<AppendEventsRequest>>().toEqualTypeOf<
      Defined<Schemas["AppendEventsRequestInput"]>
    >();
    expectTypeOf<Defined<EventInput>>().toEqualTypeOf<Defined<Schemas["NewEventInput"]>>();
    expectTypeOf<Defined<ClaimRequest>>().toEqualTypeOf<Defined<Schemas["ClaimRequest"]>>();
    expectTypeOf<Defined<ClaimRunRequest>>().toEqualTypeOf<Defined<Schemas["ClaimRunRequest"]>>();
    expectTypeOf<Defined<HeartbeatRequest>>().toEqualTypeOf<Defined<Schemas["HeartbeatRequest"]>>();
    expectTypeOf<Defined<CompleteRequest>>().toEqualTypeOf<Defined<Schemas["CompleteRequest"]>>();
    expectTypeOf<Defined<RegisterArtifactRequest>>().toEqualTypeOf<
      Defined<Schemas["RegisterArtifactRequest"]>
    >();
    expectTypeOf<Defined<CancelRunRequest>>().toEqualTypeOf<Defined<Schemas["CancelRunRequest"]>>();
  });

  it("wires the endpoints to those components", () => {
    type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
    expectTypeOf<Json<paths["/ops/runs/{run_id}"]["get"]["responses"][200]>>().toEqualTypeOf<
      Schemas["Run"]
    >();
    expectTypeOf<Json<operations["createRun"]["responses"][201]>>().toEqualTypeOf<Schemas["Run"]>();
    expectTypeOf<
      NonNullable<operations["createRun"]["requestBody"]>["content"]["application/json"]
    >().toEqualTypeOf<Schemas["CreateRunRequestInput"]>();
    expectTypeOf<Json<operations["claimRun"]["responses"][200]>>().toEqualTypeOf<
      Schemas["Lease"]
    >();
    expectTypeOf<operations["createRun"]["parameters"]["header"]>().toExtend<
      { "Idempotency-Key"?: string } | undefined
    >();
  });

  it("accepts the contract's examples and can fail", () => {
    // One literal is a value of both: the zod input type and the generated one.
    const body = {
      spec_slug: "odoo-finance",
      git_sha: ex.GIT_SHA,
      environment: "dev",
      phases: [{ name: "ingest", kind: "ingest", retry: { max_attempts: 2 } }],
      input_manifest: { source: "odoo" },
    } satisfies CreateRunRequest satisfies Schemas["CreateRunRequestInput"];
    expect(CreateRunRequestSchema.safeParse(body).success).toBe(true);
    // The checks above bite: a Run without its id is not a generated Run.
    expectTypeOf<Omit<Run, "run_id">>().not.toExtend<Schemas["Run"]>();
    // @ts-expect-error a status the contract does not have
    const wrong: Schemas["Run"]["status"] = "paused";
    expect(wrong).toBe("paused");
  });
});
