#!/usr/bin/env bash
# Installs the Python packages the tests need, only when they are missing (or, for
# pinned tools, at another version), so a warm machine spends no time here.
# - `deltalake` (delta-rs) reads the Delta tables our writer makes in
#   packages/adapters/test/delta-interop.test.ts.
# - `openapi-python-client` generates the Python client from the contract's OpenAPI
#   document (`pnpm generate:clients`, packages/cli/test/python-client.test.ts); its
#   dependencies (httpx, attrs, python-dateutil) are what the generated client runs on.
# - `pyiceberg` with its SQL catalog on Postgres (SQLAlchemy, psycopg2), pyarrow and
#   pyiceberg-core (its time transforms) reads and writes the Iceberg tables of
#   packages/adapters/test/iceberg-interop.test.ts through the same catalog tables.
set -euo pipefail
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "missing $python: install Python 3 to run the Delta and Iceberg interop and Python client tests" >&2
  exit 1
fi
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1
PYICEBERG_VERSION=0.12.0
missing=()
"$python" -c "import deltalake" >/dev/null 2>&1 || missing+=("deltalake==1.6.6")
installed_generator=$("$python" -c "import importlib.metadata as m; print(m.version('openapi-python-client'))" 2>/dev/null || true)
[ "$installed_generator" = "$OPENAPI_PYTHON_CLIENT_VERSION" ] ||
  missing+=("openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION")
installed_pyiceberg=$("$python" -c "import importlib.metadata as m, pyiceberg_core, psycopg2, sqlalchemy, pyarrow; print(m.version('pyiceberg'))" 2>/dev/null || true)
[ "$installed_pyiceberg" = "$PYICEBERG_VERSION" ] ||
  missing+=("pyiceberg[sql-postgres,pyarrow,pyiceberg-core]==$PYICEBERG_VERSION")
if [ ${#missing[@]} -eq 0 ]; then
  echo "all Python packages present"
  exit 0
fi
"$python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
