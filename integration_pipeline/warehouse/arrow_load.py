"""Reading a source table with SQLAlchemy Core into Arrow batches, and landing them in DuckDB.

Rows never go into DuckDB one by one: each batch becomes an Arrow table that DuckDB ingests
in one statement. The Arrow schema comes from the source's column types, not from the data,
so a batch whose column happens to be all NULL keeps the right type.
"""

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pyarrow as pa
import sqlalchemy as sa

DEFAULT_BATCH_ROWS = 50_000
DECIMAL = pa.decimal128(38, 10)


def arrow_type(column_type: sa.types.TypeEngine) -> pa.DataType:
    if isinstance(column_type, sa.Boolean):
        return pa.bool_()
    if isinstance(column_type, sa.Integer):
        return pa.int64()
    if isinstance(column_type, sa.Float):
        return pa.float64()
    if isinstance(column_type, sa.Numeric):
        return DECIMAL
    if isinstance(column_type, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(column_type, sa.Date):
        return pa.date32()
    return pa.string()


def _cell(value: object, kind: pa.DataType) -> object:
    """Values the declared Arrow type can hold (SQLite stores what it is given)."""
    if value is None:
        return None
    if kind == pa.string() and not isinstance(value, str):
        return str(value)
    if kind == DECIMAL and isinstance(value, bytes | str | float | int):
        # Tryton keeps Decimals in SQLite as the text of the number in a BLOB.
        return Decimal(value.decode() if isinstance(value, bytes) else str(value))
    if kind == pa.timestamp("us") and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind == pa.date32() and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def reflect(engine: sa.Engine, table_name: str) -> sa.Table:
    return sa.Table(table_name, sa.MetaData(), autoload_with=engine)


def select_all(table: sa.Table) -> sa.Select:
    """Every column; exact decimals are fetched raw and converted by `_cell`, because
    SQLAlchemy's float-based processor cannot read Tryton's SQLite encoding."""
    columns = [
        sa.type_coerce(c, sa.types.NullType()).label(c.name)
        if isinstance(c.type, sa.Numeric) and not isinstance(c.type, sa.Float)
        else c
        for c in table.columns
    ]
    return sa.select(*columns)


def arrow_schema(table: sa.Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in table.columns])


def read_batches(
    engine: sa.Engine, statement: sa.Select, schema: pa.Schema, batch_rows: int = DEFAULT_BATCH_ROWS
) -> Iterator[pa.Table]:
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch_rows).execute(
            statement
        )
        # partitions() needs the size: without it, under yield_per, it yields 1-row partitions.
        for rows in result.partitions(batch_rows):
            columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
            yield pa.table(
                [
                    pa.array([_cell(v, f.type) for v in column], type=f.type)
                    for column, f in zip(columns, schema, strict=True)
                ],
                schema=schema,
            )


def replace_table(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    schema: pa.Schema,
    batches: Iterator[pa.Table],
) -> int:
    """Replace `target` (schema.table) with the batches, in one transaction; returns rows."""
    schema_name = target.split(".")[0]
    connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
    connection.execute("BEGIN")
    try:
        connection.register("_incoming", schema.empty_table())
        connection.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM _incoming")
        rows = 0
        for batch in batches:
            connection.register("_incoming", batch)
            connection.execute(f"INSERT INTO {target} SELECT * FROM _incoming")
            rows += batch.num_rows
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.unregister("_incoming")
    return rows
