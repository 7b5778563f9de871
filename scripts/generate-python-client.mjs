// Generates the Python client of the control plane from the contract's OpenAPI
// document with openapi-python-client (pinned in scripts/ci/install-python-packages.sh):
//
//   node scripts/generate-python-client.mjs [OUT_DIR]    (default: clients/python)
//
// `pnpm generate:clients` runs it after regenerating the contract's committed files.
// The output is not committed (clients/python/ is ignored): it is made again from the
// committed openapi.json whenever needed, e.g. by the Python client test. Exits 3 with
// a message when python3 or the generator is missing.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const python = process.env.PYTHON ?? "python3";
const out = resolve(process.cwd(), process.argv[2] ?? resolve(root, "clients/python"));

const probe = spawnSync(
  python,
  ["-c", "import importlib.metadata as m; print(m.version('openapi-python-client'))"],
  { encoding: "utf8" },
);
if (probe.status !== 0) {
  console.error(
    `openapi-python-client is not available to ${python}: run bash scripts/ci/install-python-packages.sh`,
  );
  process.exit(3);
}
const version = probe.stdout.trim();
const pinned = /OPENAPI_PYTHON_CLIENT_VERSION=([\w.]+)/.exec(
  readFileSync(resolve(root, "scripts/ci/install-python-packages.sh"), "utf8"),
)?.[1];
if (pinned !== undefined && version !== pinned) {
  console.warn(
    `warning: openapi-python-client ${version} is installed, ${pinned} is pinned (bash scripts/ci/install-python-packages.sh installs it)`,
  );
}

execFileSync(
  python,
  [
    "-m",
    "openapi_python_client",
    "generate",
    "--path",
    resolve(root, "packages/contract/openapi.json"),
    "--config",
    resolve(root, "clients/openapi-python-client.yaml"),
    "--output-path",
    out,
    "--meta",
    "setup",
    "--overwrite",
    "--fail-on-warning",
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
console.log(`wrote the Python client (openapi-python-client ${version}) to ${out}`);
