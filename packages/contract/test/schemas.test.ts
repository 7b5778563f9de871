import { describe, expect, it } from "vitest";
import {
  AppendEventsRequestSchema,
  CancelRunRequestSchema,
  ClaimRequestSchema,
  ClaimRunRequestSchema,
  CompleteBatchRequestSchema,
  CompleteRequestSchema,
  CreateRunRequestSchema,
  HeartbeatRequestSchema,
  issuesFromZod,
  ListEventsQuerySchema,
  ListRunsQuerySchema,
  MAX_EVENT_PAYLOAD_BYTES,
  RegisterArtifactRequestSchema,
  resolveDependencies,
} from "../src/index.js";
import * as ex from "./examples.js";

function issuesOf(
  schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } },
  value: unknown,
) {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  // biome-ignore lint/suspicious/noExplicitAny: the zod error type is generic here
  return issuesFromZod(result.error as any);
}

describe("every request of CONTRACT.md parses", () => {
  it.each([
    ["create run", CreateRunRequestSchema, ex.createRunBody],
    ["claim for a run", ClaimRunRequestSchema, ex.claimRunBody],
    ["claim across runs", ClaimRequestSchema, ex.claimBody],
    ["heartbeat", HeartbeatRequestSchema, ex.heartbeatBody],
    ["append events", AppendEventsRequestSchema, ex.appendEventsBody],
    ["register artifact", RegisterArtifactRequestSchema, ex.registerArtifactBody],
    ["complete succeeded", CompleteRequestSchema, ex.completeSucceededBody],
    ["complete failed", CompleteRequestSchema, ex.completeFailedBody],
    ["cancel", CancelRunRequestSchema, { reason: "operator asked" }],
    [
      "list runs",
      ListRunsQuerySchema,
      { status: "running", spec_slug: "odoo-finance", limit: "20" },
    ],
    ["list events", ListEventsQuerySchema, { after_seq: "10", limit: "100", wait_ms: "1000" }],
  ] as const)("%s", (_name, schema, body) => {
    expect(schema.safeParse(body).success).toBe(true);
  });

  it("fills the documented defaults", () => {
    const parsed = CreateRunRequestSchema.parse(ex.createRunBody);
    const validate = parsed.phases[1]!;
    expect(validate.retry).toEqual({
      max_attempts: 3,
      initial_interval_ms: 1000,
      backoff_coefficient: 2,
      max_interval_ms: 60000,
    });
    expect(validate.timeout_seconds).toBe(3600);
    expect(validate.requires).toEqual([]);
    expect(validate.params).toEqual({});
    expect(parsed.phases[3]!.retry.max_attempts).toBe(5);
    expect(parsed.phases[3]!.retry.initial_interval_ms).toBe(500);
    const event = AppendEventsRequestSchema.parse({
      events: [{ event_id: ex.EVENT_ID, type: "LOG", ts: "2026-01-31T12:00:00Z" }],
    }).events[0]!;
    expect(event).toMatchObject({ level: "info", message: "", payload: {} });
    expect(ListEventsQuerySchema.parse({})).toEqual({ after_seq: 0, limit: 100 });
  });

  it("resolves depends_on to the previous phase by default", () => {
    const parsed = CreateRunRequestSchema.parse(ex.createRunBody);
    expect(resolveDependencies(parsed.phases).map((p) => p.depends_on)).toEqual([
      [],
      ["ingest"],
      ["validate"],
      ["silver"],
      ["gold"],
    ]);
  });
});

describe("rules beyond shapes name the offending path", () => {
  const withPhases = (phases: unknown[]) => ({ ...ex.createRunBody, phases });

  it("rejects duplicate phase names", () => {
    const issues = issuesOf(
      CreateRunRequestSchema,
      withPhases([
        { name: "a", kind: "custom" },
        { name: "a", kind: "custom" },
      ]),
    );
    expect(issues).toContainEqual({ path: "phases.1.name", message: 'duplicate phase name "a"' });
  });

  it("rejects an unknown dependency", () => {
    const issues = issuesOf(
      CreateRunRequestSchema,
      withPhases([
        { name: "a", kind: "custom" },
        { name: "b", kind: "custom", depends_on: ["a", "nope"] },
      ]),
    );
    expect(issues).toEqual([
      { path: "phases.1.depends_on.1", message: 'unknown phase "nope" in depends_on of "b"' },
    ]);
  });

  it("rejects a cycle and a self-dependency", () => {
    const cycle = issuesOf(
      CreateRunRequestSchema,
      withPhases([
        { name: "a", kind: "custom", depends_on: ["c"] },
        { name: "b", kind: "custom", depends_on: ["a"] },
        { name: "c", kind: "custom", depends_on: ["b"] },
      ]),
    );
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.path).toBe("phases.0.depends_on");
    expect(cycle[0]!.message).toBe("dependency cycle: a → c → b → a");
    const self = issuesOf(
      CreateRunRequestSchema,
      withPhases([{ name: "a", kind: "custom", depends_on: ["a"] }]),
    );
    expect(self[0]!.path).toBe("phases.0.depends_on.0");
  });

  it.each([
    ["uppercase hex", "3F786850E387550FDAB836ED7E6DC881DE23001B"],
    ["short", "3f78685"],
    ["41 characters", `${ex.GIT_SHA}a`],
    ["not hex", "z".repeat(40)],
  ])("rejects a git_sha that is %s", (_name, sha) => {
    const issues = issuesOf(CreateRunRequestSchema, { ...ex.createRunBody, git_sha: sha });
    expect(issues.map((i) => i.path)).toEqual(["git_sha"]);
  });

  it("accepts a 64-character git_sha", () => {
    expect(
      CreateRunRequestSchema.safeParse({ ...ex.createRunBody, git_sha: "b".repeat(64) }).success,
    ).toBe(true);
  });

  it.each(["Odoo", "-x", "a b", "x".repeat(129)])("rejects the spec_slug %j", (slug) => {
    expect(
      issuesOf(CreateRunRequestSchema, { ...ex.createRunBody, spec_slug: slug }).map((i) => i.path),
    ).toEqual(["spec_slug"]);
  });

  it("rejects a payload over 256 KiB", () => {
    const event = {
      ...ex.appendEventsBody.events[0]!,
      payload: { blob: "x".repeat(MAX_EVENT_PAYLOAD_BYTES) },
    };
    const issues = issuesOf(AppendEventsRequestSchema, { events: [event] });
    expect(issues.map((i) => i.path)).toEqual(["events.0.payload"]);
    expect(issues[0]!.message).toMatch(/at most 262144/);
  });

  it("counts payload bytes in UTF-8, not characters", () => {
    // 100 000 three-byte characters: under the limit in characters, over it in bytes.
    const event = { ...ex.appendEventsBody.events[0]!, payload: { text: "€".repeat(100_000) } };
    expect(issuesOf(AppendEventsRequestSchema, { events: [event] })[0]!.path).toBe(
      "events.0.payload",
    );
  });

  it("rejects more than 1000 events and an empty batch", () => {
    const event = ex.appendEventsBody.events[0]!;
    const many = Array.from({ length: 1001 }, () => event);
    expect(issuesOf(AppendEventsRequestSchema, { events: many }).map((i) => i.path)).toEqual([
      "events",
    ]);
    expect(issuesOf(AppendEventsRequestSchema, { events: [] }).map((i) => i.path)).toEqual([
      "events",
    ]);
  });

  it("rejects a wrong enum value with its path", () => {
    expect(
      issuesOf(CreateRunRequestSchema, { ...ex.createRunBody, environment: "production" }),
    ).toEqual([expect.objectContaining({ path: "environment" })]);
    const badKind = withPhases([{ name: "a", kind: "load" }]);
    expect(issuesOf(CreateRunRequestSchema, badKind).map((i) => i.path)).toEqual(["phases.0.kind"]);
    expect(
      issuesOf(CompleteRequestSchema, { ...ex.completeSucceededBody, status: "done" }).map(
        (i) => i.path,
      ),
    ).toEqual(["status"]);
    const badLevel = { events: [{ ...ex.appendEventsBody.events[0]!, level: "fatal" }] };
    expect(issuesOf(AppendEventsRequestSchema, badLevel).map((i) => i.path)).toEqual([
      "events.0.level",
    ]);
  });

  it.each([
    [{ max_attempts: 0 }, "max_attempts"],
    [{ max_attempts: 101 }, "max_attempts"],
    [{ initial_interval_ms: -1 }, "initial_interval_ms"],
    [{ backoff_coefficient: 0.5 }, "backoff_coefficient"],
    [{ backoff_coefficient: 11 }, "backoff_coefficient"],
    [{ max_interval_ms: 86_400_001 }, "max_interval_ms"],
    [{ initial_interval_ms: 5000, max_interval_ms: 1000 }, "max_interval_ms"],
  ])("rejects the retry policy %j", (retry, field) => {
    const issues = issuesOf(
      CreateRunRequestSchema,
      withPhases([{ name: "a", kind: "custom", retry }]),
    );
    expect(issues.map((i) => i.path)).toEqual([`phases.0.retry.${field}`]);
  });

  it.each([
    [0, "timeout_seconds"],
    [86_401, "timeout_seconds"],
  ])("rejects timeout_seconds %d", (timeout, field) => {
    const issues = issuesOf(
      CreateRunRequestSchema,
      withPhases([{ name: "a", kind: "custom", timeout_seconds: timeout }]),
    );
    expect(issues.map((i) => i.path)).toEqual([`phases.0.${field}`]);
  });

  it("rejects lease_seconds and wait_ms out of range", () => {
    expect(
      issuesOf(ClaimRunRequestSchema, { ...ex.claimRunBody, lease_seconds: 3601 }).map(
        (i) => i.path,
      ),
    ).toEqual(["lease_seconds"]);
    expect(
      issuesOf(ClaimRequestSchema, { ...ex.claimBody, wait_ms: 30_001 }).map((i) => i.path),
    ).toEqual(["wait_ms"]);
  });

  it("takes a claim with completions, which never waits and has a size", () => {
    const { wait_ms: _wait, ...claim } = { ...ex.claimBody, max_leases: 4, start: true };
    const completions = [{ ...ex.completeSucceededBody, run_id: ex.RUN_ID }];
    expect(CompleteBatchRequestSchema.parse({ completions, claim }).claim).toEqual(claim);
    const pathsOf = (extra: object) =>
      issuesOf(CompleteBatchRequestSchema, { completions, claim: { ...claim, ...extra } }).map(
        (i) => i.path,
      );
    // A long-poll is refused rather than ignored: the request would not wait.
    expect(pathsOf({ wait_ms: 1_000 })).toEqual(["claim"]);
    expect(pathsOf({ max_leases: 0 })).toEqual(["claim.max_leases"]);
    expect(pathsOf({ max_leases: 101 })).toEqual(["claim.max_leases"]);
    expect(pathsOf({ max_leases: undefined })).toEqual(["claim.max_leases"]);
  });

  it("rejects a bad phase name, sha256 and request_id", () => {
    expect(
      issuesOf(CreateRunRequestSchema, withPhases([{ name: "Ingest", kind: "ingest" }])).map(
        (i) => i.path,
      ),
    ).toEqual(["phases.0.name"]);
    expect(
      issuesOf(RegisterArtifactRequestSchema, {
        ...ex.registerArtifactBody,
        sha256: "A".repeat(64),
      }).map((i) => i.path),
    ).toEqual(["sha256"]);
    expect(
      issuesOf(ClaimRunRequestSchema, { ...ex.claimRunBody, request_id: "r1" }).map((i) => i.path),
    ).toEqual(["request_id"]);
  });
});
