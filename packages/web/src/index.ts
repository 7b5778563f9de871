import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The directory holding the built web app (`index.html` and `assets/`), which
 * `controlroom serve` serves at `/`. Both this file's source (`src/index.ts`) and its
 * build (`dist/index.js`) sit one level below the package root, so the same relative
 * path finds the app whichever of the two runs.
 *
 * @example
 * ```ts
 * const root = webAssetsDirectory(); // "/…/node_modules/@controlroom/web/dist/app"
 * ```
 */
export function webAssetsDirectory(): string {
  return fileURLToPath(new URL("../dist/app/", import.meta.url));
}

/**
 * True when the app has been built (`pnpm --filter @controlroom/web build`). A checkout
 * runs the CLI from source, where the app exists only after that build; a published
 * package always ships it.
 *
 * @example
 * ```ts
 * if (!webAssetsBuilt()) console.warn("the web UI is not built");
 * ```
 */
export function webAssetsBuilt(): boolean {
  return existsSync(`${webAssetsDirectory()}index.html`);
}
