#!/usr/bin/env bash
# Runs each example's `start` script against a real `controlroom serve`, the way the
# README tells a newcomer to, and fails when any example exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
examples=()
for dir in examples/*/; do
  [ -f "$dir/package.json" ] && grep -q '"start"' "$dir/package.json" && examples+=("$dir")
done
if [ ${#examples[@]} -eq 0 ]; then
  echo "no runnable examples yet"
  exit 0
fi
data_dir=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log="$data_dir/serve.log"
node packages/cli/dist/bin.js serve --port "$port" --data-dir "$data_dir/cp" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data_dir"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$log"; exit 1; }
export CONTROLROOM_URL="http://127.0.0.1:$port"
CONTROLROOM_TOKEN=$(node packages/cli/dist/bin.js token --tenant ci --role admin --data-dir "$data_dir/cp")
export CONTROLROOM_TOKEN
for dir in "${examples[@]}"; do
  echo "-- $dir"
  (cd "$dir" && pnpm start)
done
