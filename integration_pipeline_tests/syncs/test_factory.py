"""The factory on the real CRM sandbox and DuckDB: the stock sync end to end, a dry run, a
rerun after a crash between sending and recording, and a fifth entity added by a spec alone."""

import json

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.spec import EntitySync, FieldMapping, RowRule
from integration_pipeline.entities.stock import STOCK
from integration_pipeline.orchestration.reuse import REUSED_FROM
from integration_pipeline.resources import HubSpotResource
from integration_pipeline.syncs import outbox
from integration_pipeline.syncs.factory import build_sync

pytestmark = pytest.mark.slow


def _warehouse_with_stock(path, demo_dataset, crm) -> None:
    """Stock levels as the ERP extraction would stage them, and the CRM products as landed."""
    codes = [p.code for p in demo_dataset.products]
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA staging")
        connection.execute(
            "CREATE TABLE staging.erp_stock_levels (warehouse_code VARCHAR, product_code VARCHAR,"
            " on_hand DOUBLE, forecast DOUBLE, as_of DATE)"
        )
        for n, code in enumerate(codes):
            connection.execute(
                "INSERT INTO staging.erp_stock_levels VALUES ('WH', ?, ?, ?, DATE '2026-12-04')",
                [code, float(n), float(n) - 0.5],
            )
        connection.execute(
            "INSERT INTO staging.erp_stock_levels VALUES ('WH', NULL, 1, 1, DATE '2026-12-04')"
        )
        connection.execute("CREATE SCHEMA crm")
        connection.execute(
            "CREATE TABLE crm.products (id BIGINT, properties VARCHAR, archived BOOLEAN)"
        )
        with HubSpotClient(crm.url, crm.token) as client:
            for page in client.pages("products", ["hs_sku"]):
                for record in page:
                    connection.execute(
                        "INSERT INTO crm.products VALUES (?, ?, false)",
                        [int(record["id"]), json.dumps(record["properties"])],
                    )


def _materialize(assets, warehouse, crm, dry_run=False):
    return dg.materialize(
        assets,
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        },
        run_config={"ops": {"sync__stock__apply": {"config": {"dry_run": dry_run}}}},
    )


def test_stock_reaches_the_crm_once_with_a_dry_run_first(crm, demo_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_stock(warehouse, demo_dataset, crm)
    assets, job, schedule = build_sync(STOCK)
    assert job.name == "sync_stock" and schedule.cron_schedule == "*/15 * * * *"

    dry = _materialize(assets, warehouse, crm, dry_run=True)
    assert dry.success
    apply_meta = dry.asset_materializations_for_node("sync__stock__apply")[0].metadata
    assert apply_meta["would_update"].value == len(demo_dataset.products)
    with HubSpotClient(crm.url, crm.token) as client:
        names = {p["name"] for p in client.call("GET", "/crm/v3/properties/products")["results"]}
    assert "erp_qty_on_hand" not in names  # the dry run wrote nothing

    real = _materialize(assets, warehouse, crm)
    assert real.success
    checks = {c.check_name: c.passed for c in real.get_asset_check_evaluations()}
    assert checks == {"stock_keys_unique": True, "stock_bad_share": True, "stock_reconciled": True}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        statuses = dict(
            connection.execute("SELECT status, count(*) FROM sync.outbox GROUP BY 1").fetchall()
        )
        quarantined = connection.execute(
            "SELECT entity, rule, field FROM quality.quarantine"
        ).fetchall()
    assert statuses == {"sent": len(demo_dataset.products)}
    assert quarantined == [("stock", "not_null", "key")]
    code = demo_dataset.products[3].code
    with HubSpotClient(crm.url, crm.token) as client:
        found = client.search(
            "products",
            {
                "filterGroups": [
                    {"filters": [{"propertyName": "hs_sku", "operator": "EQ", "value": code}]}
                ],
                "properties": ["erp_qty_on_hand", "erp_qty_forecast", "erp_stock_updated_at"],
            },
        )["results"]
        count_before = client.call("GET", "/crm/v3/objects/products", params={"limit": 100})
    assert len(found) == 1
    assert found[0]["properties"]["erp_qty_on_hand"] in ("3", "3.0")
    assert found[0]["properties"]["erp_stock_updated_at"] == "2026-12-04"

    # A crash after sending, before recording: the rows are pending again; the rerun resends
    # them as upserts and the CRM still has one product per SKU.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("UPDATE sync.outbox SET status = 'pending'")
    rerun = _materialize(assets[2:], warehouse, crm)
    assert rerun.success
    with HubSpotClient(crm.url, crm.token) as client:
        count_after = client.call("GET", "/crm/v3/objects/products", params={"limit": 100})
    assert len(count_after["results"]) == len(count_before["results"])
    with duckdb.connect(str(warehouse)) as connection:
        assert outbox.pending(connection, "stock") == []


def test_a_fifth_entity_comes_from_a_spec_alone(crm, demo_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_stock(warehouse, demo_dataset, crm)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "CREATE TABLE staging.erp_product_names AS SELECT product_code AS code, "
            "'Renamed ' || product_code AS name FROM staging.erp_stock_levels "
            "WHERE product_code IS NOT NULL"
        )
    names = EntitySync(
        name="product_names",
        description="ERP product names on CRM products.",
        source_system="erp",
        target_system="crm",
        target_object="products",
        upstream=(("staging", "erp_product_names"),),
        staging_sql="SELECT code AS key, name FROM staging.erp_product_names",
        current_sql="SELECT properties ->> 'hs_sku' AS key, properties FROM crm.products",
        id_property="hs_sku",
        fields=(FieldMapping(source="name", target="name", owner="erp"),),
        row_rules=(RowRule(column="name", rule="not_null"),),
        group="products",
    )
    assets, job, _ = build_sync(names)
    result = dg.materialize(
        assets,
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        },
    )
    assert result.success and job.name == "sync_product_names"
    with HubSpotClient(crm.url, crm.token) as client:
        products = [r for page in client.pages("products", ["name"]) for r in page]
    assert {p["properties"]["name"] for p in products} == {
        f"Renamed {p.code}" for p in demo_dataset.products
    }


def test_the_key_check_keeps_its_verdict_while_the_keys_it_read_stay_the_same(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "CREATE SCHEMA staging; CREATE TABLE staging.names AS "
            "SELECT * FROM (VALUES ('P1', 'Tea'), ('P2', 'Rice')) t(code, name)"
        )
    names = EntitySync(
        name="names",
        description="Names.",
        source_system="erp",
        target_system="crm",
        target_object="products",
        upstream=(("staging", "names"),),
        staging_sql="SELECT code AS key, name FROM staging.names",
        current_sql="SELECT NULL AS key, NULL AS properties",
        id_property="hs_sku",
        fields=(FieldMapping(source="name", target="name", owner="erp"),),
        group="products",
    )
    staged = build_sync(names)[0][0]
    instance = dg.DagsterInstance.ephemeral()

    def verdict(sql: str) -> dg.AssetCheckEvaluation:
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(sql)
        result = dg.materialize(
            [staged],
            instance=instance,
            resources={"warehouse": DuckDBResource(database=str(warehouse))},
            raise_on_error=False,
        )
        (keys,) = [e for e in result.get_asset_check_evaluations() if "keys" in e.check_name]
        return keys

    first = verdict("SELECT 1")
    assert first.passed and REUSED_FROM not in first.metadata
    renamed = verdict("UPDATE staging.names SET name = 'Green tea' WHERE code = 'P1'")
    assert renamed.passed and REUSED_FROM in renamed.metadata  # the same keys: no suite run
    repeated = verdict("UPDATE staging.names SET code = 'P1' WHERE code = 'P2'")
    assert not repeated.passed and REUSED_FROM not in repeated.metadata
    emptied = verdict("DELETE FROM staging.names")
    assert emptied.passed and emptied.metadata["rows"].value == 0
