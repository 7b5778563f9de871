// What packages/control-plane/test/global-setup.ts provides (that file declares it for
// its own package; this package's type check does not see that declaration).
declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test Postgres server; null when CONTROLROOM_SKIP_POSTGRES=1. */
    controlroomPostgresUrl: string | null;
  }
}

export {};
