"""Duplicates merged in the real CRM sandbox and the real Tryton only when configured."""

from datetime import date

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.customers_core import core_customer_merges
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.tryton.writes import (
    AddressWrite,
    PartyWrite,
    SaleLineWrite,
    SaleWrite,
    TrytonWriter,
)
from integration_pipeline.resources import HubSpotResource, TrytonErp
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow


def test_merges_are_planned_then_applied_in_both_systems(running_erp, crm, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    monkeypatch.setenv("TEST_ERP_PASSWORD", running_erp.settings.erp_password)
    with HubSpotClient(crm.url, crm.token) as client:
        kept = client.call(
            "POST", "/crm/v3/objects/companies", json={"properties": {"name": "Kavir"}}
        )
        duplicate = client.call(
            "POST",
            "/crm/v3/objects/companies",
            json={"properties": {"name": "KAVIR Co", "phone": "+982188881234"}},
        )
    with session_of(running_erp) as session:
        writer = TrytonWriter(session)
        address = AddressWrite(city="Tehran")
        parties = writer.upsert_parties(
            [
                PartyWrite("M-1", "Kavir", address=address),
                PartyWrite("M-2", "KAVIR Co", address=address),
            ]
        )
        product = sorted(writer._products)[0]
        (sale,) = writer.place_sales(
            [SaleWrite("test:merge", "M-2", date(2026, 11, 20), (SaleLineWrite(product, 1, 1000),))]
        )
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("CREATE SCHEMA core")
        connection.execute(
            "CREATE TABLE core.customer_id_map AS SELECT * FROM (VALUES "
            f"('G1', 'crm', 'companies:{kept['id']}'), "
            f"('G1', 'crm', 'companies:{duplicate['id']}'),"
            " ('G1', 'erp', 'M-1'), ('G1', 'erp', 'M-2')) t(golden_id, system, record_id)"
        )
    resources = {
        "warehouse": DuckDBResource(database=str(warehouse)),
        "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        "erp": TrytonErp(
            rpc_url=running_erp.server_url,
            database=running_erp.settings.database,
            password_env_var="TEST_ERP_PASSWORD",
        ),
    }

    planned = dg.materialize([core_customer_merges], resources=resources)
    assert planned.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT system, kept, duplicate, status FROM core.customer_merges ORDER BY system"
        ).fetchall()
    assert rows == [
        ("crm", kept["id"], duplicate["id"], "planned"),
        ("erp", "M-1", "M-2", "planned"),
    ]
    with HubSpotClient(crm.url, crm.token) as client:
        assert not client.call("GET", f"/crm/v3/objects/companies/{duplicate['id']}")["archived"]

    applied = dg.materialize(
        [core_customer_merges],
        resources=resources,
        run_config={"ops": {"core__customer_merges": {"config": {"apply": True}}}},
    )
    assert applied.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        statuses = connection.execute("SELECT status FROM core.customer_merges").fetchall()
    assert statuses == [("merged",), ("merged",)]
    with HubSpotClient(crm.url, crm.token) as client:
        merged = client.call(
            "GET",
            f"/crm/v3/objects/companies/{kept['id']}",
            params={"properties": "name,phone,hs_merged_object_ids"},
        )
        archived = client.call("GET", "/crm/v3/objects/companies", params={"archived": "true"})
    assert merged["properties"]["phone"] == "+982188881234"  # gained from the duplicate
    assert merged["properties"]["hs_merged_object_ids"] == duplicate["id"]
    assert duplicate["id"] in {r["id"] for r in archived["results"]}
    with session_of(running_erp) as session:
        (gone,) = session.model("party.party", "read", [parties["M-2"]], ["active", "replaced_by"])
        (moved,) = session.model("sale.sale", "read", [sale.sale_id], ["party"])
    assert gone == {"id": parties["M-2"], "active": False, "replaced_by": parties["M-1"]}
    assert moved["party"] == parties["M-1"]
