"""Reading one Tryton table, in full or since a watermark, as a stream of Arrow batches."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import sqlalchemy as sa

from integration_pipeline.connectors.tryton.arrow_stream import (
    DEFAULT_BATCH_ROWS,
    arrow_schema,
    stream,
    typed_columns,
)
from integration_pipeline.connectors.tryton.increments import (
    DEFAULT_OVERLAP,
    Watermark,
    changed_since,
)
from integration_pipeline.connectors.tryton.source import TrytonDatabase


@dataclass
class TableStream:
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


def source_now(engine: sa.Engine) -> datetime:
    """The database's "now" as Tryton stamps its rows: its server's local time on PostgreSQL
    (a session in the server's default time zone, as Tryton's are), UTC on SQLite (trytond
    runs with TZ=UTC). What a later read is anchored at: our own clock could sit hours off."""
    if engine.dialect.name == "sqlite":
        return datetime.now(UTC).replace(tzinfo=None)
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.localtimestamp())).scalar_one()


def reflect(engine: sa.Engine, table_name: str) -> sa.Table:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=engine)
    if engine.dialect.name == "sqlite":
        # SQLite reflects Tryton's INTERVAL columns as INTEGER (type affinity); they hold
        # seconds as floats.
        with engine.connect() as connection:
            declared = {
                row[1]: str(row[2]).upper()
                for row in connection.exec_driver_sql(f'PRAGMA table_info("{table_name}")')
            }
        for column in table.columns:
            if declared.get(column.name) == "INTERVAL":
                column.type = sa.Interval()
    return table


def read_table(
    database: TrytonDatabase,
    table: sa.Table,
    since: Watermark | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    read_at: datetime | None = None,
) -> TableStream:
    """`read_at`: when the previous read began (see increments.changed_since)."""
    columns = list(table.columns)
    schema = arrow_schema(columns)
    statement = changed_since(
        table, typed_columns(columns, database.backend), since, overlap, read_at
    )
    return TableStream(schema, stream(database, statement, schema, batch_rows))


def id_summary(database: TrytonDatabase, table: sa.Table) -> tuple[int, int]:
    """(how many rows, the sum of their ids): one aggregate, where reading every id to find
    the deleted ones moved 555,707 of them for the move lines on every run."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            count, total = connection.execute(
                sa.select(sa.func.count(table.c.id), sa.func.coalesce(sa.func.sum(table.c.id), 0))
            ).one()
    finally:
        engine.dispose()
    return int(count), int(total)


def read_ids(database: TrytonDatabase, table: sa.Table) -> pa.Array:
    """Every id the table holds now: rows deleted in Tryton are the ones missing here."""
    id_column = [table.c.id]
    schema = arrow_schema(id_column)
    statement = sa.select(*typed_columns(id_column, database.backend))
    batches = list(stream(database, statement, schema))
    return pa.Table.from_batches(batches, schema=schema).column("id").combine_chunks()
