// The control plane as its own process, on Postgres, for the chaos test. Environment:
// CHAOS_DATABASE_URL, CONTROLROOM_JWT_SECRET, optional CHAOS_PORT (default: any free).
// Prints one JSON line `{ "listening": "<url>" }` on stdout once it serves.
import { startControlPlane } from "@controlroom/control-plane";
import { exitWithParent } from "./exit-with-parent.js";
import { requiredEnv } from "./required-env.js";

exitWithParent();

const cp = await startControlPlane({
  databaseUrl: requiredEnv("CHAOS_DATABASE_URL"),
  jwtSecret: requiredEnv("CONTROLROOM_JWT_SECRET"),
  port: Number(process.env.CHAOS_PORT ?? 0),
  // Expire killed workers' leases and pick up elapsed retry backoffs promptly.
  reaperIntervalMs: 250,
  longPollIntervalMs: 250,
});
process.stdout.write(`${JSON.stringify({ listening: cp.url })}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void cp.close().then(() => process.exit(0));
  });
}
