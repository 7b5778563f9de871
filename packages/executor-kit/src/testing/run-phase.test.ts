import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineExecutor } from "../definition/define-executor.js";
import { phase } from "../definition/phase.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import { RetryAfterError } from "../errors/retry-after-error.js";
import { runPhase } from "./run-phase.js";

const executor = defineExecutor({
  id: "unit",
  version: "1.0.0",
  phases: {
    sum: phase({
      input: z.object({ numbers: z.array(z.number()) }),
      output: z.object({ total: z.number() }),
      run(ctx) {
        ctx.log.info("summing", { count: ctx.params.numbers.length });
        ctx.progress(0.5, "halfway");
        return { total: ctx.params.numbers.reduce((a, b) => a + b, 0) };
      },
    }),
    untyped: phase({
      run: (ctx) => ({ seen: ctx.params, upstream: ctx.upstream, attempt: ctx.attempt }),
    }),
    nothing: phase({ run: () => undefined }),
    bad_output: phase({
      output: z.object({ total: z.number() }),
      // The cast stands for a phase whose runtime output drifted from its schema.
      run: () => ({ total: "many" }) as unknown as { total: number },
    }),
    fatal: phase({
      run() {
        throw new NonRetryableError("table orders does not exist");
      },
    }),
    later: phase({
      run() {
        throw new RetryAfterError("source still loading", 1_500);
      },
    }),
    flaky: phase({
      run() {
        throw new TypeError("x is undefined");
      },
    }),
    hang: phase({
      timeoutMs: 50,
      run: (ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
    }),
    ignore_signal: phase({ timeoutMs: 50, run: () => new Promise(() => {}) }),
    secret: phase({
      async run(ctx) {
        const password = await ctx.secrets.get("DB_PASSWORD");
        ctx.log.warn(`connecting with ${password}`, {
          password,
          nested: { url: `pg://u:${password}@h` },
        });
        ctx.progress(0.1, `using ${password}`);
        throw new Error(`login failed for password ${password}`);
      },
    }),
    missing_secret: phase({ run: async (ctx) => ({ value: await ctx.secrets.get("NOPE") }) }),
    artifacts: phase({
      async run(ctx) {
        const report = await ctx.artifacts.put("report.json", '{"ok":true}', "application/json");
        await ctx.artifacts.put("debug.txt", "dump", "text/plain", { excludeFromManifest: true });
        ctx.manifest.declare("bronze.orders", {
          kind: "delta-table",
          sha256: "a".repeat(64),
          version: 3,
        });
        return { report: report.sha256 };
      },
    }),
    emits: phase({
      async run(ctx) {
        const token = await ctx.secrets.get("DB_PASSWORD");
        ctx.emit("SOURCE_FRESHNESS", {
          level: "warn",
          message: `orders behind (${token})`,
          payload: { stream: "orders", lag_ms: 90_000n, url: `pg://u:${token}@h` },
        });
        ctx.emit("ROWS_SEEN");
        return {};
      },
    }),
    bad_event: phase({
      run(ctx) {
        ctx.emit("rows seen");
        return {};
      },
    }),
    chatty_progress: phase({
      run(ctx) {
        for (let i = 1; i <= 100; i++) ctx.progress(i / 100);
        return {};
      },
    }),
  },
});

describe("runPhase", () => {
  it("runs a typed phase and captures its output, logs and progress", async () => {
    const result = await runPhase(executor, "sum", { params: { numbers: [1, 2, 3] } });
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ total: 6 });
    expect(result.events.map((event) => event.type)).toEqual(["LOG", "PHASE_PROGRESS"]);
    expect(result.logs[0]).toMatchObject({
      level: "info",
      message: "summing",
      payload: { count: 3 },
    });
    expect(result.events[1]?.payload).toEqual({ fraction: 0.5, message: "halfway" });
  });

  it("emits the executor's own events, redacted, with their level and payload", async () => {
    const result = await runPhase(executor, "emits", { secrets: { DB_PASSWORD: "hunter2" } });
    expect(result.status).toBe("succeeded");
    expect(result.events).toEqual([
      expect.objectContaining({
        type: "SOURCE_FRESHNESS",
        level: "warn",
        message: "orders behind ([REDACTED])",
        payload: { stream: "orders", lag_ms: "90000", url: "pg://u:[REDACTED]@h" },
      }),
      expect.objectContaining({ type: "ROWS_SEEN", level: "info", message: "", payload: {} }),
    ]);
  });

  it("refuses an event type that is not UPPER_SNAKE_CASE", async () => {
    const result = await runPhase(executor, "bad_event");
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/event type "rows seen" must be UPPER_SNAKE_CASE/);
  });

  it("passes params, upstream outputs and attempt through", async () => {
    const result = await runPhase(executor, "untyped", {
      params: { a: 1 },
      upstream: { extract: { rows: 3 } },
      attempt: 2,
    });
    expect(result.output).toEqual({
      seen: { a: 1 },
      upstream: { extract: { rows: 3 } },
      attempt: 2,
    });
  });

  it("turns a phase that returns nothing into an empty output", async () => {
    const result = await runPhase(executor, "nothing");
    expect(result).toMatchObject({ status: "succeeded", output: {} });
  });

  it("fails invalid params without retry and says which field", async () => {
    // The cast stands for a run spec written by hand with wrong params.
    const result = await runPhase(executor, "sum", { params: { numbers: ["x"] } as never });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "invalid_params", retryable: false });
    expect(result.error?.message).toContain("numbers.0");
    expect(result.events).toEqual([]);
  });

  it("fails an unknown phase without retry, naming the phases it knows", async () => {
    const result = await runPhase(executor, "nope" as "sum");
    expect(result.error).toMatchObject({ code: "unknown_phase", retryable: false });
    expect(result.error?.message).toContain('no phase "nope"');
    expect(result.error?.message).toContain("sum");
  });

  it("fails output that does not match its schema", async () => {
    const result = await runPhase(executor, "bad_output");
    expect(result.error).toMatchObject({ code: "invalid_output", retryable: false });
    expect(result.error?.message).toContain("total");
  });

  it("maps NonRetryableError, RetryAfterError and plain errors", async () => {
    expect((await runPhase(executor, "fatal")).error).toEqual({
      message: "table orders does not exist",
      code: "non_retryable",
      retryable: false,
    });
    expect((await runPhase(executor, "later")).error).toEqual({
      message: "source still loading",
      code: "retry_after",
      retryable: true,
      retry_after_ms: 1_500,
    });
    expect((await runPhase(executor, "flaky")).error).toEqual({
      message: "TypeError: x is undefined",
      retryable: true,
    });
  });

  it("times out a hanging phase through its signal, retryable", async () => {
    const result = await runPhase(executor, "hang");
    expect(result.error).toMatchObject({ code: "timeout", retryable: true });
  });

  it("times out a phase that ignores its signal", async () => {
    const started = Date.now();
    const result = await runPhase(executor, "ignore_signal", { timeoutMs: 30 });
    expect(result.error).toMatchObject({ code: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("redacts a secret from every event, log and error", async () => {
    const secret = "hunter2-very-secret";
    const result = await runPhase(executor, "secret", { secrets: { DB_PASSWORD: secret } });
    expect(result.status).toBe("failed");
    const everything = JSON.stringify({ events: result.events, error: result.error });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
    expect(everything).toContain("[REDACTED]");
    expect(result.error?.message).toBe("login failed for password [REDACTED]");
  });

  it("fails without retry when a secret is missing", async () => {
    const result = await runPhase(executor, "missing_secret");
    expect(result.error).toMatchObject({ retryable: false });
    expect(result.error?.message).toContain('secret "NOPE" is not set');
  });

  it("stores artifacts by content hash and builds the output manifest", async () => {
    const result = await runPhase(executor, "artifacts");
    expect(result.status).toBe("succeeded");
    const report = result.artifacts.find((artifact) => artifact.name === "report.json");
    expect(report?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new TextDecoder().decode(report?.data)).toBe('{"ok":true}');
    expect(Object.keys(result.outputManifest)).toEqual(["bronze.orders", "report.json"]);
    expect(result.outputManifest["report.json"]).toMatchObject({
      kind: "artifact",
      sha256: report?.sha256,
      size_bytes: 11,
      media_type: "application/json",
    });
    const key = `artifacts/sha256/${report?.sha256.slice(0, 2)}/${report?.sha256.slice(2, 4)}/${report?.sha256}`;
    expect(await result.artifactStore.stat(key)).toMatchObject({ size: 11 });
  });

  it("rate-limits progress events but keeps the last report", async () => {
    const result = await runPhase(executor, "chatty_progress", { progressIntervalMs: 60_000 });
    const progress = result.events.filter((event) => event.type === "PHASE_PROGRESS");
    expect(progress.length).toBe(2);
    expect(progress.at(-1)?.payload).toEqual({ fraction: 1 });
  });

  it("reports cancelled when its signal aborts", async () => {
    const controller = new AbortController();
    const pending = runPhase(executor, "hang", { signal: controller.signal, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(), 20);
    expect((await pending).status).toBe("cancelled");
  });
});
