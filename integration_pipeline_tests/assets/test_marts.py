"""The marts built from a real (copied) Tryton, the real CRM sandbox and a real DuckDB: the
360 view agrees with Tryton's own tables, the lookup finds customers under their dirty
spellings, every KPI is a number or a reason, the forecast reaches Tryton as confirmed stock
forecasts, and the insights reach the CRM."""

import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.analytics.customer_lookup import lookup
from integration_pipeline.analytics.kpis import KPI_DEFINITIONS
from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customers_core import (
    core_crm_customer_facts,
    core_customer_id_map,
    core_customers,
    staging_customer_records,
)
from integration_pipeline.assets.erp_balances import (
    staging_erp_party_credit,
    staging_erp_stock_levels,
)
from integration_pipeline.assets.erp_planning import erp_stock_forecasts
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.marts import mart_assets
from integration_pipeline.assets.staging import staging_erp_customers, staging_erp_party_codes
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.customer_insights import CUSTOMER_INSIGHTS
from integration_pipeline.entities.restock import RESTOCK
from integration_pipeline.resources import ErpDatabase, HubSpotResource, TrytonErp
from integration_pipeline.syncs.factory import build_sync
from integration_pipeline_tests.conftest import TEST_DEMO, session_of

pytestmark = pytest.mark.slow
CLI = str(Path(sys.executable).parent / "integration-pipeline")
AS_OF = {"config": {"as_of": TEST_DEMO["as_of"].isoformat()}}


def _assets():
    insights, _, _ = build_sync(CUSTOMER_INSIGHTS)
    restock, _, _ = build_sync(RESTOCK)
    return [
        *erp_raw_assets,
        *crm_raw_assets,
        staging_erp_customers,
        staging_erp_party_codes,
        staging_erp_party_credit,
        staging_erp_stock_levels,
        staging_customer_records,
        core_customers,
        core_customer_id_map,
        core_crm_customer_facts,
        *mart_assets,
        erp_stock_forecasts,
        *insights,
        *restock,
    ]


@pytest.fixture
def built(running_erp, crm, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    monkeypatch.setenv("INTEGRATION_PIPELINE_DATA", str(tmp_path / "data"))
    db_file = running_erp.settings.erp_dir / "db" / f"{running_erp.settings.database}.sqlite"
    warehouse = tmp_path / "w.duckdb"
    resources = {
        "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
        "erp": TrytonErp(
            rpc_url=running_erp.server_url, database=running_erp.settings.database, sandbox=True
        ),
        "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        "warehouse": DuckDBResource(database=str(warehouse)),
    }
    config = {
        "ops": {
            key: AS_OF
            for key in (
                "marts__churn_scores",
                "marts__customer_360",
                "marts__kpis",
                "marts__demand_forecast",
                "staging__erp_party_credit",
                "staging__erp_stock_levels",
            )
        }
    }
    result = dg.materialize(_assets(), resources=resources, run_config=config)
    assert result.success
    return result, resources, warehouse, db_file, running_erp


def test_marts_agree_with_both_systems(built, crm, demo_dataset):
    result, resources, warehouse, db_file, running_erp = built
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        customers = connection.execute("SELECT count(*) FROM core.customers").fetchone()[0]
        view = connection.execute("SELECT * FROM marts.customer_360").df()
        kpis = connection.execute("SELECT * FROM marts.kpis_monthly").df()
    assert len(view) == customers == view["golden_id"].nunique()

    # Orders and revenue per customer equal Tryton's own sales of its parties.
    with sqlite3.connect(db_file) as erp:
        sales = dict(
            erp.execute(
                "SELECT p.code, count(*) FROM sale_sale s JOIN party_party p ON p.id = s.party "
                "WHERE s.state IN ('confirmed', 'processing', 'done') GROUP BY 1"
            ).fetchall()
        )
    for row in view[view["erp_party_codes"].notna()].itertuples():
        assert row.orders == sum(sales.get(code, 0) for code in row.erp_party_codes)
    assert view["orders"].sum() == sum(sales.values())
    assert (view["invoices_overdue"] <= view["invoices_open"]).all()

    # Every KPI of every month: a finite number, or no number and a reason.
    assert set(kpis["kpi"]) == set(KPI_DEFINITIONS)
    has_value = kpis["value"].notna()
    assert (has_value ^ kpis["missing_reason"].notna()).all()
    assert all(math.isfinite(v) for v in kpis.loc[has_value, "value"])
    cac = kpis[kpis["kpi"] == "cac"]
    new = kpis[kpis["kpi"] == "new_customers"].set_index("month")["value"]
    no_new = cac[cac["month"].map(new) == 0]
    assert no_new["value"].isna().all()
    assert (no_new["missing_reason"].str.contains("no new customers|no spend")).all()

    # The forecast is in Tryton as confirmed stock forecasts with lines.
    with session_of(running_erp) as session:
        forecasts = session.model(
            "stock.forecast",
            "search_read",
            # Tryton counts a forecast whose weeks are over as inactive: the test's as-of
            # date is in the past.
            [["state", "=", "done"]],
            0,
            None,
            None,
            ["lines"],
            context={"active_test": False},
        )
    planned = result.asset_materializations_for_node("planning__erp_stock_forecasts")[0]
    assert len(forecasts) == planned.metadata["written"].value > 0
    assert all(f["lines"] for f in forecasts)

    # Churn risk and the next-best product are on the CRM companies, restock on products.
    with HubSpotClient(crm.url, crm.token) as client:
        companies = [
            r
            for page in client.pages("companies", ["churn_risk", "next_best_product"], [])
            for r in page
        ]
        products = [r for page in client.pages("products", ["erp_days_of_cover"], []) for r in page]
    assert any(c["properties"].get("churn_risk") for c in companies)
    assert any(c["properties"].get("next_best_product") for c in companies)
    assert any(p["properties"].get("erp_days_of_cover") for p in products)

    # A second run writes nothing to Tryton again.
    again = dg.materialize(
        _assets(),
        resources=resources,
        selection=[dg.AssetKey(["planning", "erp_stock_forecasts"])],
    )
    assert (
        again.asset_materializations_for_node("planning__erp_stock_forecasts")[0]
        .metadata["written"]
        .value
        == 0
    )


def test_lookup_finds_customers_under_their_dirty_spellings(built, demo_dataset):
    _, _, warehouse, _, _ = built
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        golden_of = dict(
            connection.execute(
                "SELECT record_id, golden_id FROM core.customer_id_map WHERE system = 'erp'"
            ).fetchall()
        )
    found_any = 0
    for party in demo_dataset.erp_parties:
        if party.code not in golden_of:
            continue
        # The ERP's own (dirty) spelling of the name, and its phone as typed there.
        by_name = lookup(party.name, warehouse)
        assert golden_of[party.code] in set(by_name["golden_id"]), party.name
        phones = [value for kind, value in party.contacts if kind in ("phone", "mobile")]
        if phones:
            by_phone = lookup(phones[0], warehouse)
            assert golden_of[party.code] in set(by_phone["golden_id"]), phones[0]
        found_any += 1
    assert found_any >= 10

    # The command, as a person runs it: the view printed, or a clear "no match".
    party = next(p for p in demo_dataset.erp_parties if p.code in golden_of)
    shown = subprocess.run(
        [CLI, "customer360", party.name, "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert golden_of[party.code] in shown.stdout
    for section in ("identity", "sales", "finance", "shipments", "outlook"):
        assert f"\n  {section}\n" in shown.stdout
    as_json = subprocess.run(
        [CLI, "customer360", party.name, "--warehouse", str(warehouse), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert golden_of[party.code] in {row["golden_id"] for row in json.loads(as_json.stdout)}
    missing = subprocess.run(
        [CLI, "customer360", "zzqx nobody", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1 and "no customer matches" in missing.stderr


def test_lookup_says_what_to_do_without_a_mart(tmp_path):
    from integration_pipeline.analytics.customer_lookup import LookupUnavailable

    with pytest.raises(LookupUnavailable, match="integration-pipeline demo"):
        lookup("x", tmp_path / "missing.duckdb")
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    with pytest.raises(LookupUnavailable, match="marts/customer_360"):
        lookup("x", tmp_path / "empty.duckdb")
