import { RunSchema } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { asRole, claimBody, claimsFor, phase, runBody, trail } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

/** Dependencies: parallel branches, joins, and what a failure skips. */
export function dagSuite(ctx: SuiteContext): void {
  describe("dag", () => {
    it("promotes a join whose parents complete at the same moment, and ends each run once", async () => {
      const ex = claimsFor("executor");
      // Twenty runs, both parents of each completed concurrently: the second complete of
      // a run must see the first's success, or the join would never become runnable.
      const runs = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const { run } = await ctx.h.store.createRun(
            asRole(ex, "operator"),
            runBody([
              phase("left", { depends_on: [] }),
              phase("right", { depends_on: [] }),
              phase("join", { depends_on: ["left", "right"] }),
            ]),
            undefined,
          );
          const leases = await Promise.all([
            ctx.h.store.claimRun(ex, run.run_id, claimBody("w1")),
            ctx.h.store.claimRun(ex, run.run_id, claimBody("w2")),
          ]);
          return { run, leases };
        }),
      );
      await Promise.all(
        runs.flatMap(({ run, leases }) =>
          leases.map((lease) =>
            ctx.h.store.complete(ex, run.run_id, {
              lease_token: lease?.lease_token ?? "",
              status: "succeeded",
            }),
          ),
        ),
      );
      for (const { run } of runs) {
        const after = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
        expect(after.phases.map((p) => p.status)).toEqual(["succeeded", "succeeded", "runnable"]);
        const join = await ctx.h.store.claimRun(ex, run.run_id, claimBody("w3"));
        expect(join?.phase).toBe("join");
        const done = await ctx.h.store.complete(ex, run.run_id, {
          lease_token: join?.lease_token ?? "",
          status: "succeeded",
        });
        expect(done.status).toBe("succeeded");
        const events = (await ctx.h.store.listEvents(ex, run.run_id, 0, 100)).items;
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(trail(events).filter((t) => t === "RUN_SUCCEEDED")).toHaveLength(1);
        expect(trail(events).at(-2)).toBe("PHASE_SUCCEEDED:join");
        expect(trail(events).at(-1)).toBe("RUN_SUCCEEDED");
      }
    });

    it("runs independent phases at once and holds a join until all its parents succeed", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([
          phase("left", { depends_on: [] }),
          phase("right", { depends_on: [] }),
          phase("join", { depends_on: ["left", "right"] }),
        ]),
        undefined,
      );
      const [l1, l2] = await Promise.all([
        ctx.h.store.claimRun(ex, run.run_id, claimBody("w1")),
        ctx.h.store.claimRun(ex, run.run_id, claimBody("w2")),
      ]);
      expect(new Set([l1?.phase, l2?.phase])).toEqual(new Set(["left", "right"]));
      expect(await ctx.h.store.claimRun(ex, run.run_id, claimBody("w3"))).toBeUndefined();
      const byPhase = new Map([l1, l2].map((l) => [l?.phase, l]));
      const afterLeft = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: byPhase.get("left")?.lease_token ?? "",
        status: "succeeded",
        output: { side: "L" },
        output_manifest: { l: "sha256:l" },
      });
      expect(afterLeft.phases.find((p) => p.name === "join")?.status).toBe("pending");
      expect(await ctx.h.store.claimRun(ex, run.run_id, claimBody("w3"))).toBeUndefined();
      await ctx.h.store.complete(ex, run.run_id, {
        lease_token: byPhase.get("right")?.lease_token ?? "",
        status: "succeeded",
        output: { side: "R" },
        output_manifest: { r: "sha256:r" },
      });
      const join = await ctx.h.store.claimRun(ex, run.run_id, claimBody("w3"));
      expect(join?.phase).toBe("join");
      expect(join?.upstream_outputs).toEqual({ left: { side: "L" }, right: { side: "R" } });
      const done = RunSchema.parse(
        await ctx.h.store.complete(ex, run.run_id, {
          lease_token: join?.lease_token ?? "",
          status: "succeeded",
          output_manifest: { gold: "sha256:g" },
        }),
      );
      expect(done.status).toBe("succeeded");
      expect(done.output_manifest).toEqual({
        phases: { left: { l: "sha256:l" }, right: { r: "sha256:r" }, join: { gold: "sha256:g" } },
      });
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(events.items.map((e) => e.seq)).toEqual(events.items.map((_, i) => i + 1));
      const types = trail(events.items);
      expect(types[0]).toBe("RUN_CREATED");
      expect(types.at(-1)).toBe("RUN_SUCCEEDED");
      expect(types.indexOf("PHASE_CLAIMED:join")).toBeGreaterThan(
        Math.max(types.indexOf("PHASE_SUCCEEDED:left"), types.indexOf("PHASE_SUCCEEDED:right")),
      );
    });

    it("skips only the transitive dependants of a failed phase", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([
          phase("root", { depends_on: [] }),
          phase("mid", { depends_on: ["root"] }),
          phase("leaf", { depends_on: ["mid"] }),
          phase("other", { depends_on: [] }),
          phase("both", { depends_on: ["other", "leaf"] }),
        ]),
        undefined,
      );
      const root = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      expect(root?.phase).toBe("root");
      const after = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: root?.lease_token ?? "",
        status: "failed",
        error: { message: "boom", retryable: false },
      });
      expect(after.phases.map((p) => [p.name, p.status])).toEqual([
        ["root", "failed"],
        ["mid", "skipped"],
        ["leaf", "skipped"],
        ["other", "runnable"],
        ["both", "skipped"],
      ]);
      expect(after.status).toBe("running");
      const other = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      const final = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: other?.lease_token ?? "",
        status: "succeeded",
      });
      expect(final.status).toBe("failed");
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(events.items.at(-1)?.payload).toMatchObject({ failed_phases: ["root"] });
    });
  });
}
