import { Sha256Schema } from "@controlroom/contract";
import type { ManifestEntry, OutputManifestBuilder } from "../context/phase-context.js";

/** The in-memory output manifest behind `ctx.manifest`. */
export class ManifestBuilder implements OutputManifestBuilder {
  readonly #entries = new Map<string, ManifestEntry>();

  declare(name: string, entry: ManifestEntry): void {
    if (typeof name !== "string" || name.length === 0 || name.length > 512) {
      throw new TypeError("ctx.manifest.declare(): name must be 1–512 characters");
    }
    // Checked here, where the phase can see the stack, rather than at complete.
    if (!Sha256Schema.safeParse(entry?.sha256).success) {
      throw new TypeError(
        `ctx.manifest.declare("${name}"): sha256 must be 64 lowercase hex characters`,
      );
    }
    this.#entries.set(name, JSON.parse(JSON.stringify(entry)) as ManifestEntry);
  }

  toJSON(): Record<string, ManifestEntry> {
    // Sorted by name so that the same outputs always give the same manifest bytes.
    const sorted = [...this.#entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(sorted);
  }
}
