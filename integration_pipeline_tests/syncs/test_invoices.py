"""Posted ERP invoices reach the real CRM sandbox once, on their company and their deal."""

import sqlite3

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customers_core import (
    core_customer_id_map,
    core_customers,
    staging_customer_records,
)
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers, staging_erp_party_codes
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.invoices import INVOICES
from integration_pipeline.resources import ErpDatabase, HubSpotResource
from integration_pipeline.syncs.factory import build_sync

pytestmark = pytest.mark.slow


def test_invoices_land_once_with_their_company_and_deal(erp_database, crm, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    invoices, _, _ = build_sync(INVOICES)
    assets = [
        *erp_raw_assets,
        *crm_raw_assets,
        staging_erp_customers,
        staging_erp_party_codes,
        staging_customer_records,
        core_customers,
        core_customer_id_map,
        *invoices,
    ]
    resources = {
        "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
        "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        "warehouse": DuckDBResource(database=str(tmp_path / "w.duckdb")),
    }
    first = dg.materialize(assets, resources=resources)
    assert first.success
    second = dg.materialize(assets, resources=resources)
    assert second.success
    plan = second.asset_materializations_for_node("sync__invoices__plan")[0].metadata
    assert plan["rows"].value == 0  # nothing changed: nothing planned again

    with HubSpotClient(crm.url, crm.token) as client:
        stored = [
            r
            for page in client.pages(
                "invoices", ["erp_invoice_id", "erp_invoice_state"], ["companies", "deals"]
            )
            for r in page
        ]
    with sqlite3.connect(db_file) as erp:
        posted, from_deals = erp.execute(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM account_invoice_line il"
            " JOIN sale_line sl ON il.origin = 'sale.line,' || sl.id"
            " JOIN sale_sale s ON s.id = sl.sale AND s.reference LIKE 'hubspot-deal:%'"
            " WHERE il.invoice = i.id)) "
            "FROM account_invoice i WHERE type = 'out' AND state IN ('posted', 'paid')"
        ).fetchone()
    ids = [r["properties"]["erp_invoice_id"] for r in stored]
    assert len(ids) == len(set(ids)) == posted > 0
    assert {r["properties"]["erp_invoice_state"] for r in stored} <= {"posted", "paid"}
    on_company = [r for r in stored if r.get("associations", {}).get("companies")]
    on_deal = [r for r in stored if r.get("associations", {}).get("deals")]
    assert on_company and len(on_deal) == from_deals > 0
