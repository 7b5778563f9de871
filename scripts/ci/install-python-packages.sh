#!/usr/bin/env bash
# Installs the Python packages the tests need, only when they are missing, so a warm
# machine spends no time here. `deltalake` (delta-rs) reads the Delta tables our writer
# makes in packages/adapters/test/delta-interop.test.ts.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "missing $python: install Python 3 to run the Delta interop test" >&2
  exit 1
fi
missing=()
"$python" -c "import deltalake" >/dev/null 2>&1 || missing+=("deltalake==1.6.6")
if [ ${#missing[@]} -eq 0 ]; then
  echo "all Python packages present"
  exit 0
fi
"$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
