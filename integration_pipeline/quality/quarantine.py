"""The quarantine: rows a row-level rule refused, with entity, key, rule, offending value
(masked) and the run that found them. Bad rows never block good rows; they wait here,
entity by entity as of its last run, to be fixed at source."""

from datetime import UTC, datetime
from typing import Any

import duckdb

QUARANTINE = "quality.quarantine"


def mask(value: Any) -> str | None:
    """Enough to recognise a value, not enough to read personal data off a screen."""
    if value is None:
        return None
    text = str(value)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def quarantine(
    connection: duckdb.DuckDBPyConnection, entity: str, rows: list[dict[str, Any]], run_id: str
) -> int:
    """`rows`: dicts with key, rule, column, value and optionally message."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS quality")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {QUARANTINE} (entity VARCHAR, record_key VARCHAR, "
        "rule VARCHAR, field VARCHAR, value_masked VARCHAR, run_id VARCHAR, "
        "quarantined_at TIMESTAMP)"
    )
    connection.execute(f"ALTER TABLE {QUARANTINE} ADD COLUMN IF NOT EXISTS message VARCHAR")
    # The quarantine shows what is bad now: a row fixed at source leaves it on the next run.
    connection.execute(f"DELETE FROM {QUARANTINE} WHERE entity = ?", [entity])
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in rows:
        connection.execute(
            f"INSERT INTO {QUARANTINE} (entity, record_key, rule, field, value_masked, run_id, "
            "quarantined_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entity,
                row.get("key"),
                row["rule"],
                row.get("column"),
                mask(row.get("value")),
                run_id,
                now,
                row.get("message"),
            ],
        )
    return len(rows)
