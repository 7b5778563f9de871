#!/usr/bin/env bash
# Installs the S3-compatible test server (MinIO, built from its Go module) only when
# it is missing, so a warm machine spends no time here. The binary is cached under
# ~/.cache/controlroom (CONTROLROOM_CACHE_DIR) and reused by every later CI run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if path=$(scripts/services/s3-server.sh path); then
  echo "S3 test server present: $path"
  exit 0
fi
scripts/services/s3-server.sh install
