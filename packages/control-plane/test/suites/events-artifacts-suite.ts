import { randomUUID } from "node:crypto";
import { ArtifactSchema, EventSchema } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { expectCode } from "../expect-error.js";
import { asRole, claimBody, claimsFor, phase, runBody, trail } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

const SHA = "a".repeat(64);

/** Executor events and artifacts. */
export function eventsArtifactsSuite(ctx: SuiteContext): void {
  async function newRun() {
    const ex = claimsFor("executor");
    const { run } = await ctx.h.store.createRun(
      asRole(ex, "operator"),
      runBody([phase("a")]),
      undefined,
    );
    return { ex, run };
  }

  function event(type = "LOG", id = randomUUID()) {
    return {
      event_id: id,
      type,
      ts: "2026-01-31T12:00:00.123+01:00",
      phase: "a",
      payload: { n: 1 },
    };
  }

  describe("events", () => {
    it("stores each event_id once with gap-free seqs and never changes phase state", async () => {
      const { ex, run } = await newRun();
      const repeated = event("PHASE_PROGRESS");
      const first = await ctx.h.store.appendEvents(ex, run.run_id, [
        event(),
        repeated,
        repeated,
        event(),
      ]);
      expect(first).toEqual({ accepted: 3, duplicates: 1 });
      const second = await ctx.h.store.appendEvents(ex, run.run_id, [repeated, event()]);
      expect(second).toEqual({ accepted: 1, duplicates: 1 });
      const list = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(list.items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(list.next_seq).toBe(5);
      for (const item of list.items) EventSchema.parse(item);
      const stored = list.items.find((e) => e.event_id === repeated.event_id);
      expect(stored?.ts).toBe("2026-01-31T11:00:00.123Z");
      expect(stored?.level).toBe("info");
      expect(stored?.message).toBe("");
      const run2 = await ctx.h.store.getRun(ex, run.run_id);
      expect(run2.phases[0]?.status).toBe("runnable");
      expect(run2.status).toBe("queued");
      // Paging: after_seq is exclusive; next_seq stays put when nothing came.
      const page = await ctx.h.store.listEvents(ex, run.run_id, 2, 2);
      expect(page.items.map((e) => e.seq)).toEqual([3, 4]);
      expect(page.next_seq).toBe(4);
      const empty = await ctx.h.store.listEvents(ex, run.run_id, 5, 10);
      expect(empty).toEqual({ items: [], next_seq: 5 });
      await expectCode(ctx.h.store.appendEvents(ex, randomUUID(), [event()]), "not_found");
      await expectCode(
        ctx.h.store.appendEvents(asRole(ex, "viewer"), run.run_id, [event()]),
        "forbidden",
      );
    });

    it("keeps seqs gap-free under concurrent appends and server events", async () => {
      const { ex, run } = await newRun();
      const lease = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      const id = randomUUID();
      await Promise.all([
        ...Array.from({ length: 10 }, () =>
          ctx.h.store.appendEvents(ex, run.run_id, [event(), event("LOG", id), event()]),
        ),
        ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease?.lease_token ?? "" }),
      ]);
      const list = await ctx.h.store.listEvents(ex, run.run_id, 0, 1000);
      // RUN_CREATED, RUN_STARTED, PHASE_CLAIMED, PHASE_STARTED + 20 fresh + 1 shared id.
      expect(list.items).toHaveLength(4 + 21);
      expect(list.items.map((e) => e.seq)).toEqual(list.items.map((_, i) => i + 1));
    });
  });

  describe("artifacts", () => {
    it("registers once, links with an event, and refuses another size for the same sha", async () => {
      const { ex, run } = await newRun();
      const body = {
        sha256: SHA,
        size_bytes: 42,
        media_type: "application/vnd.apache.parquet",
        uri: "file:///tmp/artifacts/sha256/aa/aa",
        metadata: { rows: 7 },
      };
      const first = await ctx.h.store.registerArtifact(ex, body);
      expect(first.created).toBe(true);
      expect(ArtifactSchema.parse(first.artifact).links).toEqual([]);
      const link = { run_id: run.run_id, phase: "a", name: "orders.parquet" };
      const linked = await ctx.h.store.registerArtifact(ex, { ...body, link });
      expect(linked.created).toBe(false);
      expect(linked.artifact.links).toMatchObject([
        { run_id: run.run_id, phase: "a", name: "orders.parquet" },
      ]);
      await ctx.h.store.registerArtifact(ex, { ...body, link });
      await expectCode(ctx.h.store.registerArtifact(ex, { ...body, size_bytes: 43 }), "conflict");
      await expectCode(
        ctx.h.store.registerArtifact(ex, { ...body, sha256: "b".repeat(64), link }),
        "conflict",
      );
      await expectCode(
        ctx.h.store.registerArtifact(ex, { ...body, link: { ...link, run_id: randomUUID() } }),
        "not_found",
      );
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual(["RUN_CREATED", "ARTIFACT_REGISTERED:a"]);
      expect(events.items[1]?.payload).toMatchObject({ sha256: SHA, name: "orders.parquet" });
      const got = ArtifactSchema.parse(await ctx.h.store.getArtifact(asRole(ex, "viewer"), SHA));
      expect(got.metadata).toEqual({ rows: 7 });
      expect(got.links).toHaveLength(1);
      await expectCode(ctx.h.store.getArtifact(ex, "c".repeat(64)), "not_found");
      // The refused registration of sha "b…" rolled back with its link.
      expect((await ctx.h.store.metrics()).artifactsTotal).toBe(1);
    });
  });
}
