"""Content fingerprints and the extracts' data versions, on a real DuckDB file."""

import duckdb

from integration_pipeline.warehouse.fingerprint import extract_version, fingerprint, warehouse_id


def _warehouse(path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(path))
    connection.execute("CREATE SCHEMA raw")
    connection.execute("CREATE TABLE raw.items AS SELECT range AS id FROM range(5)")
    return connection


def test_the_same_rows_in_any_order_give_the_same_fingerprint(tmp_path):
    connection = _warehouse(tmp_path / "w.duckdb")
    before = fingerprint(connection, "raw.items")
    connection.execute("CREATE OR REPLACE TABLE raw.items AS SELECT 4 - range AS id FROM range(5)")
    assert fingerprint(connection, "raw.items") == before
    connection.execute("UPDATE raw.items SET id = 9 WHERE id = 0")
    assert fingerprint(connection, "raw.items") != before


def test_a_warehouse_file_keeps_its_identity_and_another_file_has_its_own(tmp_path):
    first = _warehouse(tmp_path / "first.duckdb")
    identity = warehouse_id(first)
    assert warehouse_id(first) == identity
    first.close()
    assert warehouse_id(duckdb.connect(str(tmp_path / "first.duckdb"))) == identity
    assert warehouse_id(_warehouse(tmp_path / "second.duckdb")) != identity


def test_a_landing_that_wrote_nothing_keeps_the_version_it_had_in_this_warehouse(tmp_path):
    connection = _warehouse(tmp_path / "w.duckdb")
    version = extract_version(connection, "raw.items")
    assert extract_version(connection, "raw.items", unchanged_from=version) == version
    # Taken elsewhere, or of a table with other rows: hashed again.
    other = _warehouse(tmp_path / "other.duckdb")
    assert extract_version(other, "raw.items", unchanged_from=version) != version
    connection.execute("INSERT INTO raw.items VALUES (7)")
    moved = extract_version(connection, "raw.items", unchanged_from=version)
    assert moved != version and moved == extract_version(connection, "raw.items")
