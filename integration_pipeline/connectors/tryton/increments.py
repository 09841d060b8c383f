"""Incremental reads of a Tryton table: which rows changed since a watermark.

Every Tryton table has `create_date` and `write_date` (NULL until the first write). A row's
last change is `coalesce(write_date, create_date)`; rows are read strictly after the
watermark on (timestamp, id). On PostgreSQL those timestamps are the *start* of the writing
transaction, so a long transaction can commit rows stamped before a watermark already taken:
the overlap window re-reads a margin before it, and landing by primary key absorbs the repeats.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

DEFAULT_OVERLAP = timedelta(minutes=5)


@dataclass(frozen=True, order=True)
class Watermark:
    modified_at: datetime
    last_id: int


def last_modified(table: sa.Table) -> sa.ColumnElement:
    return sa.func.coalesce(table.c.write_date, table.c.create_date)


def changed_since(
    table: sa.Table,
    columns: list[sa.ColumnElement],
    watermark: Watermark | None,
    overlap: timedelta = DEFAULT_OVERLAP,
    read_at: datetime | None = None,
) -> sa.Select:
    """Rows whose (last change, id) is strictly greater than the watermark moved back by the
    overlap; everything when there is no watermark yet.

    `read_at`, when the previous read began (on the database's clock: reader.source_now),
    anchors the overlap instead of the watermark: a row that read missed was committed after
    it, by a transaction that began (and stamped it) at most an overlap before. Anchored at
    the watermark, a table whose rows all came in one burst (seeded moves) was read again in
    full on every run, its newest row being within minutes of all the others."""
    statement = sa.select(*columns)
    if watermark is None:
        return statement
    modified = last_modified(table)
    anchor, last_id = (
        (watermark.modified_at, watermark.last_id) if read_at is None else (read_at, 0)
    )
    since = sa.bindparam("since", anchor - overlap, type_=sa.DateTime())
    after_id = sa.bindparam("after_id", last_id, type_=sa.Integer())
    return statement.where(
        sa.or_(modified > since, sa.and_(modified == since, table.c.id > after_id))
    )


def advance(watermark: Watermark | None, batch: pa.RecordBatch | pa.Table) -> Watermark | None:
    """The watermark after `batch` was landed: its greatest (last change, id), if greater."""
    if batch.num_rows == 0:
        return watermark
    modified = pc.coalesce(batch.column("write_date"), batch.column("create_date"))
    latest = pc.max(modified).as_py()
    if latest is None:
        return watermark
    at_latest = pc.equal(modified, pa.scalar(latest, modified.type))
    ids_at_latest = pc.filter(batch.column("id"), at_latest)
    candidate = Watermark(latest, pc.max(ids_at_latest).as_py())
    return candidate if watermark is None or candidate > watermark else watermark
