"""SQLAlchemy Core composes the query; the ADBC driver streams its rows as Arrow batches.

SQLAlchemy's own row streaming reaches about a sixth of what an Arrow-native driver does
(STACK.md), so it only compiles. Every column is cast in SQL to one storage class and then
to the Arrow type its declared column type implies, so batches agree on a schema whatever
the values (Tryton keeps Decimals in SQLite as the text of the number in a BLOB, timestamps
as text; PostgreSQL's numeric arrives as an opaque string type).
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from integration_pipeline.connectors.tryton.source import TrytonDatabase

DEFAULT_BATCH_ROWS = 65_536
DECIMAL = pa.decimal128(38, 10)
_DIALECTS = {
    "sqlite": sqlite.dialect(paramstyle="qmark"),
    "postgresql": postgresql.psycopg.dialect(paramstyle="numeric_dollar"),
}


def is_interval(column_type: sa.types.TypeEngine) -> bool:
    return isinstance(column_type, sa.Interval | postgresql.INTERVAL)


def arrow_type(column_type: sa.types.TypeEngine) -> pa.DataType:
    if is_interval(column_type):
        return pa.float64()  # seconds: what Tryton's SQLite keeps, and comparable everywhere
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
    if isinstance(column_type, sa.LargeBinary):
        return pa.binary()
    return pa.string()


def arrow_schema(columns: list[sa.Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in columns])


def _storage_class(kind: pa.DataType) -> sa.types.TypeEngine | None:
    """The SQL type a column is cast to before it leaves the database (None: as it is)."""
    if kind in (pa.int64(), pa.bool_()):
        return sa.Integer()
    if kind == pa.float64():
        return sa.Float()
    if kind == pa.binary():
        return None
    return sa.Text()


def typed_columns(columns: list[sa.Column], backend: str) -> list[sa.ColumnElement]:
    """The select list: on SQLite every column cast to one storage class (the driver infers a
    column's type from its values); on PostgreSQL only numerics (to text, exact)."""
    selected = []
    for column in columns:
        kind = arrow_type(column.type)
        if backend == "postgresql" and is_interval(column.type):
            selected.append(sa.extract("epoch", column).label(column.name))
            continue
        if backend == "sqlite":
            target = _storage_class(kind)
        else:
            target = sa.Text() if kind == DECIMAL else None
        selected.append(column if target is None else sa.cast(column, target).label(column.name))
    return selected


def _sqlite_type_row(schema: pa.Schema) -> sa.Select:
    """One row of non-NULL values of each column's storage class. The SQLite driver fixes a
    column's type from the first batch; a first batch of NULLs would fix it as an integer and
    a later text value would then fail. This row is put first and dropped from the result."""
    samples = {pa.int64(): "0", pa.bool_(): "0", pa.float64(): "0.5", pa.binary(): "X''"}
    return sa.select(*[sa.literal_column(samples.get(f.type, "''")).label(f.name) for f in schema])


def compile_statement(statement: sa.Select, backend: str) -> tuple[str, tuple[Any, ...]]:
    compiled = statement.compile(dialect=_DIALECTS[backend])
    params = compiled.params
    values = tuple(params[name] for name in compiled.positiontup or ())
    if backend == "sqlite":
        values = tuple(_sqlite_value(v) for v in values)
    return str(compiled), values


def _sqlite_value(value: Any) -> Any:
    # Tryton's SQLite columns hold timestamps as text in sqlite3's format: compare as text.
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    arrays = []
    for field in schema:
        array = batch.column(field.name)
        if isinstance(array.type, pa.ExtensionType):
            array = array.storage
        arrays.append(array if array.type == field.type else pc.cast(array, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def stream(
    database: TrytonDatabase,
    statement: sa.Select,
    schema: pa.Schema,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Run `statement` (whose select list is `typed_columns`) and yield batches of `schema`."""
    backend = database.backend
    if backend == "sqlite":
        statement = sa.union_all(_sqlite_type_row(schema), statement)
    sql, params = compile_statement(statement, backend)
    with database.arrow_connection() as connection:
        cursor = connection.cursor()
        try:
            if backend == "sqlite":
                cursor.adbc_statement.set_options(
                    **{"adbc.sqlite.query.batch_rows": str(batch_rows)}
                )
            cursor.execute(sql, parameters=params or None)
            reader = cursor.fetch_record_batch()
            skip_type_row = backend == "sqlite"
            for batch in reader:
                if skip_type_row:
                    batch, skip_type_row = batch.slice(1), False
                # The PostgreSQL driver sizes its batches in bytes (16 MB); callers get
                # `batch_rows` at most from either backend.
                for offset in range(0, batch.num_rows, batch_rows):
                    yield conform(batch.slice(offset, batch_rows), schema)
        finally:
            cursor.close()
