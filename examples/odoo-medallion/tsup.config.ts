import { copyFile } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // The Odoo schema is read at run time next to the module that loads it.
  onSuccess: async () => {
    await copyFile("src/odoo/schema.sql", "dist/schema.sql");
  },
});
