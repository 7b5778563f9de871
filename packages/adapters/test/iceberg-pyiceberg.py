"""PyIceberg's side of iceberg-interop.test.ts, on the same SQL catalog in Postgres.

  python3 iceberg-pyiceberg.py read  <catalog-uri> <catalog-name> <warehouse> <namespace> <table>
      Loads the table and prints its snapshots (ids as strings: they are 63-bit) and the
      rows of every snapshot, every value as text (dates ISO, decimals as written,
      timestamps as epoch microseconds).
  python3 iceberg-pyiceberg.py write <catalog-uri> <catalog-name> <warehouse> <namespace> <table>
      Creates the table (partitioned by month(day)), appends twice, overwrites once,
      and prints the same JSON.

The catalog URI is SQLAlchemy's (postgresql+psycopg2://…).
"""
import datetime
import json
import sys
from decimal import Decimal

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import MonthTransform
from pyiceberg.types import (
    DateType,
    DecimalType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def text(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return str((value - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def describe(table):
    snapshots = []
    for snapshot in sorted(table.snapshots(), key=lambda s: s.sequence_number):
        rows = table.scan(snapshot_id=snapshot.snapshot_id).to_arrow().to_pylist()
        snapshots.append(
            {
                "snapshot_id": str(snapshot.snapshot_id),
                "parent_snapshot_id": None
                if snapshot.parent_snapshot_id is None
                else str(snapshot.parent_snapshot_id),
                "sequence_number": snapshot.sequence_number,
                "operation": snapshot.summary.operation.value,
                "summary": {k: v for k, v in snapshot.summary.additional_properties.items()},
                "rows": sorted(
                    ({k: text(v) for k, v in row.items()} for row in rows),
                    key=lambda r: json.dumps(r, sort_keys=True),
                ),
            }
        )
    current = table.current_snapshot()
    return {
        "format_version": table.metadata.format_version,
        "current_snapshot_id": None if current is None else str(current.snapshot_id),
        "schema": [
            {"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required}
            for f in table.schema().fields
        ],
        "partition_spec": [
            {"source_id": f.source_id, "field_id": f.field_id, "name": f.name, "transform": str(f.transform)}
            for f in table.spec().fields
        ],
        "snapshots": snapshots,
    }


def write(catalog, identifier):
    namespace = identifier[0]
    if (namespace,) not in catalog.list_namespaces():
        catalog.create_namespace(namespace)
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "day", DateType(), required=False),
        NestedField(4, "amount", DecimalType(12, 2), required=False),
        NestedField(5, "at", TimestamptzType(), required=False),
    )
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=MonthTransform(), name="day_month"))
    table = catalog.create_table(identifier, schema=schema, partition_spec=spec)
    arrow_schema = table.schema().as_arrow()

    def batch(rows):
        return pa.Table.from_pylist(rows, schema=arrow_schema)

    utc = datetime.timezone.utc
    table.append(
        batch(
            [
                {"id": 1, "name": "a", "day": datetime.date(2024, 1, 5), "amount": Decimal("10.25"),
                 "at": datetime.datetime(2024, 1, 5, 10, 0, 0, 123456, tzinfo=utc)},
                {"id": 9007199254740993, "name": None, "day": None, "amount": None, "at": None},
            ]
        )
    )
    table.append(batch([{"id": 2, "name": "b", "day": datetime.date(2024, 2, 1), "amount": Decimal("-3.10"), "at": None}]))
    table.overwrite(batch([{"id": 3, "name": "c", "day": datetime.date(2024, 3, 1), "amount": Decimal("0.01"), "at": None}]))
    return catalog.load_table(identifier)


def main():
    command, uri, name, warehouse, namespace, table_name = sys.argv[1:7]
    catalog = SqlCatalog(name, uri=uri, warehouse=warehouse)
    identifier = (namespace, table_name)
    table = write(catalog, identifier) if command == "write" else catalog.load_table(identifier)
    print(json.dumps(describe(table)))


if __name__ == "__main__":
    main()
