"""The Arrow reader returns exactly what the database holds, typed from the declared columns."""

from decimal import Decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

from integration_pipeline.connectors.tryton.reader import read_ids, read_table, reflect
from integration_pipeline.connectors.tryton.source import TrytonDatabase
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, erp_database) -> TrytonDatabase:
    if request.param == "sqlite":
        return TrytonDatabase(sqlalchemy_url(erp_database, erp_database.database))
    return TrytonDatabase(request.getfixturevalue("postgres_erp").db_url)


def _sqlalchemy_rows(database: TrytonDatabase, table_name: str, columns: list[str]) -> list:
    engine = database.engine()
    table = reflect(engine, table_name)  # typed columns: dates and timestamps as Python values
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(*(table.c[c] for c in columns)).order_by(table.c.id)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_sales_read_as_arrow_equal_the_rows_sqlalchemy_reads(database):
    engine = database.engine()
    table = reflect(engine, "sale_sale")
    engine.dispose()
    stream = read_table(database, table, batch_rows=7)  # many small batches
    batches = list(stream.batches)
    assert len(batches) > 1 and all(b.schema == stream.schema for b in batches)
    arrow = pa.Table.from_batches(batches).sort_by("id")
    assert arrow.schema.field("total_amount_cache").type == pa.decimal128(38, 10)
    assert arrow.schema.field("write_date").type == pa.timestamp("us")
    columns = ["id", "number", "state", "party", "sale_date", "write_date"]
    expected = _sqlalchemy_rows(database, "sale_sale", columns)
    got = list(zip(*(arrow.column(c).to_pylist() for c in columns), strict=True))
    assert got == expected
    # Decimals exactly (SQLAlchemy's processor cannot read Tryton's SQLite encoding).
    totals = [v for v in arrow.column("total_amount_cache").to_pylist() if v is not None]
    assert totals and all(
        isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in totals
    )


def test_a_column_null_in_the_first_batch_keeps_its_type(database):
    # The SQLite driver fixes a column's type from the first batch: all NULL there, text later.
    writable = sa.create_engine(database.url)
    with writable.begin() as connection:
        connection.execute(sa.text("UPDATE sale_sale SET reference = NULL"))
        connection.execute(
            sa.text(
                "UPDATE sale_sale SET reference = 'hubspot-deal:9' WHERE id = "
                "(SELECT max(id) FROM sale_sale)"
            )
        )
    writable.dispose()
    engine = database.engine()
    table = reflect(engine, "sale_sale")
    engine.dispose()
    column = pa.Table.from_batches(list(read_table(database, table, batch_rows=3).batches)).column(
        "reference"
    )
    assert column.type == pa.string()
    assert [v for v in column.to_pylist() if v is not None] == ["hubspot-deal:9"]


def test_ids_list_every_row(database):
    engine = database.engine()
    table = reflect(engine, "party_party")
    engine.dispose()
    ids = read_ids(database, table).to_pylist()
    assert sorted(ids) == [r[0] for r in _sqlalchemy_rows(database, "party_party", ["id"])]


def test_intervals_read_as_seconds(database):
    thirty_days = "interval '30 days'" if database.backend == "postgresql" else "2592000.0"
    writable = sa.create_engine(database.url)
    with writable.begin() as connection:
        (first,) = connection.execute(sa.text("SELECT min(id) FROM sale_sale")).one()
        connection.execute(
            sa.text(f"UPDATE sale_sale SET quotation_validity = {thirty_days} WHERE id = {first}")
        )
    writable.dispose()
    engine = database.engine()
    table = reflect(engine, "sale_sale")
    engine.dispose()
    arrow = pa.Table.from_batches(list(read_table(database, table).batches))
    validity = dict(
        zip(arrow["id"].to_pylist(), arrow["quotation_validity"].to_pylist(), strict=True)
    )
    assert arrow.schema.field("quotation_validity").type == pa.float64()
    assert validity[first] == 30 * 24 * 3600
