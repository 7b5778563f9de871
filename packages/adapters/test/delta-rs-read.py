"""Reads a Delta table with delta-rs (the `deltalake` package) and prints its version,
file count and rows as JSON, every value as text: timestamps as epoch microseconds,
decimals without trailing zeros. Used by delta-interop.test.ts.

Usage: python3 delta-rs-read.py <table-dir>
"""
import json
import re
import sys

from deltalake import DeltaTable, QueryBuilder

table = DeltaTable(sys.argv[1])
fields = json.loads(table.schema().to_json())["fields"]
select = []
for i, field in enumerate(fields):
    quoted = '"' + field["name"].replace('"', '""') + '"'
    if field["type"] in ("timestamp", "timestamp_ntz"):
        select.append(f"CAST(arrow_cast({quoted}, 'Int64') AS VARCHAR) AS c{i}")
    else:
        select.append(f"CAST({quoted} AS VARCHAR) AS c{i}")
result = QueryBuilder().register("t", table).execute(f"SELECT {', '.join(select)} FROM t").read_all()
columns = [result.column(f"c{i}").to_pylist() for i in range(len(fields))]
rows = []
for r in range(result.num_rows):
    row = {}
    for i, field in enumerate(fields):
        value = columns[i][r]
        if value is not None and re.fullmatch(r"-?\d+\.\d+", str(value)):
            value = str(value).rstrip("0").rstrip(".")
        row[field["name"].lower()] = None if value is None else str(value)
    rows.append(row)
print(json.dumps({"version": table.version(), "files": len(table.file_uris()), "rows": rows}))
