"""A database that is not the Tryton schema the connector reads is refused at start-up,
with everything that is missing named at once."""

import sqlite3

import dagster as dg
import pytest

from integration_pipeline.resources import ErpDatabase
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url

pytestmark = pytest.mark.slow


def test_the_seeded_sandbox_passes(erp_database):
    url = sqlalchemy_url(erp_database, erp_database.database)
    ErpDatabase(url=url).setup_for_execution(dg.build_init_resource_context())


def test_missing_modules_and_columns_are_listed(erp_database):
    url = sqlalchemy_url(erp_database, erp_database.database)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "UPDATE ir_module SET state = 'not activated' WHERE name = 'sale_opportunity'"
        )
        connection.execute("DROP TABLE sale_opportunity")
        connection.execute("ALTER TABLE stock_move DROP COLUMN internal_quantity")
    with pytest.raises(dg.Failure) as failure:
        ErpDatabase(url=url).setup_for_execution(dg.build_init_resource_context())
    message = str(failure.value)
    assert "module sale_opportunity is not activated" in message
    assert "table sale_opportunity is missing (module sale_opportunity)" in message
    assert "table stock_move lacks columns internal_quantity" in message
    assert "trytond-admin" in message


def test_a_database_that_is_not_tryton_is_named_so(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE customers (id INTEGER)").connection.commit()
    with pytest.raises(dg.Failure, match="not a Tryton database"):
        ErpDatabase(url=f"sqlite:///{path}").setup_for_execution(dg.build_init_resource_context())


def test_a_missing_database_file_says_what_to_run(tmp_path):
    with pytest.raises(dg.Failure, match="sandbox up"):
        ErpDatabase(url=f"sqlite:///{tmp_path / 'none.sqlite'}").setup_for_execution(
            dg.build_init_resource_context()
        )
