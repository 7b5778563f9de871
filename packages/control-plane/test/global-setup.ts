import type { TestProject } from "vitest/node";
import { startTestCluster } from "./postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test Postgres server; null when CONTROLROOM_SKIP_POSTGRES=1. */
    controlroomPostgresUrl: string | null;
  }
}

/**
 * vitest globalSetup: provides a Postgres 15 server URL to every test file. Uses
 * CONTROLROOM_TEST_DATABASE_URL when set; otherwise starts a throwaway cluster and
 * stops it at teardown. Fails loudly when Postgres is missing, unless
 * CONTROLROOM_SKIP_POSTGRES=1 asks to skip the Postgres suites.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CONTROLROOM_SKIP_POSTGRES === "1") {
    project.provide("controlroomPostgresUrl", null);
    return undefined;
  }
  const given = process.env.CONTROLROOM_TEST_DATABASE_URL;
  if (given) {
    project.provide("controlroomPostgresUrl", given);
    return undefined;
  }
  const cluster = await startTestCluster();
  project.provide("controlroomPostgresUrl", cluster.url);
  return () => cluster.stop();
}
