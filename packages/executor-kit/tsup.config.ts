import { defineConfig } from "tsup";

export default defineConfig({
  // The main entry never loads the testing harness (nor its optional peers).
  entry: {
    index: "src/index.ts",
    "medallion/index": "src/medallion/index.ts",
    "testing/index": "src/testing/index.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Optional peers stay imports, resolved (or not) in the user's project.
  external: ["@controlroom/control-plane", "vitest"],
});
