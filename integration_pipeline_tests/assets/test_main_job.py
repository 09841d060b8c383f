"""The main job against a real (copied) Tryton database and a real DuckDB warehouse."""

import dagster as dg
import duckdb
import httpx
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import CRM_OBJECTS, crm_raw_assets
from integration_pipeline.assets.erp_raw import erp_asset_key, erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.orchestration.reuse import REUSED_FROM
from integration_pipeline.quality.customer_checks import erp_customer_keys
from integration_pipeline.resources import ErpDatabase, HubSpotResource

pytestmark = pytest.mark.slow


def test_extract_and_stage_customers(erp_database, tmp_path, demo_dataset):
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [*erp_raw_assets, staging_erp_customers, erp_customer_keys],
        resources={
            "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
    )
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.passed
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        staged = connection.execute(
            "SELECT count(*), count(DISTINCT erp_party_code) FROM staging.erp_customers"
        ).fetchone()
        sales = connection.execute(
            "SELECT count(*), sum(total_amount_cache) FROM erp.sale_sale"
        ).fetchone()
        amounts = connection.execute(
            "SELECT typeof(unit_price) FROM erp.sale_line LIMIT 1"
        ).fetchone()
    assert staged == (len(demo_dataset.erp_parties), len(demo_dataset.erp_parties))
    assert sales[0] == len(demo_dataset.erp_sales) and sales[1] > 0
    assert amounts == ("DECIMAL(38,10)",)


def test_erp_tables_selected_alone_are_landed_alone(erp_database, tmp_path):
    """The ERP tables are one step (landed side by side): a run that selects some of them
    lands those and materializes nothing else."""
    db_file = erp_database.erp_dir / "db" / f"{erp_database.database}.sqlite"
    warehouse = tmp_path / "warehouse.duckdb"
    wanted = [erp_asset_key("party_party"), erp_asset_key("sale_sale")]
    result = dg.materialize(
        erp_raw_assets,
        selection=wanted,
        resources={
            "erp_db": ErpDatabase(url=f"sqlite:///{db_file}"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
    )
    assert result.success
    landed = {e.asset_key for e in result.get_asset_materialization_events()}
    assert landed == set(wanted)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'erp' "
            "AND table_name NOT LIKE '\\_%' ESCAPE '\\'"
        ).fetchall()
        parties = connection.execute("SELECT count(*) FROM erp.party_party").fetchone()[0]
    assert sorted(t for (t,) in tables) == ["party_party", "sale_sale"]
    assert parties > 0


def test_key_check_blocks_duplicate_parties(tmp_path):
    warehouse = DuckDBResource(database=str(tmp_path / "w.duckdb"))
    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA staging")
        connection.execute(
            "CREATE TABLE staging.erp_customers AS SELECT * FROM (VALUES "
            "(1, 'C1', 'Ali'), (2, 'C1', 'Ali K'), (3, 'C3', NULL)) "
            "t(erp_party_id, erp_party_code, name)"
        )
    result = erp_customer_keys(warehouse=warehouse)
    assert not result.passed
    failed = result.metadata["failed_expectations"].value
    assert any("erp_party_code" in f and ": 2" in f for f in failed)
    assert any("name" in f for f in failed)


def test_key_check_keeps_its_verdict_when_only_names_changed(tmp_path):
    warehouse = DuckDBResource(database=str(tmp_path / "w.duckdb"))
    with warehouse.get_connection() as connection:
        connection.execute(
            "CREATE SCHEMA staging; CREATE TABLE staging.erp_customers AS SELECT * FROM "
            "(VALUES (1, 'C1', 'Ali'), (2, 'C2', 'Sara')) t(erp_party_id, erp_party_code, name)"
        )

    @dg.asset(key=["staging", "erp_customers"])
    def staged() -> None:
        return None

    instance = dg.DagsterInstance.ephemeral()

    def verdict(sql: str) -> dg.AssetCheckEvaluation:
        with warehouse.get_connection() as connection:
            connection.execute(sql)
        result = dg.materialize(
            [staged, erp_customer_keys],
            instance=instance,
            resources={"warehouse": warehouse},
            raise_on_error=False,
        )
        (evaluation,) = result.get_asset_check_evaluations()
        return evaluation

    assert REUSED_FROM not in verdict("SELECT 1").metadata
    renamed = verdict("UPDATE staging.erp_customers SET name = 'Sara K' WHERE erp_party_id = 2")
    assert renamed.passed and REUSED_FROM in renamed.metadata
    unnamed = verdict("UPDATE staging.erp_customers SET name = NULL WHERE erp_party_id = 2")
    assert not unnamed.passed and REUSED_FROM not in unnamed.metadata


def test_missing_erp_database_says_what_to_do(tmp_path):
    with pytest.raises(dg.Failure, match="integration-pipeline sandbox up"):
        ErpDatabase(url=f"sqlite:///{tmp_path / 'missing.sqlite'}").engine()


def test_crm_objects_land_with_archived_ones(crm, demo_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    archived = next(r.id for r in demo_dataset.crm if r.object_type == "deals")
    httpx.delete(f"{crm.url}/crm/v3/objects/deals/{archived}", headers=crm.headers())
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        crm_raw_assets,
        resources={
            "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
            "warehouse": DuckDBResource(database=str(warehouse)),
        },
    )
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for object_type in CRM_OBJECTS:
            rows = connection.execute(f"SELECT count(*) FROM crm.{object_type}").fetchone()[0]
            expected = sum(1 for r in demo_dataset.crm if r.object_type == object_type)
            assert rows == expected, object_type
        flag = connection.execute(
            f"SELECT archived FROM crm.deals WHERE id = {archived}"
        ).fetchone()
    assert flag == (True,)


def test_missing_crm_token_names_the_variable(monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    resource = HubSpotResource(base_url="http://127.0.0.1:1", token_env_var="NO_SUCH_TOKEN")
    with pytest.raises(dg.Failure, match="set NO_SUCH_TOKEN"):
        resource.client()
