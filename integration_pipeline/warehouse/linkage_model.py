"""The customer matcher's trained model, kept in the warehouse (`core.linkage_model`) so the
runs of a day match with the parameters its first run trained (the nightly full sync, with
the schedules on) instead of training again: on the same population, expectation
maximisation lands on the same parameters, and training is most of the matching's time."""

import json

import duckdb

from integration_pipeline.warehouse.arrow_load import transaction
from integration_pipeline.warehouse.daily_model import now_utc, still_usable

MODEL = "core.linkage_model"


def _ensure(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("CREATE SCHEMA IF NOT EXISTS core")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {MODEL} (trained_at TIMESTAMP, records BIGINT, model VARCHAR)"
    )


def todays_model(connection: duckdb.DuckDBPyConnection, records: int) -> dict | None:
    """The model trained today (UTC) on about as many records, or None."""
    _ensure(connection)
    rows = connection.execute(
        f"SELECT trained_at, records, model FROM {MODEL} ORDER BY trained_at DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    trained_at, trained_on, model = rows[0]
    return json.loads(model) if still_usable(trained_at, trained_on, records) else None


def keep_model(connection: duckdb.DuckDBPyConnection, model: dict, records: int) -> None:
    """The newly trained model replaces the one kept."""
    _ensure(connection)
    with transaction(connection):
        connection.execute(f"DELETE FROM {MODEL}")
        connection.execute(
            f"INSERT INTO {MODEL} VALUES (?, ?, ?)",
            [now_utc(), records, json.dumps(model)],
        )
