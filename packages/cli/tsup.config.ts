import { defineConfig } from "tsup";

export default defineConfig({
  // bin.ts keeps its shebang; tsup marks the output executable.
  entry: ["src/index.ts", "src/bin.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
