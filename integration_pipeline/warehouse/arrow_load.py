"""Landing Arrow batches in DuckDB: rows never go in one by one; each batch is registered
and ingested in one statement, and a whole landing is one transaction."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    connection.execute("BEGIN")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    # fetchall: a half-read result would be lost to the connection's next statement.
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()[0][0]
    return bool(found)


def write_table(connection: duckdb.DuckDBPyConnection, target: str, data: object) -> None:
    """Create (or replace) `target` (schema.table) holding `data`, an Arrow table or a pandas
    frame, in one statement."""
    connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{target.split(".")[0]}"')
    connection.register("_data", data)
    try:
        connection.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM _data")
    finally:
        connection.unregister("_data")


def create_table(connection: duckdb.DuckDBPyConnection, target: str, schema: pa.Schema) -> None:
    """Create (or replace) `target` (schema.table) empty, with the columns of `schema`."""
    write_table(connection, target, schema.empty_table())


def insert_batches(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    batches: Iterable[pa.Table | pa.RecordBatch],
) -> int:
    rows = 0
    try:
        for batch in batches:
            connection.register("_incoming", as_table(batch))
            connection.execute(f"INSERT INTO {target} SELECT * FROM _incoming")
            rows += batch.num_rows
    finally:
        connection.unregister("_incoming")
    return rows


def replace_table(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    schema: pa.Schema,
    batches: Iterable[pa.Table | pa.RecordBatch],
) -> int:
    """Replace `target` with the batches, in one transaction; returns rows."""
    with transaction(connection):
        create_table(connection, target, schema)
        return insert_batches(connection, target, batches)


def merge_batches(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    batches: Iterable[pa.Table | pa.RecordBatch],
    key: str = "id",
) -> int:
    """Upsert by `key` into an existing table; the caller owns the transaction."""
    rows = 0
    try:
        for batch in batches:
            connection.register("_incoming", as_table(batch))
            connection.execute(f"DELETE FROM {target} WHERE {key} IN (SELECT {key} FROM _incoming)")
            connection.execute(f"INSERT INTO {target} SELECT * FROM _incoming")
            rows += batch.num_rows
    finally:
        connection.unregister("_incoming")
    return rows


def delete_missing(
    connection: duckdb.DuckDBPyConnection, target: str, present: pa.Array, key: str = "id"
) -> int:
    """Delete the rows whose key is not in `present` (the source's keys now); returns how many."""
    connection.register("_present", pa.table({key: present}))
    try:
        (deleted,) = connection.execute(
            f"DELETE FROM {target} WHERE {key} NOT IN (SELECT {key} FROM _present)"
        ).fetchone()
    finally:
        connection.unregister("_present")
    return deleted


def as_table(batch: pa.Table | pa.RecordBatch) -> pa.Table:
    return batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
