#!/usr/bin/env bash
# Stops the test Trino server of a state directory (see start.sh) and deletes the
# directory. Trino shuts down on SIGTERM; after 20 s it is killed.
#
# Environment:
#   CONTROLROOM_TRINO_STATE_DIR  default $TMPDIR/controlroom-trino-$UID
set -euo pipefail
state_dir="${CONTROLROOM_TRINO_STATE_DIR:-${TMPDIR:-/tmp}/controlroom-trino-$(id -u)}"
if [ -f "$state_dir/pid" ]; then
  pid=$(cat "$state_dir/pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
rm -rf "$state_dir"
