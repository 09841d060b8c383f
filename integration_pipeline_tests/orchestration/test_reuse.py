"""Skipping unchanged steps, on real Dagster and a real DuckDB: a step whose inputs' data
versions, code, settings and day are those of its last result does no work and its result
and check verdicts stand; any change in them runs it again."""

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.orchestration import reuse
from integration_pipeline.orchestration.reuse import (
    REUSED_FROM,
    reuse_check_when_unchanged,
    reuse_when_unchanged,
    with_code_version,
)
from integration_pipeline.warehouse.fingerprint import extract_version


class Limit(dg.Config):
    at_most: int = 100


def _toy_graph(computed: list[str]):
    @dg.asset(key=["toy", "source"])
    def source(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as connection:
            version = extract_version(connection, "raw.items")
        return dg.MaterializeResult(data_version=dg.DataVersion(version))

    @dg.asset(
        key=["toy", "total"],
        deps=[source],
        check_specs=[dg.AssetCheckSpec("total_within_limit", asset=["toy", "total"])],
    )
    @reuse_when_unchanged
    def total(config: Limit, warehouse: DuckDBResource) -> dg.MaterializeResult:
        computed.append("total")
        with warehouse.get_connection() as connection:
            (value,) = connection.execute("SELECT sum(n) FROM raw.items").fetchone()
        return dg.MaterializeResult(
            metadata={"total": value},
            check_results=[
                dg.AssetCheckResult(check_name="total_within_limit", passed=value <= config.at_most)
            ],
        )

    @dg.asset_check(asset=source)
    @reuse_check_when_unchanged
    def source_not_empty(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        computed.append("source_not_empty")
        with warehouse.get_connection() as connection:
            (rows,) = connection.execute("SELECT count(*) FROM raw.items").fetchone()
        return dg.AssetCheckResult(passed=rows > 0)

    return with_code_version([source, total]), [source_not_empty]


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA raw; CREATE TABLE raw.items AS SELECT 1 AS id, 40 AS n")
    computed: list[str] = []
    assets, checks = _toy_graph(computed)
    instance = dg.DagsterInstance.ephemeral()

    def run(config: dict | None = None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [*assets, *checks],
            instance=instance,
            resources={"warehouse": DuckDBResource(database=str(path))},
            run_config={"ops": {"toy__total": {"config": config or {}}}},
            raise_on_error=False,
        )

    def change(sql: str) -> None:
        with duckdb.connect(str(path)) as connection:
            connection.execute(sql)

    return run, change, computed


def _total(result: dg.ExecuteInProcessResult) -> dg.AssetMaterialization:
    (materialization,) = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path[-1] == "total"
    ]
    return materialization.step_materialization_data.materialization


def _verdicts(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_an_unchanged_step_does_no_work_and_its_result_stands(toy):
    run, _, computed = toy
    first = run()
    second = run()
    assert sorted(computed) == ["source_not_empty", "total"]  # nothing done the second time
    reused = _total(second)
    assert reused.metadata[REUSED_FROM].value == first.run_id
    assert reused.metadata["total"].value == 40
    assert _verdicts(second) == {"total_within_limit": True, "source_not_empty": True}
    # A third run points at the run that computed it, not at the one that reused it.
    assert _total(run()).metadata[REUSED_FROM].value == first.run_id


def test_a_changed_input_runs_the_step_again(toy):
    run, change, computed = toy
    run()
    change("INSERT INTO raw.items VALUES (2, 5)")
    second = run()
    assert sorted(computed) == ["source_not_empty", "source_not_empty", "total", "total"]
    assert REUSED_FROM not in _total(second).metadata
    assert _total(second).metadata["total"].value == 45


def test_rows_rewritten_unchanged_keep_the_data_version(toy):
    run, change, computed = toy
    run()
    change("DELETE FROM raw.items; INSERT INTO raw.items VALUES (1, 40)")
    run()
    assert sorted(computed) == ["source_not_empty", "total"]


def test_other_settings_run_the_step_again_and_a_failed_verdict_stands(toy):
    run, _, computed = toy
    run()
    failing = run({"at_most": 10})
    assert computed.count("total") == 2
    assert _verdicts(failing)["total_within_limit"] is False
    again = run({"at_most": 10})
    assert computed.count("total") == 2
    assert _verdicts(again)["total_within_limit"] is False  # carried over, not passed


def test_other_code_runs_the_step_again(toy, monkeypatch):
    run, _, computed = toy
    run()
    monkeypatch.setattr(reuse, "CODE_VERSION", "another version")
    run()
    assert computed.count("total") == 2


def test_another_warehouse_file_runs_every_step_again(tmp_path, toy):
    run, change, computed = toy
    run()
    # The same rows in a new file (a warehouse deleted and rebuilt): nothing of the old
    # file's results may be taken for this one's.
    change("DROP TABLE meta.warehouse")
    run()
    assert sorted(computed) == ["source_not_empty", "source_not_empty", "total", "total"]
