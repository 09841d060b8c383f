"""The production instance file (deploy/dagster.postgres.yaml) against the machine's
PostgreSQL: a run of the pipeline's own code is stored there and read back."""

import uuid
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.entities.spec import EntitySync, FieldMapping
from integration_pipeline.syncs.factory import build_sync

pytestmark = pytest.mark.postgres
INSTANCE_FILE = Path(__file__).parents[1] / "deploy" / "dagster.postgres.yaml"


def test_runs_and_events_are_stored_in_postgresql(postgres_url, tmp_path, monkeypatch):
    database = f"ip_dagster_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{postgres_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        home = tmp_path / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text(INSTANCE_FILE.read_text())
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        dagster_url = f"{postgres_url}/{database}".replace(
            "postgresql://", "postgresql+psycopg2://"
        )
        monkeypatch.setenv("DAGSTER_POSTGRES_URL", dagster_url)
        warehouse = tmp_path / "w.duckdb"
        import duckdb

        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("CREATE SCHEMA staging")
            connection.execute("CREATE TABLE staging.things AS SELECT 'k1' AS key, 'v' AS v")
        spec = EntitySync(
            name="things",
            description="a toy",
            source_system="erp",
            target_system="crm",
            target_object="products",
            upstream=(("staging", "things"),),
            staging_sql="SELECT key, v FROM staging.things",
            current_sql="SELECT 1, '{}'",
            id_property="hs_sku",
            fields=(FieldMapping(source="v", target="name", owner="erp"),),
            group="toy",
        )
        staged, plan, _ = build_sync(spec)[0]
        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            result = dg.materialize(
                [staged, plan],
                instance=instance,
                resources={"warehouse": DuckDBResource(database=str(warehouse))},
            )
            assert result.success
            stored = instance.get_run_by_id(result.run_id)
            assert stored is not None and stored.is_success
        with psycopg.connect(f"{postgres_url}/{database}") as connection:
            (runs,) = connection.execute("SELECT count(*) FROM runs").fetchone()
            (events,) = connection.execute("SELECT count(*) FROM event_logs").fetchone()
        assert runs == 1 and events > 10
    finally:
        with psycopg.connect(f"{postgres_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
