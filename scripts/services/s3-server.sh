#!/usr/bin/env bash
# A real S3-compatible server for the tests: MinIO, built from its Go module and run
# as a plain process on 127.0.0.1 (no Docker here). We need a real server because the
# Delta commit protocol relies on conditional writes (`If-None-Match: *`), which MinIO
# honours and in-process fakes such as s3rver do not.
#
#   s3-server.sh install   build the pinned MinIO into the cache, once per machine
#   s3-server.sh path      print the binary's path; exit 1 when it is not installed
#   s3-server.sh start     start it (or reuse a running one) and print its env lines
#   s3-server.sh env       print the env lines of the running server
#   s3-server.sh selftest  two conditional puts of one key must give 200 then 412
#   s3-server.sh stop      stop it and delete its data
#
# Environment:
#   CONTROLROOM_CACHE_DIR     where binaries are kept     default ~/.cache/controlroom
#   CONTROLROOM_S3_STATE_DIR  pid, log, data and env file default $TMPDIR/controlroom-s3-$UID
set -euo pipefail

# A pseudo-version: MinIO's release tags are not semver, so the module proxy serves
# commits. This one is the last commit of the repository (February 2026).
MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

ACCESS_KEY_ID="controlroom"
SECRET_ACCESS_KEY="controlroom-test-secret"
REGION="us-east-1"
BUCKET="controlroom-test"

cache_dir="${CONTROLROOM_CACHE_DIR:-$HOME/.cache/controlroom}"
bin="$cache_dir/minio/$MINIO_VERSION/minio"
state_dir="${CONTROLROOM_S3_STATE_DIR:-${TMPDIR:-/tmp}/controlroom-s3-$(id -u)}"

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

install() {
  if [ -x "$bin" ]; then
    log "MinIO $MINIO_VERSION already installed at $bin"
    return
  fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build MinIO (go install $MINIO_MODULE@$MINIO_VERSION)"
  mkdir -p "$(dirname "$bin")"
  # Two CI jobs on one machine must not build into the same place at once.
  exec 9>"$cache_dir/minio.lock"
  flock 9
  if [ -x "$bin" ]; then
    log "MinIO $MINIO_VERSION installed by another process"
    return
  fi
  local gobin started
  gobin="$(mktemp -d "$cache_dir/minio-build.XXXXXX")"
  started=$(date +%s)
  log "building MinIO $MINIO_VERSION (a few minutes on a cold Go cache)…"
  # Static, stripped and without local paths: a smaller binary, independent of libc.
  CGO_ENABLED=0 GOBIN="$gobin" GOFLAGS="-trimpath" \
    go install -ldflags "-s -w" "$MINIO_MODULE@$MINIO_VERSION" || { rm -rf "$gobin"; die "go install failed"; }
  mv "$gobin/minio" "$bin"
  rm -rf "$gobin"
  log "installed $bin in $(( $(date +%s) - started ))s"
}

is_running() {
  [ -f "$state_dir/pid" ] && [ -f "$state_dir/env" ] && kill -0 "$(cat "$state_dir/pid")" 2>/dev/null
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# curl signs with SigV4 itself, so the script needs no S3 client.
s3_curl() {
  curl -sS --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY_ID:$SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

start() {
  if is_running; then
    cat "$state_dir/env"
    return
  fi
  [ -x "$bin" ] || die "MinIO is not installed: run scripts/services/s3-server.sh install"
  rm -rf "$state_dir"
  mkdir -p "$state_dir/data"
  local port pid endpoint ready attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    endpoint="http://127.0.0.1:$port"
    # No console, no update checks: the server talks to nothing but its clients. It
    # stays in the caller's process group, so a Ctrl-C of the test run stops it too.
    MINIO_ROOT_USER="$ACCESS_KEY_ID" MINIO_ROOT_PASSWORD="$SECRET_ACCESS_KEY" \
      MINIO_BROWSER=off MINIO_UPDATE=off MINIO_REGION="$REGION" \
      "$bin" server --quiet --address "127.0.0.1:$port" "$state_dir/data" \
      >"$state_dir/minio.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$state_dir/pid"
    ready=0
    for _ in $(seq 1 150); do
      if curl -fsS "$endpoint/minio/health/ready" >/dev/null 2>&1; then ready=1; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    [ "$ready" = 1 ] && break
    # Lost the port to another process between picking and binding: try another.
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ "$ready" = 1 ] || { cat "$state_dir/minio.log" >&2; stop; die "MinIO did not become ready"; }
  local status
  # "Ready" can come a moment before the object layer takes writes (HTTP 503): retry.
  for _ in $(seq 1 50); do
    status=$(s3_curl -o /dev/null -w "%{http_code}" -X PUT "$endpoint/$BUCKET")
    [ "$status" = 503 ] || break
    sleep 0.1
  done
  # A server nobody will be told about must not outlive this script.
  [ "$status" = 200 ] || { stop; die "creating bucket $BUCKET failed: HTTP $status"; }
  cat >"$state_dir/env" <<ENV
CONTROLROOM_TEST_S3_ENDPOINT=$endpoint
CONTROLROOM_TEST_S3_REGION=$REGION
CONTROLROOM_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY_ID
CONTROLROOM_TEST_S3_SECRET_ACCESS_KEY=$SECRET_ACCESS_KEY
CONTROLROOM_TEST_S3_BUCKET=$BUCKET
ENV
  cat "$state_dir/env"
}

stop() {
  if [ -f "$state_dir/pid" ]; then
    local pid
    pid=$(cat "$state_dir/pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$state_dir"
}

selftest() {
  is_running || die "not running: run scripts/services/s3-server.sh start"
  local endpoint key first second
  endpoint=$(sed -n 's/^CONTROLROOM_TEST_S3_ENDPOINT=//p' "$state_dir/env")
  key="selftest/$(date +%s%N)"
  first=$(s3_curl -o /dev/null -w "%{http_code}" -X PUT -H "If-None-Match: *" --data-binary one "$endpoint/$BUCKET/$key")
  second=$(s3_curl -o /dev/null -w "%{http_code}" -X PUT -H "If-None-Match: *" --data-binary two "$endpoint/$BUCKET/$key")
  s3_curl -o /dev/null -X DELETE "$endpoint/$BUCKET/$key"
  [ "$first" = 200 ] && [ "$second" = 412 ] || die "If-None-Match not honoured: got $first then $second (want 200 then 412)"
  log "conditional writes honoured: $first then $second"
}

case "${1:-}" in
  install) install ;;
  path) [ -x "$bin" ] || exit 1; echo "$bin" ;;
  start) start ;;
  env) is_running || die "not running"; cat "$state_dir/env" ;;
  selftest) selftest ;;
  stop) stop ;;
  *) echo "usage: $0 install|path|start|env|selftest|stop" >&2; exit 2 ;;
esac
