"""Landing a Tryton table in the warehouse as `erp.<table>`: in full the first time (or when
asked, or when the source's columns changed), then incrementally by watermark.

An incremental landing upserts the changed rows by id, deletes the rows Tryton no longer has
(it deletes some records outright, such as draft sale lines), and stores the new watermark,
all in one transaction: a crash leaves the previous state and the previous watermark. Parties
the pipeline itself renamed are landed too, but are no news for the steps after the extract
when that is all that changed (warehouse/echoes.py).
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from integration_pipeline.connectors.tryton.arrow_stream import DEFAULT_BATCH_ROWS, arrow_schema
from integration_pipeline.connectors.tryton.increments import DEFAULT_OVERLAP, Watermark, advance
from integration_pipeline.connectors.tryton.reader import (
    id_summary,
    read_ids,
    read_table,
    reflect,
    source_now,
)
from integration_pipeline.connectors.tryton.source import TrytonDatabase
from integration_pipeline.warehouse.arrow_load import (
    create_table,
    delete_missing,
    insert_batches,
    merge_batches,
    transaction,
)
from integration_pipeline.warehouse.echoes import erp_source, merge_with_echoes, settle
from integration_pipeline.warehouse.fingerprint import ensure_offsets

WATERMARKS = "erp._watermarks"
# The tables the pipeline updates rows of, by the outbox's target object (syncs/apply_erp.py):
# their rows read back are told apart from news (warehouse/echoes.py).
UPDATED_BY_PIPELINE = {"party_party": "party"}


@dataclass(frozen=True)
class LandingReport:
    table: str
    mode: str  # "full" or "incremental"
    rows_read: int
    rows_deleted: int
    rows_total: int
    watermark: Watermark | None
    seconds: float
    echoes: int = 0  # rows re-read that differ only by the pipeline's own updates

    @property
    def wrote_nothing(self) -> bool:
        """The table holds what it held before (a full copy rewrites it all)."""
        return self.mode == "incremental" and self.rows_read == 0 and self.rows_deleted == 0


def land_erp_table(
    connection: duckdb.DuckDBPyConnection,
    database: TrytonDatabase,
    table_name: str,
    *,
    full_refresh: bool = False,
    overlap: timedelta = DEFAULT_OVERLAP,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> LandingReport:
    started = time.monotonic()
    engine = database.engine()
    try:
        read_at = source_now(engine)
        source_table = reflect(engine, table_name)
    finally:
        engine.dispose()
    target = f"erp.{table_name}"
    ensure_landing_tables(connection)
    previous, previous_read = _stored_watermark(connection, table_name)
    incremental = (
        not full_refresh
        and previous is not None
        and _columns(connection, target) == arrow_schema(list(source_table.columns)).names
    )
    watermark = previous if incremental else None
    stream = read_table(database, source_table, watermark, overlap, batch_rows, previous_read)

    def tracked(batches):
        nonlocal watermark
        for batch in batches:
            watermark = advance(watermark, batch)
            yield batch

    echo_object = UPDATED_BY_PIPELINE.get(table_name)
    merged = None
    with transaction(connection):
        if incremental and echo_object:
            merged = merge_with_echoes(
                connection, target, tracked(stream.batches), erp_source(echo_object)
            )
            rows_read = merged.rows
        elif incremental:
            rows_read = merge_batches(connection, target, tracked(stream.batches))
        else:
            create_table(connection, target, stream.schema)
            rows_read = insert_batches(connection, target, tracked(stream.batches))
        rows_deleted = 0
        # The table now holds every row the source had when it was read (what changed was
        # just merged), so the same count and id sum mean nothing was deleted.
        if incremental and _id_summary(connection, target) != id_summary(database, source_table):
            rows_deleted = delete_missing(connection, target, read_ids(database, source_table))
        if echo_object:
            settle(connection, target, merged if not rows_deleted else None)
        _store_watermark(connection, table_name, watermark, read_at)
    (rows_total,) = connection.execute(f"SELECT count(*) FROM {target}").fetchone()
    return LandingReport(
        table=table_name,
        mode="incremental" if incremental else "full",
        rows_read=rows_read,
        rows_deleted=rows_deleted,
        rows_total=rows_total,
        watermark=watermark,
        seconds=time.monotonic() - started,
        echoes=merged.echoes if merged else 0,
    )


def ensure_landing_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """The `erp` schema and its watermarks table (landings running side by side must find
    them there: DuckDB refuses two transactions creating the same catalog entry)."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS erp")
    ensure_offsets(connection)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {WATERMARKS} (table_name VARCHAR PRIMARY KEY, "
        "modified_at TIMESTAMP, last_id BIGINT, landed_at TIMESTAMP, read_at TIMESTAMP)"
    )
    # Warehouses made before the read's start was kept get the column now (NULL: the next
    # read is anchored at the watermark, as then).
    connection.execute(f"ALTER TABLE {WATERMARKS} ADD COLUMN IF NOT EXISTS read_at TIMESTAMP")


def _stored_watermark(
    connection: duckdb.DuckDBPyConnection, table_name: str
) -> tuple[Watermark | None, datetime | None]:
    """(the watermark, when the read that reached it began)."""
    row = connection.execute(
        f"SELECT modified_at, last_id, read_at FROM {WATERMARKS} WHERE table_name = ?",
        [table_name],
    ).fetchone()
    if row is None or row[0] is None:
        return None, None
    return Watermark(row[0], row[1]), row[2]


def _store_watermark(
    connection: duckdb.DuckDBPyConnection,
    table_name: str,
    watermark: Watermark | None,
    read_at: datetime,
) -> None:
    # An empty table keeps a row with a NULL watermark: "landed, nothing to resume from".
    connection.execute(
        f"INSERT OR REPLACE INTO {WATERMARKS} "
        "(table_name, modified_at, last_id, landed_at, read_at) VALUES (?, ?, ?, ?, ?)",
        [
            table_name,
            watermark.modified_at if watermark else None,
            watermark.last_id if watermark else None,
            datetime.now(UTC).replace(tzinfo=None),  # UTC, as the outbox's times
            read_at,
        ],
    )


def _id_summary(connection: duckdb.DuckDBPyConnection, target: str) -> tuple[int, int]:
    ((count, total),) = connection.execute(
        f"SELECT count(id), coalesce(sum(id), 0) FROM {target}"
    ).fetchall()  # fetchall: a result left unfinished blocks the connection's next statement
    return int(count), int(total)


def _columns(connection: duckdb.DuckDBPyConnection, target: str) -> list[str] | None:
    schema_name, table_name = target.split(".")
    names = [
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema_name, table_name],
        ).fetchall()
    ]
    return names or None
