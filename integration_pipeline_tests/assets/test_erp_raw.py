"""The ERP extract step: which version a table keeps, and a failing table among the others."""

from datetime import datetime

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import (
    LastLanded,
    erp_asset_key,
    erp_raw_assets,
    kept_version,
    watermark_text,
)
from integration_pipeline.connectors.tryton.increments import Watermark
from integration_pipeline.connectors.tryton.tables import ERP_TABLES
from integration_pipeline.resources import ErpDatabase
from integration_pipeline.warehouse.erp_landing import LandingReport

AT = Watermark(datetime(2026, 12, 5, 10, 0), 42)


def _report(rows_read: int, watermark: Watermark | None = AT) -> LandingReport:
    return LandingReport("party_party", "incremental", rows_read, 0, 100, watermark, 0.1)


def test_a_landing_that_wrote_nothing_keeps_the_version_taken_at_its_watermark():
    last = LastLanded("w1-100-abc", watermark_text(AT))
    assert kept_version(last, _report(0)) == "w1-100-abc"


def test_a_landing_that_wrote_rows_is_hashed_again():
    last = LastLanded("w1-100-abc", watermark_text(AT))
    assert kept_version(last, _report(3)) is None


def test_rows_landed_but_never_recorded_are_hashed_again():
    """The last recorded landing was at an older watermark: a landing after it committed rows
    and died before its materialization was stored, so that version is older than the table."""
    older = Watermark(datetime(2026, 12, 5, 9, 0), 40)
    assert kept_version(LastLanded("w1-100-abc", watermark_text(older)), _report(0)) is None
    assert kept_version(None, _report(0)) is None


@pytest.mark.slow
def test_a_table_that_fails_does_not_keep_the_others_from_being_recorded(erp_database, tmp_path):
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        # A view where the opportunities' table should go: their landing cannot create it.
        connection.execute("CREATE SCHEMA erp; CREATE VIEW erp.sale_opportunity AS SELECT 1 x")
    result = dg.materialize(
        erp_raw_assets,
        resources={
            "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
        raise_on_error=False,
    )
    assert not result.success
    recorded = {e.asset_key for e in result.get_asset_materialization_events()}
    failing = erp_asset_key("sale_opportunity")
    assert recorded == {erp_asset_key(t.name) for t in ERP_TABLES} - {failing}
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures and "sale_opportunity" in str(failures[-1].step_failure_data.error)
