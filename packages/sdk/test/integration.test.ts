import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConflictError,
  ControlRoomClient,
  completionError,
  ForbiddenError,
  IdempotencyConflictError,
  LeaseLostError,
  localArtifactStorage,
  NotFoundError,
  ValidationError,
} from "../src/index.js";

const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
let plane: RunningControlPlane;
let operator: ControlRoomClient;
let executor: ControlRoomClient;
let tempDir: string;

beforeAll(async () => {
  plane = await startControlPlane({ port: 0, jwtSecret: "integration-secret-0123456789abcdef" });
  const make = async (role: "operator" | "executor" | "viewer", tenant = "acme") =>
    new ControlRoomClient({
      baseUrl: plane.url,
      token: await plane.issueToken({ tenant_id: tenant, role }),
      retry: { maxAttempts: 2, initialDelayMs: 10 },
    });
  operator = await make("operator");
  executor = await make("executor");
  tempDir = await mkdtemp(join(tmpdir(), "sdk-it-"));
});

afterAll(async () => {
  await plane?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

const phases = [
  { name: "ingest", kind: "ingest" as const },
  { name: "publish", kind: "publish" as const },
];
const createBody = (slug = "sdk-it") => ({
  spec_slug: slug,
  git_sha: GIT_SHA,
  environment: "dev" as const,
  phases,
  input_manifest: { seed: 1 },
});

describe("the SDK against the real control plane", () => {
  it("drives a run end to end: create, claim, heartbeat, events, artifact, complete, tail", async () => {
    const run = await operator.runs.create(createBody(), { idempotencyKey: "it-create-1" });
    expect(run.status).toBe("queued");
    expect(run.phases.map((p) => p.status)).toEqual(["runnable", "pending"]);

    const storage = localArtifactStorage(tempDir);
    for (const name of ["ingest", "publish"]) {
      const lease = await executor.claims.claimRun(run.run_id, {
        executor_id: "sdk-it",
        capabilities: [],
      });
      expect(lease?.phase).toBe(name);
      const beat = await executor.leases.heartbeat(run.run_id, { lease_token: lease!.lease_token });
      expect(beat.cancel_requested).toBe(false);
      const buffer = executor.events.buffer(run.run_id);
      buffer.push({ type: "LOG", phase: name, message: `working on ${name}` });
      const artifact = await executor.artifacts.put({
        data: `output of ${name}\n`,
        mediaType: "text/plain",
        storage,
        link: { run_id: run.run_id, phase: name, name: `${name}.txt` },
      });
      expect(await readFile(fileURLToPath(artifact.uri), "utf8")).toBe(`output of ${name}\n`);
      await executor.leases.complete(run.run_id, {
        lease_token: lease!.lease_token,
        status: "succeeded",
        output: { phase: name },
        output_manifest: { artifact: artifact.sha256 },
      });
      await buffer.close();
    }

    const done = await operator.runs.get(run.run_id);
    expect(done.status).toBe("succeeded");
    expect(done.output_manifest).not.toBeNull();

    const seen: string[] = [];
    let lastSeq = 0;
    for await (const event of operator.events.iterate(run.run_id, {
      follow: true,
      waitMs: 1_000,
    })) {
      expect(event.seq).toBe(lastSeq + 1);
      lastSeq = event.seq;
      seen.push(event.type);
    }
    expect(seen[0]).toBe("RUN_CREATED");
    expect(seen.at(-1)).toBe("RUN_SUCCEEDED");
    expect(seen.filter((t) => t === "LOG")).toHaveLength(2);
    expect(seen.filter((t) => t === "ARTIFACT_REGISTERED")).toHaveLength(2);
  });

  it("claims and completes in batches, events first, a lost lease as the single complete's error", async () => {
    // A tenant of its own: a claim across runs must not take the other tests' phases.
    const client = async (role: "operator" | "executor") =>
      new ControlRoomClient({
        baseUrl: plane.url,
        token: await plane.issueToken({ tenant_id: "batching", role }),
        retry: { maxAttempts: 2, initialDelayMs: 10 },
      });
    const [ops, worker] = [await client("operator"), await client("executor")];
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await ops.runs.create(createBody("batch")));
    const leases = await worker.claims.claimBatch({
      executor_id: "batcher",
      capabilities: [],
      environments: ["dev"],
      max_leases: 2,
      start: true,
    });
    expect(leases.map((lease) => [lease.run_id, lease.phase, lease.started])).toEqual([
      [runs[0]!.run_id, "ingest", true],
      [runs[1]!.run_id, "ingest", true],
    ]);
    const buffers = leases.map((lease) => {
      const buffer = worker.events.buffer(lease.run_id, { flushIntervalMs: 60_000 });
      buffer.push({ type: "LOG", phase: lease.phase, message: "rows loaded" });
      return buffer;
    });

    const results = await worker.leases.completeBatch([
      { run_id: leases[0]!.run_id, lease_token: leases[0]!.lease_token, status: "succeeded" },
      { run_id: leases[1]!.run_id, lease_token: "not-the-token", status: "succeeded" },
    ]);
    expect(results[0]).toMatchObject({
      outcome: "completed",
      phase: "ingest",
      run_status: "running",
    });
    const rejected = results[1]!;
    if (rejected.outcome !== "rejected") throw new Error("expected the bogus token to be rejected");
    const batchError = completionError(rejected);
    const singleError = await worker.leases
      .complete(leases[1]!.run_id, { lease_token: "not-the-token", status: "succeeded" })
      .catch((e: unknown) => e);
    expect(batchError).toBeInstanceOf(LeaseLostError);
    expect(singleError).toBeInstanceOf(LeaseLostError);
    expect(batchError.problem).toEqual((singleError as LeaseLostError).problem);

    // Both runs' buffered events went out before the batch: the completed phase's LOG
    // precedes its PHASE_SUCCEEDED, and the rejected one's was sent all the same.
    const trail = async (runId: string) =>
      (await ops.events.list(runId)).items.map((event) => event.type);
    const completedTrail = await trail(leases[0]!.run_id);
    expect(completedTrail.slice(-2)).toEqual(["LOG", "PHASE_SUCCEEDED"]);
    expect(await trail(leases[1]!.run_id)).toContain("LOG");
    expect(buffers.map((buffer) => buffer.pendingCount)).toEqual([0, 0]);
    await Promise.all(buffers.map((buffer) => buffer.close()));
  });

  it("completes and claims the next phase in one request, events first; a repeat returns the same lease", async () => {
    const client = async (role: "operator" | "executor") =>
      new ControlRoomClient({
        baseUrl: plane.url,
        token: await plane.issueToken({ tenant_id: "complete-and-claim", role }),
        retry: { maxAttempts: 2, initialDelayMs: 10 },
      });
    const [ops, worker] = [await client("operator"), await client("executor")];
    const run = await ops.runs.create(createBody("complete-and-claim"));
    const claim = { executor_id: "eager", capabilities: [], environments: ["dev" as const] };
    const [ingest] = await worker.claims.claimBatch({ ...claim, max_leases: 1, start: true });
    expect(ingest?.phase).toBe("ingest");
    const buffer = worker.events.buffer(run.run_id, { flushIntervalMs: 60_000 });
    buffer.push({ type: "LOG", phase: "ingest", message: "rows loaded" });

    const completions = [
      { run_id: run.run_id, lease_token: ingest!.lease_token, status: "succeeded" as const },
    ];
    const next = { ...claim, max_leases: 3, start: true, request_id: crypto.randomUUID() };
    const answer = await worker.leases.completeAndClaim(completions, next);
    expect(answer.results).toMatchObject([{ outcome: "completed", phase: "ingest" }]);
    // publish depended on ingest: the same request made it runnable and leased it.
    expect(answer.leases?.map((lease) => [lease.run_id, lease.phase, lease.started])).toEqual([
      [run.run_id, "publish", true],
    ]);
    expect(await worker.leases.completeAndClaim(completions, next)).toEqual(answer);
    expect((await ops.events.list(run.run_id)).items.map((event) => event.type)).toEqual([
      "RUN_CREATED",
      "RUN_STARTED",
      "PHASE_CLAIMED",
      "PHASE_STARTED",
      "LOG",
      "PHASE_SUCCEEDED",
      "PHASE_CLAIMED",
      "PHASE_STARTED",
    ]);
    await buffer.close();
  });

  it("creates idempotently and refuses a reused key with another body", async () => {
    const first = await operator.runs.create(createBody("idem"), { idempotencyKey: "idem-key" });
    const again = await operator.runs.create(createBody("idem"), { idempotencyKey: "idem-key" });
    expect(again.run_id).toBe(first.run_id);
    await expect(
      operator.runs.create(createBody("idem-other"), { idempotencyKey: "idem-key" }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it("returns the same lease for a repeated request_id and rejects a stale token", async () => {
    const run = await operator.runs.create(createBody("lease"));
    const requestId = "0190b7a4-8f1e-7c3a-9d2b-00000000abcd";
    const body = { executor_id: "w", capabilities: [], request_id: requestId };
    const a = await executor.claims.claimRun(run.run_id, body);
    const b = await executor.claims.claimRun(run.run_id, body);
    expect(b?.lease_token).toBe(a?.lease_token);
    await expect(
      executor.leases.heartbeat(run.run_id, { lease_token: "not-the-token" }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(
      await executor.claims.claimRun(run.run_id, { executor_id: "w2", capabilities: [] }),
    ).toBeNull();
  });

  it("claims across runs with a long-poll that returns when work appears", async () => {
    const claim = executor.claims.claim({
      executor_id: "poller",
      capabilities: [],
      environments: ["stage"],
      wait_ms: 10_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    const run = await operator.runs.create({ ...createBody("poll"), environment: "stage" });
    const lease = await claim;
    expect(lease?.run_id).toBe(run.run_id);
    expect(
      await executor.claims.claim({
        executor_id: "poller",
        capabilities: [],
        environments: ["prod"],
        wait_ms: 200,
      }),
    ).toBeNull();
  });

  it("lists, pages and cancels runs", async () => {
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await operator.runs.create(createBody("paging")));
    const page = await operator.runs.list({ spec_slug: "paging", limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.next_cursor).not.toBeNull();
    const all = [];
    for await (const run of operator.runs.iterate({ spec_slug: "paging", limit: 2 }))
      all.push(run.run_id);
    expect(all.sort()).toEqual(created.map((r) => r.run_id).sort());
    const cancelled = await operator.runs.cancel(created[0]!.run_id, { reason: "test" });
    expect(cancelled.status).toBe("cancelled");
  });

  it("registers an artifact once, appends events idempotently, and maps errors to classes", async () => {
    const run = await operator.runs.create(createBody("errors"));
    const event = {
      event_id: "0190b7a4-8f1e-7c3a-9d2b-0000000000e1",
      type: "LOG",
      message: "once",
    };
    expect(await executor.events.append(run.run_id, [event])).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await executor.events.append(run.run_id, [event])).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    const page = await operator.events.list(run.run_id, { after_seq: 0 });
    expect(page.items.filter((e) => e.event_id === event.event_id)).toHaveLength(1);

    const sha = "b".repeat(64);
    const registered = await executor.artifacts.register({
      sha256: sha,
      size_bytes: 3,
      media_type: "text/plain",
      uri: "file:///tmp/x",
    });
    expect((await operator.artifacts.get(sha)).sha256).toBe(registered.sha256);

    await expect(operator.runs.get("0190b7a4-8f1e-7c3a-9d2b-ffffffffffff")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(operator.runs.create({ ...createBody(), git_sha: "XYZ" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const viewer = new ControlRoomClient({
      baseUrl: plane.url,
      token: await plane.issueToken({ tenant_id: "acme", role: "viewer" }),
    });
    await expect(viewer.runs.create(createBody())).rejects.toBeInstanceOf(ForbiddenError);
    const otherTenant = new ControlRoomClient({
      baseUrl: plane.url,
      token: await plane.issueToken({ tenant_id: "globex", role: "operator" }),
    });
    await expect(otherTenant.runs.get(run.run_id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("stores a streamed artifact, links it, and refuses the same sha with another size", async () => {
    const run = await operator.runs.create(createBody("stream"));
    const lines = Array.from({ length: 2_000 }, (_, i) => `${i},row ${i}\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const line of lines) controller.enqueue(new TextEncoder().encode(line));
        controller.close();
      },
    });
    const artifact = await executor.artifacts.put({
      data: stream,
      mediaType: "text/csv",
      storage: localArtifactStorage(tempDir),
      link: { run_id: run.run_id, phase: "ingest", name: "rows.csv" },
      metadata: { rows: lines.length },
    });
    expect(artifact.size_bytes).toBe(Buffer.byteLength(lines.join("")));
    expect(await readFile(fileURLToPath(artifact.uri), "utf8")).toBe(lines.join(""));
    const fetched = await operator.artifacts.get(artifact.sha256);
    expect(fetched.links).toEqual([
      expect.objectContaining({ run_id: run.run_id, phase: "ingest", name: "rows.csv" }),
    ]);
    expect(fetched.metadata).toEqual({ rows: lines.length });
    await expect(
      executor.artifacts.register({
        sha256: artifact.sha256,
        size_bytes: artifact.size_bytes + 1,
        media_type: "text/csv",
        uri: artifact.uri,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("fails a run whose only attempt failed, skips its dependants, and tails to RUN_FAILED", async () => {
    const run = await operator.runs.create({
      ...createBody("failing"),
      phases: [
        { name: "ingest", kind: "ingest", retry: { max_attempts: 1 } },
        { name: "publish", kind: "publish" },
      ],
    });
    const lease = await executor.claims.claimRun(run.run_id, {
      executor_id: "w",
      capabilities: [],
    });
    const body = {
      lease_token: lease!.lease_token,
      status: "failed" as const,
      error: { message: "source unreachable", code: "E_SOURCE", retryable: false },
    };
    const failed = await executor.leases.complete(run.run_id, body);
    expect(failed.status).toBe("failed");
    expect(failed.phases.map((p) => p.status)).toEqual(["failed", "skipped"]);
    // A repeat of an accepted complete has no second effect.
    expect((await executor.leases.complete(run.run_id, body)).status).toBe("failed");
    const types: string[] = [];
    for await (const event of operator.events.iterate(run.run_id, { follow: true, waitMs: 500 }))
      types.push(event.type);
    expect(types.at(-1)).toBe("RUN_FAILED");
    expect(types.filter((t) => t === "RUN_FAILED")).toHaveLength(1);
  });

  it("stops following a run that ended before afterSeq", async () => {
    const run = await operator.runs.create(createBody("ended"));
    await operator.runs.cancel(run.run_id, { reason: "not needed" });
    const all = [];
    for await (const event of operator.events.iterate(run.run_id)) all.push(event);
    expect(all.at(-1)?.type).toBe("RUN_CANCELLED");
    const started = Date.now();
    const later = [];
    for await (const event of operator.events.iterate(run.run_id, {
      afterSeq: all.at(-1)!.seq,
      follow: true,
      waitMs: 300,
    }))
      later.push(event);
    expect(later).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("tells a running phase it was cancelled and fences a replaced lease", async () => {
    const run = await operator.runs.create(createBody("cancel-running"));
    const lease = await executor.claims.claimRun(run.run_id, {
      executor_id: "w",
      capabilities: [],
    });
    const cancelled = await operator.runs.cancel(run.run_id, { reason: "operator" });
    expect(cancelled.phases[1]?.status).toBe("cancelled");
    const beat = await executor.leases.heartbeat(run.run_id, { lease_token: lease!.lease_token });
    expect(beat.cancel_requested).toBe(true);
    await expect(
      executor.leases.complete(run.run_id, { lease_token: "stale-token", status: "succeeded" }),
    ).rejects.toBeInstanceOf(LeaseLostError);
  });

  it("names the request in errors with the id the server logged", async () => {
    const error = (await operator.runs
      .get("0190b7a4-8f1e-7c3a-9d2b-eeeeeeeeeeee")
      .catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}\.1$/);
    expect(error.problem?.code).toBe("not_found");
  });

  it("abandons a long-poll claim when its signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("worker stopping");
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    await expect(
      executor.claims.claim(
        {
          executor_id: "idle",
          capabilities: ["nothing-needs-this"],
          environments: ["prod"],
          wait_ms: 20_000,
        },
        { signal: controller.signal },
      ),
    ).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
