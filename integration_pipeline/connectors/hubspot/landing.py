"""HubSpot records as Arrow tables, ready for DuckDB (properties kept as a JSON column)."""

import json
from collections.abc import Iterable
from datetime import datetime

import pyarrow as pa

SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64()),
        pa.field("properties", pa.string()),  # JSON: HubSpot values are strings
        pa.field("associations", pa.string()),  # JSON: {to type: [ids]}
        pa.field("created_at", pa.timestamp("ms", tz="UTC")),
        pa.field("updated_at", pa.timestamp("ms", tz="UTC")),
        pa.field("archived", pa.bool_()),
        pa.field("archived_at", pa.timestamp("ms", tz="UTC")),
    ]
)


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def to_arrow(records: Iterable[dict]) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in SCHEMA.names}
    for record in records:
        columns["id"].append(int(record["id"]))
        columns["properties"].append(json.dumps(record.get("properties") or {}, ensure_ascii=False))
        links = {
            to: [a["id"] for a in found.get("results", [])]
            for to, found in (record.get("associations") or {}).items()
        }
        columns["associations"].append(json.dumps(links))
        columns["created_at"].append(_moment(record.get("createdAt")))
        columns["updated_at"].append(_moment(record.get("updatedAt")))
        columns["archived"].append(bool(record.get("archived")))
        columns["archived_at"].append(_moment(record.get("archivedAt")))
    return pa.table(columns, schema=SCHEMA)
