"""The stock-moves sensor against a real Tryton: a run when stock moved, none when it did not,
and an ERP database that does not answer keeps the cursor."""

from datetime import date
from decimal import Decimal

import dagster as dg
import pytest

from integration_pipeline.connectors.tryton.writes import SaleLineWrite, SaleWrite, TrytonWriter
from integration_pipeline.definitions import defs
from integration_pipeline.orchestration.stock_moves import stock_moves_sensor
from integration_pipeline.resources import ErpDatabase
from integration_pipeline_tests.conftest import free_port, session_of

pytestmark = pytest.mark.slow
JOB = dg.define_asset_job("sync_stock_under_test", selection=dg.AssetSelection.all())


def _tick(sensor, erp_db: ErpDatabase, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, resources={"erp_db": erp_db})
    return sensor(context), context.cursor


def test_stock_moved_in_the_erp_starts_the_stock_sync_once(running_erp):
    db_file = running_erp.settings.erp_dir / "db" / f"{running_erp.settings.database}.sqlite"
    erp_db = ErpDatabase(url=f"sqlite:///{db_file}")
    sensor = stock_moves_sensor(JOB)

    first, cursor = _tick(sensor, erp_db, None)
    assert isinstance(first, dg.RunRequest) and cursor  # catch up once at the start
    quiet, same = _tick(sensor, erp_db, cursor)
    assert isinstance(quiet, dg.SkipReason) and same == cursor

    # A sale confirmed in Tryton makes its shipment's stock moves.
    with session_of(running_erp) as session:
        writer = TrytonWriter(session)
        party = session.model("party.party", "search_read", [], 0, 1, None, ["code"])[0]["code"]
        line = SaleLineWrite(sorted(writer._products)[0], Decimal(1), Decimal("1000000"))
        writer.place_sales([SaleWrite("test:stock-moves", party, date(2026, 11, 20), (line,))])
    moved, after = _tick(sensor, erp_db, cursor)
    assert isinstance(moved, dg.RunRequest) and after != cursor
    assert moved.run_key != first.run_key
    again, _ = _tick(sensor, erp_db, after)
    assert isinstance(again, dg.SkipReason)


def test_an_erp_database_that_does_not_answer_fails_the_tick_and_says_what_to_set():
    url = f"postgresql+psycopg2://root:secret@127.0.0.1:{free_port()}/tryton"
    cursor = "2026-11-01 10:00:00|42"
    context = dg.build_sensor_context(cursor=cursor, resources={"erp_db": ErpDatabase(url=url)})
    with pytest.raises(dg.DagsterError) as failed:  # the resource's Failure, wrapped
        stock_moves_sensor(JOB)(context)
    message = str(failed.value.__cause__ or failed.value)
    assert "INTEGRATION_PIPELINE_ERP_DB_URL" in message and "secret" not in message
    assert context.cursor == cursor  # a failed tick moves nothing


def test_the_nightly_schedule_reads_every_erp_table_and_crm_object_in_full():
    schedule = defs.resolve_schedule_def("nightly_full_sync")
    main = defs.resolve_job_def("main")
    (request,) = schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    ops = request.run_config["ops"]
    extract_steps = {
        n.name for n in main.nodes if n.name == "erp_extract" or n.name.startswith("crm__")
    }
    assert "erp_extract" in extract_steps and any(n.startswith("crm__") for n in extract_steps)
    assert set(ops) == extract_steps and all(o["config"]["full_refresh"] for o in ops.values())
    assert dg.validate_run_config(main, request.run_config)
