import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const shim = fileURLToPath(new URL("./src/app/node-builtins-shim.ts", import.meta.url));
// `pnpm --filter @controlroom/web dev` serves the app with hot reload and passes the API
// through to a running `controlroom serve`, so the browser still sees one origin.
const api = process.env.CONTROLROOM_URL ?? "http://127.0.0.1:7400";

export default defineConfig({
  // Workspace packages resolve to their source, as in tests: no SDK build needed first.
  resolve: {
    conditions: ["@controlroom/source", "browser", "module", "import", "default"],
    alias: [{ find: /^node:(?:crypto|fs|fs\/promises|http|https|path|url)$/, replacement: shim }],
  },
  server: {
    proxy: Object.fromEntries(
      ["/ops", "/ui/api", "/metrics", "/healthz", "/openapi.json"].map((path) => [path, api]),
    ),
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    // Served by `controlroom serve` on loopback or a LAN: one request per chunk is cheap,
    // and a single bundle keeps the content-security policy simple.
    chunkSizeWarningLimit: 1024,
  },
});
