import { defineConfig } from "tsup";

// Only the Node entry (where the built app lives). The app itself is built by Vite into
// dist/app, so this build must not clean dist.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: false,
  sourcemap: true,
  target: "node20",
});
