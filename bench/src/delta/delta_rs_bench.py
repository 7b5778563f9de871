"""delta-rs (Python `deltalake`) side of the Delta benchmarks; see delta-group.ts.

Usage: python3 delta_rs_bench.py '<json args>'; prints one JSON line with the timings.
  {"mode": "snapshot", "path": ..., "loads": N}
      times DeltaTable(path) plus listing its files (what our snapshot() returns),
      N times after one warm-up load.
  {"mode": "append", "path": ..., "rows": R, "appends": K}
      creates a table with the fixture's schema, then times K write_deltalake appends of
      R rows each (the Arrow table is built before the clock starts).
"""

import json
import sys
import time

import arro3.core as arrow
from deltalake import DeltaTable, write_deltalake


def snapshot(args):
    def load():
        table = DeltaTable(args["path"])
        files = table.file_uris()
        return table.version(), len(files)

    load()
    times = []
    for _ in range(args["loads"]):
        started = time.perf_counter()
        version, files = load()
        times.append((time.perf_counter() - started) * 1000)
    return {"ms": times, "version": version, "files": files}


def rows_table(start, count):
    ids = list(range(start, start + count))
    return arrow.Table.from_pydict(
        {
            "id": arrow.Array(ids, arrow.DataType.int64()),
            "amount": arrow.Array([i / 7 for i in ids], arrow.DataType.float64()),
            "label": arrow.Array([f"row-{i}" for i in ids], arrow.DataType.string()),
        }
    )


def append(args):
    path, rows = args["path"], args["rows"]
    write_deltalake(path, rows_table(0, 1), mode="error")
    times = []
    for k in range(args["appends"]):
        data = rows_table((k + 1) * rows, rows)
        started = time.perf_counter()
        write_deltalake(path, data, mode="append")
        times.append((time.perf_counter() - started) * 1000)
    return {"ms": times, "rows": rows}


if __name__ == "__main__":
    request = json.loads(sys.argv[1])
    result = snapshot(request) if request["mode"] == "snapshot" else append(request)
    print(json.dumps(result))
