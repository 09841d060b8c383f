"""The records a plan looks at, on a real DuckDB: all of them the first time, then only
those whose staged row or target values moved."""

import duckdb

from integration_pipeline.syncs.plan_state import compare_with_last_plan, remember_plan

CURRENT = "SELECT id AS key, properties FROM crm.things"


def _changed(connection) -> set[str]:
    compare_with_last_plan(connection, "toy", "sync.toy_staged", CURRENT)
    keys = {k for (k,) in connection.execute("SELECT key FROM plan_now WHERE changed").fetchall()}
    remember_plan(connection, "toy")
    return keys


def test_only_moved_records_are_planned_again():
    connection = duckdb.connect()
    connection.execute(
        "CREATE SCHEMA sync; CREATE SCHEMA crm; "
        "CREATE TABLE sync.toy_staged AS "
        "SELECT * FROM (VALUES ('1', 'a'), ('2', 'b')) t(key, name); "
        "CREATE TABLE crm.things AS "
        "SELECT * FROM (VALUES ('1', '{\"name\": \"a\"}')) t(id, properties)"
    )
    assert _changed(connection) == {"1", "2"}
    assert _changed(connection) == set()
    connection.execute("UPDATE sync.toy_staged SET name = 'b2' WHERE key = '2'")
    assert _changed(connection) == {"2"}
    connection.execute('UPDATE crm.things SET properties = \'{"name": "edited"}\'')
    assert _changed(connection) == {"1"}
    connection.execute("INSERT INTO sync.toy_staged VALUES ('3', 'c')")
    assert _changed(connection) == {"3"}
    # Another entity's state is its own.
    compare_with_last_plan(connection, "other", "sync.toy_staged", CURRENT)
    assert connection.execute("SELECT count(*) FROM plan_now WHERE changed").fetchone()[0] == 3


def test_a_record_gone_from_both_sides_and_back_is_planned_again():
    connection = duckdb.connect()
    connection.execute(
        "CREATE SCHEMA sync; CREATE SCHEMA crm; "
        "CREATE TABLE sync.toy_staged AS SELECT * FROM (VALUES ('1', 'a')) t(key, name); "
        "CREATE TABLE crm.things AS "
        "SELECT * FROM (VALUES ('1', '{\"name\": \"a\"}')) t(id, properties)"
    )
    assert _changed(connection) == {"1"}
    connection.execute("DELETE FROM sync.toy_staged; DELETE FROM crm.things")
    assert _changed(connection) == set()
    connection.execute("INSERT INTO sync.toy_staged VALUES ('1', 'a')")
    assert _changed(connection) == {"1"}
