"""Where an incremental read of a Tryton table starts: the watermark, or the previous read."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from integration_pipeline.connectors.tryton.increments import Watermark, changed_since

TABLE = sa.Table(
    "stock_move",
    sa.MetaData(),
    sa.Column("id", sa.Integer),
    sa.Column("create_date", sa.DateTime),
    sa.Column("write_date", sa.DateTime),
)
SEEDED = Watermark(datetime(2026, 12, 5, 6, 16), 555_707)  # every row came in one burst
OVERLAP = timedelta(minutes=5)


def _bounds(statement: sa.Select) -> tuple[datetime, int]:
    params = statement.compile().params
    return params["since"], params["after_id"]


def test_without_a_previous_read_the_overlap_is_anchored_at_the_watermark():
    statement = changed_since(TABLE, list(TABLE.columns), SEEDED, OVERLAP)
    assert _bounds(statement) == (datetime(2026, 12, 5, 6, 11), 555_707)


def test_a_previous_read_anchors_the_overlap_so_an_old_burst_is_not_read_again():
    read_at = datetime(2026, 12, 5, 6, 47)
    statement = changed_since(TABLE, list(TABLE.columns), SEEDED, OVERLAP, read_at)
    assert _bounds(statement) == (datetime(2026, 12, 5, 6, 42), 0)


def test_no_watermark_reads_everything():
    statement = changed_since(TABLE, list(TABLE.columns), None, OVERLAP, datetime(2026, 1, 1))
    assert statement.whereclause is None
