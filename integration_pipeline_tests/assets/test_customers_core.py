"""Golden customers from the real ERP and CRM sandboxes, against the demo's truth."""

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customers_core import (
    core_customers,
    customer_id_map_complete,
    staging_customer_records,
)
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.cleansing.evaluation import pairs_of_clusters, quality
from integration_pipeline.resources import ErpDatabase, HubSpotResource
from integration_pipeline.sandbox.demo.customer_records import truth

pytestmark = pytest.mark.slow


def test_golden_customers_match_the_truth(erp_database, crm, demo_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [
            *erp_raw_assets,
            *crm_raw_assets,
            staging_erp_customers,
            staging_customer_records,
            core_customers,
            customer_id_map_complete,
        ],
        resources={
            "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
            "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
    )
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.passed
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        id_map = connection.execute(
            "SELECT unique_id, golden_id FROM core.customer_id_map"
        ).fetchall()
        golden = connection.execute("SELECT count(*) FROM core.customers").fetchone()[0]
    expected = truth(demo_dataset)
    # The records the pipeline treats as customers are exactly the truth's.
    assert {record for record, _ in id_map} == set(expected)
    found = pairs_of_clusters(id_map)
    true_pairs = pairs_of_clusters(expected.items())
    measured = quality(found, true_pairs)
    assert measured.f1 >= 0.97, measured.as_dict()
    assert golden == len({entity for entity in expected.values()})
