import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { claimBody, claimsFor, phase, runBody } from "./fixtures.js";
import { databaseUrl } from "./store-harness.js";

const serverUrl = inject("controlroomPostgresUrl");

/**
 * Supabase and most managed Postgres give the schema owner no superuser, so FORCE ROW
 * LEVEL SECURITY and the owner policies are what apply there. This runs the store as
 * such an owner.
 */
describe.skipIf(serverUrl === null)("a non-superuser owner (as on Supabase)", () => {
  const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
  const role = `cr_owner_${suffix}`;
  const name = `cr_own_${suffix}`;
  let admin: postgres.Sql;
  let url: string;

  beforeAll(async () => {
    admin = postgres(serverUrl ?? "", { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create role ${role} login nosuperuser createrole`);
    await admin.unsafe(`create database ${name} owner ${role}`);
    const own = new URL(databaseUrl(serverUrl ?? "", name));
    own.username = role;
    url = own.toString();
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`drop role if exists ${role}`);
    await admin.end();
  });

  it("migrates, runs the state machine, reaps across tenants and keeps tenants apart", async () => {
    const store = await openPostgresStore({ url, max: 4 });
    const owner = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      const a = claimsFor("admin");
      const b = claimsFor("admin");
      const { run } = await store.createRun(a, runBody([phase("x"), phase("y")]), undefined);
      await store.createRun(b, runBody([phase("z")]), undefined);
      const lease = await store.claimRun(a, run.run_id, claimBody());
      expect(lease?.phase).toBe("x");
      await owner.unsafe(
        "update ops.phases set lease_expires_at = now() - interval '1 second' where run_id = $1 and status = 'claimed'",
        [run.run_id],
      );
      expect(await store.expireLeases()).toBe(1);
      const metrics = await store.metrics();
      expect(metrics.runsByStatus).toEqual({ running: 1, queued: 1 });
      expect(metrics.leaseExpirationsTotal).toBe(1);
      await expect(store.getRun(b, run.run_id)).rejects.toMatchObject({ code: "not_found" });
      // The owner with a caller's claims but no SET ROLE still stays in that tenant.
      const seen = await owner.begin(async (tx) => {
        await tx.unsafe("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(b)]);
        return tx.unsafe("select run_id from ops.runs");
      });
      expect(seen).toHaveLength(1);
      const all = await owner.unsafe("select run_id from ops.runs");
      expect(all).toHaveLength(2);
    } finally {
      await owner.end();
      await store.close();
    }
  });
});
