"""The outbox: every write is a row here, with its idempotency key, before it is sent.

A rerun after a crash finds the rows still `pending` and sends them again; the CRM write is
an upsert by the entity's unique property, so sending twice cannot make two records. A newer
plan for the same record supersedes an older pending one, so stale values are never sent.
"""

import json
from datetime import UTC, datetime

import duckdb

from integration_pipeline.syncs.planning import PlannedWrite

OUTBOX = "sync.outbox"


def ensure_outbox(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("CREATE SCHEMA IF NOT EXISTS sync")
    connection.execute(
        f"""CREATE TABLE IF NOT EXISTS {OUTBOX} (
            idempotency_key VARCHAR PRIMARY KEY, entity VARCHAR, target_system VARCHAR,
            target_object VARCHAR, record_key VARCHAR, operation VARCHAR, payload VARCHAR,
            status VARCHAR, attempts INTEGER, message VARCHAR, target_id VARCHAR,
            planned_run VARCHAR, applied_run VARCHAR, planned_at TIMESTAMP,
            applied_at TIMESTAMP, result VARCHAR)"""
    )
    # Warehouses made before the target's answer was kept get the column now.
    connection.execute(f"ALTER TABLE {OUTBOX} ADD COLUMN IF NOT EXISTS result VARCHAR")


def add_planned(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    target_system: str,
    target_object: str,
    writes: list[PlannedWrite],
    run_id: str,
) -> int:
    """Insert the writes not planned before; supersede older pending rows of the same records.
    Returns how many rows were new."""
    ensure_outbox(connection)
    now = datetime.now(UTC).replace(tzinfo=None)
    new = 0
    connection.execute("BEGIN")
    try:
        for write in writes:
            connection.execute(
                f"UPDATE {OUTBOX} SET status = 'superseded' WHERE entity = ? AND record_key = ? "
                "AND status IN ('pending', 'held', 'failed') AND idempotency_key <> ?",
                [entity, write.record_key, write.idempotency_key],
            )
            inserted = connection.execute(
                f"INSERT INTO {OUTBOX} (idempotency_key, entity, target_system, target_object, "
                "record_key, operation, payload, status, attempts, planned_run, planned_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING "
                "RETURNING 1",
                [
                    write.idempotency_key,
                    entity,
                    target_system,
                    target_object,
                    write.record_key,
                    write.operation,
                    json.dumps(write.payload, ensure_ascii=False),
                    run_id,
                    now,
                ],
            ).fetchall()
            new += len(inserted)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return new


def pending(
    connection: duckdb.DuckDBPyConnection, entity: str, max_attempts: int = 5
) -> list[dict]:
    ensure_outbox(connection)
    rows = connection.execute(
        f"SELECT idempotency_key, record_key, operation, payload FROM {OUTBOX} "
        "WHERE entity = ? AND (status IN ('pending', 'held') "
        "OR (status = 'failed' AND attempts < ?)) "
        "ORDER BY planned_at, idempotency_key",
        [entity, max_attempts],
    ).fetchall()
    return [
        {"idempotency_key": k, "record_key": r, "operation": o, "payload": json.loads(p)}
        for k, r, o, p in rows
    ]


def mark(
    connection: duckdb.DuckDBPyConnection,
    idempotency_key: str,
    status: str,
    run_id: str,
    target_id: str | None = None,
    message: str | None = None,
    result: dict | None = None,
) -> None:
    """`status`: sent, held (the target refused for now: retried every run), failed."""
    connection.execute(
        f"UPDATE {OUTBOX} SET status = ?, attempts = attempts + 1, target_id = ?, message = ?, "
        "applied_run = ?, applied_at = ?, result = ? WHERE idempotency_key = ?",
        [
            status,
            target_id,
            message,
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
            json.dumps(result, ensure_ascii=False, default=str) if result else None,
            idempotency_key,
        ],
    )
