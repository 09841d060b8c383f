"""Landing Tryton tables: a full copy, then only what changed, deletes included, on both
backends; the result always equals a fresh full copy."""

from datetime import timedelta

import duckdb
import pytest
import sqlalchemy as sa

from integration_pipeline.connectors.tryton.reader import reflect, source_now
from integration_pipeline.connectors.tryton.source import TrytonDatabase
from integration_pipeline.syncs.outbox import Outcome, add_planned, mark
from integration_pipeline.syncs.planning import PlannedWrite
from integration_pipeline.warehouse import erp_landing
from integration_pipeline.warehouse.erp_landing import land_erp_table
from integration_pipeline.warehouse.fingerprint import extract_version
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow
NO_OVERLAP = timedelta(0)


def _rows(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return connection.execute(f"SELECT * FROM erp.{table} ORDER BY id").fetchall()


def test_incremental_landing_reads_only_changes_and_equals_a_full_copy(erp, tmp_path):
    database = TrytonDatabase(erp.db_url)
    warehouse = duckdb.connect(str(tmp_path / "incremental.duckdb"))
    tables = ("party_party", "party_contact_mechanism", "sale_sale", "sale_line")
    first = {t: land_erp_table(warehouse, database, t, overlap=NO_OVERLAP) for t in tables}
    assert {r.mode for r in first.values()} == {"full"}
    assert all(r.rows_read == r.rows_total > 0 for r in first.values())

    with session_of(erp) as session:
        (new_party,) = session.model("party.party", "create", [{"name": "Navid Sadeghi"}])
        (existing,) = session.model("party.party", "search", [["id", "!=", new_party]], 0, 1, None)
        session.model("party.party", "write", [existing], {"name": "Renamed in the ERP"})
        # A draft sale's lines are deleted outright when the sale is deleted.
        (draft,) = session.model("sale.sale", "search", [["state", "=", "done"]], 0, 1, None)
        (copy,) = session.model("sale.sale", "copy", [draft], {})
        (lines,) = session.model("sale.sale", "read", [copy], ["lines"])
    land_erp_table(warehouse, database, "sale_line", overlap=NO_OVERLAP)
    land_erp_table(warehouse, database, "sale_sale", overlap=NO_OVERLAP)
    with session_of(erp) as session:
        session.model("sale.sale", "delete", [copy])

    second = {t: land_erp_table(warehouse, database, t, overlap=NO_OVERLAP) for t in tables}
    assert {r.mode for r in second.values()} == {"incremental"}
    assert second["party_party"].rows_read == 2  # the new party and the renamed one
    assert second["party_contact_mechanism"].rows_read == 0
    assert second["party_contact_mechanism"].wrote_nothing
    assert not second["party_party"].wrote_nothing and not second["sale_line"].wrote_nothing
    assert not any(r.wrote_nothing for r in first.values())  # full copies
    assert second["sale_line"].rows_deleted == len(lines["lines"]) > 0
    assert second["sale_sale"].rows_deleted == 1
    assert second["party_party"].watermark > first["party_party"].watermark

    fresh = duckdb.connect(str(tmp_path / "full.duckdb"))
    for table in tables:
        land_erp_table(fresh, database, table)
        assert _rows(warehouse, table) == _rows(fresh, table), table
    names = dict(warehouse.execute("SELECT id, name FROM erp.party_party").fetchall())
    assert names[existing] == "Renamed in the ERP" and names[new_party] == "Navid Sadeghi"


def test_overlap_rereads_without_duplicating(running_erp, tmp_path):
    database = TrytonDatabase(running_erp.db_url)
    warehouse = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = land_erp_table(warehouse, database, "party_party")
    again = land_erp_table(warehouse, database, "party_party", overlap=timedelta(days=3650))
    assert again.mode == "incremental" and again.rows_read == first.rows_total
    assert again.rows_total == first.rows_total
    assert warehouse.execute("SELECT count(DISTINCT id) FROM erp.party_party").fetchone() == (
        first.rows_total,
    )


def test_a_landing_that_fails_half_way_keeps_the_previous_state_and_watermark(
    running_erp, tmp_path, monkeypatch
):
    database = TrytonDatabase(running_erp.db_url)
    warehouse = duckdb.connect(str(tmp_path / "w.duckdb"))
    before = land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    with session_of(running_erp) as session:
        session.model("party.party", "create", [{"name": "Late Arrival"}])

    def crash(*_):  # after the changed rows were merged, before the deletes and the watermark
        raise ConnectionError("the ERP went away")

    monkeypatch.setattr(erp_landing, "id_summary", crash)
    with pytest.raises(ConnectionError):
        land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    stored = warehouse.execute(
        "SELECT modified_at, last_id FROM erp._watermarks WHERE table_name = 'party_party'"
    ).fetchone()
    assert stored == (before.watermark.modified_at, before.watermark.last_id)
    assert warehouse.execute("SELECT count(*) FROM erp.party_party").fetchone() == (
        before.rows_total,
    )
    monkeypatch.undo()
    after = land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    assert after.rows_read == 1 and after.rows_total == before.rows_total + 1


def test_the_read_anchor_is_on_the_clock_tryton_stamps_with(erp):
    """A later read starts an overlap before the previous read's start, taken from the
    database: it must be on the clock of Tryton's create/write dates, on either backend."""
    database = TrytonDatabase(erp.db_url)
    engine = database.engine()
    try:
        before = source_now(engine)
        with session_of(erp) as session:
            (party,) = session.model("party.party", "create", [{"name": "Clock Check"}])
        after = source_now(engine)
        table = reflect(engine, "party_party")
        with engine.connect() as connection:
            stamped = connection.execute(
                sa.select(table.c.create_date).where(table.c.id == party)
            ).scalar_one()
    finally:
        engine.dispose()
    slack = timedelta(seconds=2)  # SQLite's stamps are Python's, read at another instant
    assert before - slack <= stamped <= after + slack


def test_the_pipelines_own_party_update_read_back_keeps_the_tables_version(running_erp, tmp_path):
    """No ping-pong: the party the pipeline renamed is read back and landed, but it is not
    news for the steps after the extract; a change made by someone else is."""
    database = TrytonDatabase(running_erp.db_url)
    warehouse = duckdb.connect(str(tmp_path / "w.duckdb"))
    land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    landed = extract_version(warehouse, "erp.party_party")
    (renamed, code), (touched, _) = warehouse.execute(
        "SELECT id, code FROM erp.party_party WHERE active ORDER BY id LIMIT 2"
    ).fetchall()
    # As the apply step sends: planned in the outbox, sent, marked sent.
    write = PlannedWrite("customer_fields_to_erp:echo", code, "update", {"name": "Kavir"})
    add_planned(warehouse, "customer_fields_to_erp", "erp", "party", [write], "run-1")
    with session_of(running_erp) as session:
        session.model("party.party", "write", [renamed], write.payload)
    mark(warehouse, [Outcome(write.idempotency_key, "sent", target_id=str(renamed))], "run-1")

    echoed = land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    assert (echoed.rows_read, echoed.echoes) == (1, 1)
    assert extract_version(warehouse, "erp.party_party") == landed
    assert warehouse.execute(
        f"SELECT name FROM erp.party_party WHERE id = {renamed}"
    ).fetchone() == ("Kavir",)

    with session_of(running_erp) as session:
        session.model("party.party", "write", [touched], {"name": "Renamed in the ERP"})
    news = land_erp_table(warehouse, database, "party_party", overlap=NO_OVERLAP)
    assert (news.rows_read, news.echoes) == (1, 0)
    assert extract_version(warehouse, "erp.party_party") != landed
