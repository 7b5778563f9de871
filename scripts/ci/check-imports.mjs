// Imports every built package by name from a package that depends on it (the CLI),
// the way a user's code would: through node_modules and the `exports` map, without
// the source condition. Fails when a package does not load or exports nothing.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const fromCli = createRequire(new URL("../../packages/cli/package.json", import.meta.url));
const packages = [
  "@controlroom/contract",
  "@controlroom/control-plane",
  "@controlroom/sdk",
  "@controlroom/executor-kit",
  "@controlroom/executor-kit/medallion",
  "@controlroom/adapters/local",
  "@controlroom/adapters/delta",
  "@controlroom/adapters/iceberg",
  "@controlroom/adapters/duckdb",
  "@controlroom/adapters/s3",
  "@controlroom/adapters/postgres",
  "@controlroom/adapters/trino",
  "@controlroom/odoo-medallion",
  "@controlroom/web",
];
let failed = false;
for (const name of packages) {
  try {
    const entry = fromCli.resolve(name);
    const module = await import(pathToFileURL(entry).href);
    const exports = Object.keys(module);
    console.log(`${name}: ${exports.length} exports (${exports.slice(0, 6).join(", ")}, …)`);
    if (exports.length === 0) failed = true;
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
