"""The sandbox on the machine's PostgreSQL server: build, serve, reuse, stop."""

import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa

from integration_pipeline.sandbox import manager
from integration_pipeline.sandbox.tryton.database import template_key
from integration_pipeline.sandbox.tryton.postgres import Server
from integration_pipeline_tests.conftest import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_up_builds_a_template_copies_it_and_serves_it(
    postgres_url, test_settings, tmp_path, demo_dataset
):
    database = f"ip_test_{uuid.uuid4().hex[:8]}"
    settings = replace(
        test_settings,
        data_dir=tmp_path,
        postgres_url=postgres_url,
        database=database,
        erp_port=free_port(),
        crm_port=free_port(),
    )
    server = Server(postgres_url)
    template = f"ipt_{template_key(settings)}"
    messages: list[str] = []
    # Each run builds anew: a template left by an earlier run would hide the build path.
    server.drop(template)
    try:
        described = manager.up(settings, messages.append)
        erp = described["erp"]
        assert erp["running"] and erp["backend"] == "postgresql"
        assert erp["db_url"] == f"postgresql+psycopg://root@127.0.0.1:5432/{database}"
        assert server.exists(template) and server.is_ready(database)
        assert not server.exists(f"{template}_building")
        engine = sa.create_engine(erp["db_url"])
        with engine.connect() as connection:
            parties = connection.execute(
                sa.text("SELECT count(*) FROM party_party WHERE code LIKE 'C%'")
            ).scalar_one()
            sales = connection.execute(sa.text("SELECT count(*) FROM sale_sale")).scalar_one()
        engine.dispose()
        assert (parties, sales) == (len(demo_dataset.erp_parties), len(demo_dataset.erp_sales))

        manager.down(settings, messages.append)
        again = manager.up(settings, messages.append)  # reuses the ready database
        assert any("reusing the Tryton database" in m for m in messages)
        assert again["erp"]["running"]
    finally:
        manager.down(settings, messages.append)
        server.drop(database)
        server.drop(template)
