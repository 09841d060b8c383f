"""The bulk seeding path leaves Tryton in the state its business methods leave it in."""

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.database import install_database, template_key
from integration_pipeline_tests.sandbox.tryton.erp_state import erp_state

pytestmark = pytest.mark.slow


def _build_day(database: Path) -> date:
    with sqlite3.connect(database) as connection:
        (day,) = connection.execute("SELECT MAX(quotation_date) FROM sale_sale").fetchone()
    return date.fromisoformat(day)


@pytest.fixture(scope="module")
def bulk_template(test_settings: SandboxSettings, tmp_path_factory) -> Path:
    settings = replace(test_settings, seeding="bulk", data_dir=tmp_path_factory.mktemp("bulk-data"))
    install_database(settings, reset=False, progress=lambda _: None)
    return settings.cache_dir / "tryton" / f"{template_key(settings)}.sqlite"


def test_bulk_and_orm_seeding_leave_every_table_the_same(erp_template, bulk_template):
    orm = erp_state(erp_template, _build_day(erp_template))
    bulk = erp_state(bulk_template, _build_day(bulk_template))

    assert orm.keys() == bulk.keys()
    differing = [table for table in orm if orm[table] != bulk[table]]
    assert differing == [], f"tables that differ: {differing}"
    # The comparison resolved every reference between the sale flow's tables.
    unresolved = [t for t, rows in orm.items() if any("#?" in repr(row) for row in rows)]
    assert unresolved == []
    # And it compared something: the flow's tables are full.
    flow = {table.split()[1]: len(rows) for table, rows in orm.items() if table[:2].isdigit()}
    assert flow["sale_sale"] > 0 and flow["account_move_reconciliation"] > 0


def test_the_template_key_tells_the_two_paths_apart(test_settings):
    assert template_key(replace(test_settings, seeding="bulk")) != template_key(
        replace(test_settings, seeding="orm")
    )


def test_auto_seeding_goes_bulk_only_at_large_scale(test_settings):
    assert not replace(test_settings, customers=50).bulk_seeding
    assert replace(test_settings, customers=1000).bulk_seeding
    with pytest.raises(ValueError, match="seeding must be one of"):
        _ = replace(test_settings, seeding="fast").bulk_seeding
