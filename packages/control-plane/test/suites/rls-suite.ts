import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectCode } from "../expect-error.js";
import { asRole, claimBody, claimsFor, phase, runBody } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

const OPS_TABLES = [
  "runs",
  "phases",
  "phase_attempts",
  "run_events",
  "artifacts",
  "run_artifacts",
  "idempotency_keys",
  "connections",
  "secrets_refs",
] as const;

/** Row-level security: tenants are isolated in the database itself. */
export function rlsSuite(ctx: SuiteContext): void {
  /** Tenant A with a run, a lease, events, an artifact link, a connection and a secret ref. */
  async function tenantWithData() {
    const a = claimsFor("admin");
    const { run } = await ctx.h.store.createRun(a, runBody([phase("a"), phase("b")]), randomUUID());
    const lease = await ctx.h.store.claimRun(a, run.run_id, claimBody());
    await ctx.h.store.appendEvents(a, run.run_id, [
      { event_id: randomUUID(), type: "LOG", ts: new Date().toISOString(), message: "secret-ish" },
    ]);
    const sha = "d".repeat(64);
    await ctx.h.store.registerArtifact(a, {
      sha256: sha,
      size_bytes: 1,
      media_type: "text/plain",
      uri: "file:///x",
      link: { run_id: run.run_id, phase: "a", name: "x.txt" },
    });
    await ctx.h.owner(
      `insert into ops.connections (tenant_id, name, kind, config) values ($1, 'odoo', 'postgres', '{"host":"db"}');
       `.trim(),
      [a.tenant_id],
    );
    await ctx.h.owner(
      "insert into ops.secrets_refs (tenant_id, name, provider, reference) values ($1, 'odoo-password', 'env', 'ODOO_PASSWORD')",
      [a.tenant_id],
    );
    return { a, run, lease, sha };
  }

  describe("row-level security", () => {
    it("shows tenant B none of tenant A's runs, events or artifacts through the store", async () => {
      const { a, run, lease, sha } = await tenantWithData();
      const b = claimsFor("admin");
      await expectCode(ctx.h.store.getRun(b, run.run_id), "not_found");
      expect((await ctx.h.store.listRuns(b, { limit: 200 })).items).toEqual([]);
      await expectCode(ctx.h.store.listEvents(b, run.run_id, 0, 100), "not_found");
      await expectCode(ctx.h.store.getArtifact(b, sha), "not_found");
      await expectCode(
        ctx.h.store.appendEvents(b, run.run_id, [
          { event_id: randomUUID(), type: "LOG", ts: new Date().toISOString() },
        ]),
        "not_found",
      );
      await expectCode(ctx.h.store.cancel(b, run.run_id, undefined), "not_found");
      await expectCode(ctx.h.store.claimRun(b, run.run_id, claimBody()), "not_found");
      await expectCode(
        ctx.h.store.heartbeat(b, run.run_id, { lease_token: lease?.lease_token ?? "" }),
        "not_found",
      );
      expect(
        await ctx.h.store.claim(b, { ...claimBody(), environments: ["dev", "stage", "prod"] }),
      ).toBeUndefined();
      // B's own artifact with A's sha is B's alone; A's links stay invisible to B.
      const own = await ctx.h.store.registerArtifact(b, {
        sha256: sha,
        size_bytes: 999,
        media_type: "text/plain",
        uri: "file:///y",
      });
      expect(own.created).toBe(true);
      expect(own.artifact.links).toEqual([]);
      // A still sees everything of its own.
      expect((await ctx.h.store.getRun(a, run.run_id)).run_id).toBe(run.run_id);
    });

    it("shows tenant B nothing through direct SQL as `authenticated`, and refuses writes into A", async () => {
      const { a, run } = await tenantWithData();
      const b = claimsFor("admin");
      for (const table of OPS_TABLES) {
        const asB = await ctx.h.asCaller<{ n: number }>(
          b,
          `select count(*)::int as n from ops.${table}`,
        );
        expect(asB[0]?.n, `${table} as B`).toBe(0);
        const asA = await ctx.h.asCaller<{ n: number }>(
          asRole(a, "viewer"),
          `select count(*)::int as n from ops.${table}`,
        );
        expect(asA[0]?.n, `${table} as A`).toBeGreaterThan(0);
      }
      const updated = await ctx.h.asCaller(
        b,
        "update ops.runs set status = 'cancelled' where run_id = $1 returning run_id",
        [run.run_id],
      );
      expect(updated).toEqual([]);
      await expect(
        ctx.h.asCaller(
          b,
          "insert into ops.runs (tenant_id, spec_slug, git_sha, environment) values ($1, 's', $2, 'dev')",
          [a.tenant_id, "0".repeat(40)],
        ),
      ).rejects.toThrow(/row-level security/);
      // A viewer cannot write even into its own tenant; no claims at all sees nothing.
      await expect(
        ctx.h.asCaller(
          asRole(a, "viewer"),
          "insert into ops.runs (tenant_id, spec_slug, git_sha, environment) values ($1, 's', $2, 'dev')",
          [a.tenant_id, "0".repeat(40)],
        ),
      ).rejects.toThrow(/row-level security/);
      await expect(ctx.h.asCaller(asRole(a, "viewer"), "delete from ops.runs")).rejects.toThrow(
        /permission denied/,
      );
      const rows = await ctx.h.asCaller<{ n: number }>(
        { sub: "x", tenant_id: "", role: "admin" },
        "select count(*)::int as n from ops.runs",
      );
      expect(rows[0]?.n).toBe(0);
    });
  });
}
