/**
 * Where an artifact's bytes live in an object store: `artifacts/sha256/ab/cd/<sha>`.
 * Two levels of fan-out keep directories small on file systems; the layout is shared
 * with every other writer (ARCHITECTURE.md), so the same bytes land on the same key.
 */
export function artifactKey(sha256: string): string {
  return `artifacts/sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
