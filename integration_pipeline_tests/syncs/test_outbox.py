"""The outbox on a real DuckDB: planned writes land once, a newer plan supersedes an older
unsent one, and what was sent stays as it was."""

import duckdb

from integration_pipeline.syncs.outbox import (
    OUTBOX,
    Outcome,
    add_planned,
    entities_waiting,
    mark,
    outbox_version,
    pending,
)
from integration_pipeline.syncs.planning import PlannedWrite


def _write(record: str, value: str) -> PlannedWrite:
    return PlannedWrite(f"toy:{record}:{value}", record, "update", {"name": value})


def _statuses(connection) -> dict[str, str]:
    return dict(connection.execute(f"SELECT idempotency_key, status FROM {OUTBOX}").fetchall())


def test_the_same_plan_twice_is_planned_once():
    connection = duckdb.connect()
    writes = [_write("1", "a"), _write("2", "b"), _write("2", "b")]
    assert add_planned(connection, "toy", "crm", "companies", writes, "run-1") == 2
    version = outbox_version(connection, "toy")
    assert add_planned(connection, "toy", "crm", "companies", writes, "run-2") == 0
    assert outbox_version(connection, "toy") == version
    assert [w["record_key"] for w in pending(connection, "toy")] == ["1", "2"]


def test_a_newer_plan_supersedes_the_unsent_one_only():
    connection = duckdb.connect()
    add_planned(connection, "toy", "crm", "companies", [_write("1", "a"), _write("2", "b")], "r1")
    mark(connection, [Outcome("toy:2:b", "sent", target_id="9")], "r1")
    newer = [_write("1", "a2"), _write("2", "b2")]
    assert add_planned(connection, "toy", "crm", "companies", newer, "r2") == 2
    assert _statuses(connection) == {
        "toy:1:a": "superseded",
        "toy:1:a2": "pending",
        "toy:2:b": "sent",
        "toy:2:b2": "pending",
    }
    assert add_planned(connection, "toy", "crm", "companies", [], "r3") == 0


def test_a_batch_of_outcomes_is_recorded_row_by_row():
    connection = duckdb.connect()
    add_planned(connection, "toy", "crm", "companies", [_write("1", "a"), _write("2", "b")], "r1")
    mark(
        connection,
        [
            Outcome("toy:1:a", "sent", target_id="101", result={"state": "done"}),
            Outcome("toy:2:b", "failed", message="refused"),
        ],
        "r2",
    )
    rows = connection.execute(
        f"SELECT idempotency_key, status, attempts, target_id, message, applied_run, result "
        f"FROM {OUTBOX} ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("toy:1:a", "sent", 1, "101", None, "r2", '{"state": "done"}'),
        ("toy:2:b", "failed", 1, None, "refused", "r2", None),
    ]
    assert [w["record_key"] for w in pending(connection, "toy")] == ["2"]  # retried


def test_the_syncs_with_rows_to_send_are_named():
    connection = duckdb.connect()
    assert entities_waiting(connection) == []
    add_planned(connection, "toy", "crm", "companies", [_write("1", "a")], "r1")
    add_planned(connection, "other", "crm", "companies", [_write("2", "b")], "r1")
    assert entities_waiting(connection) == ["other", "toy"]
    mark(connection, [Outcome("toy:1:a", "sent", target_id="9")], "r2")
    mark(connection, [Outcome("toy:2:b", "held", message="credit")], "r2")
    assert entities_waiting(connection) == ["other"]  # held: tried again every run
    for run in range(5):
        mark(connection, [Outcome("toy:2:b", "failed", message="refused")], f"r{run + 3}")
    assert entities_waiting(connection) == []  # failed too often: no longer tried
