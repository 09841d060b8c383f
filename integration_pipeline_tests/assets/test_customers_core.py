"""Golden customers from the real ERP and CRM sandboxes, against the demo's truth."""

from decimal import Decimal

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customers_core import (
    core_customer_id_map,
    core_customers,
    customer_id_map_complete,
    staging_customer_records,
)
from integration_pipeline.assets.erp_balances import staging_erp_party_credit
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.cleansing.evaluation import pairs_of_clusters, quality
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.customer_credit import CUSTOMER_CREDIT
from integration_pipeline.resources import ErpDatabase, HubSpotResource
from integration_pipeline.sandbox.demo.customer_records import truth
from integration_pipeline.syncs.factory import build_sync

pytestmark = pytest.mark.slow


def test_golden_customers_match_the_truth_and_carry_erp_credit_to_the_crm(
    erp_database, crm, demo_dataset, tmp_path, monkeypatch
):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    credit_sync, _, _ = build_sync(CUSTOMER_CREDIT)
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [
            *erp_raw_assets,
            *crm_raw_assets,
            staging_erp_customers,
            staging_erp_party_credit,
            staging_customer_records,
            core_customers,
            core_customer_id_map,
            customer_id_map_complete,
            *credit_sync,
        ],
        resources={
            "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
            "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
    )
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations())
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

    # The ERP's credit figures reached the CRM companies of customers known to both systems.
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        expected_credit = dict(
            connection.execute(
                "SELECT split_part(c.record_id, ':', 2), p.credit_limit "
                "FROM core.customer_id_map c "
                "JOIN core.customer_id_map e ON e.golden_id = c.golden_id AND e.system = 'erp' "
                "JOIN staging.erp_party_credit p ON p.erp_party_code = e.record_id "
                "WHERE c.record_id LIKE 'companies:%' AND p.credit_limit IS NOT NULL"
            ).fetchall()
        )
    assert expected_credit
    with HubSpotClient(crm.url, crm.token) as client:
        companies = {
            r["id"]: r["properties"]
            for page in client.pages("companies", ["erp_credit_limit", "erp_party_id"])
            for r in page
        }
    for company_id, limit in expected_credit.items():
        assert Decimal(companies[company_id]["erp_credit_limit"]) == limit
