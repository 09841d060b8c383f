"""The main job in two runs, on real Dagster and a real DuckDB: the extracts, then the rest
only when one of its steps would compute or an outbox waits; what is predicted before the
second run agrees with what its steps then do."""

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from integration_pipeline.orchestration import reuse
from integration_pipeline.orchestration.main_run import run_main_job, would_compute
from integration_pipeline.orchestration.reuse import REUSED_FROM, reuse_when_unchanged
from integration_pipeline.warehouse.fingerprint import extract_version

TOTAL = dg.AssetKey(["toy", "total"])
OTHER = dg.AssetKey(["toy", "other"])


class Limit(dg.Config):
    at_most: int = 100


def _definitions(path: str, computed: list[str]) -> dg.Definitions:
    def extract(name: str):
        @dg.asset(key=["toy", name], group_name="crm_extract")
        def _extract(warehouse: DuckDBResource) -> dg.MaterializeResult:
            with warehouse.get_connection() as connection:
                if connection.execute(
                    "SELECT count(*) FROM raw.down WHERE name = ?", [name]
                ).fetchone()[0]:
                    raise RuntimeError(f"{name} is down")
                version = extract_version(connection, f"raw.{name}")
            return dg.MaterializeResult(data_version=dg.DataVersion(version))

        return _extract

    def summed(key: dg.AssetKey, source: str):
        @dg.asset(
            key=key,
            deps=[dg.AssetKey(["toy", source])],
            group_name="customers",
            check_specs=[dg.AssetCheckSpec("within_limit", asset=key)],
        )
        @reuse_when_unchanged
        def _summed(config: Limit, warehouse: DuckDBResource) -> dg.MaterializeResult:
            computed.append(key.path[-1])
            with warehouse.get_connection() as connection:
                (value,) = connection.execute(f"SELECT sum(n) FROM raw.{source}").fetchone()
            return dg.MaterializeResult(
                metadata={"total": value},
                check_results=[
                    dg.AssetCheckResult(check_name="within_limit", passed=value <= config.at_most)
                ],
            )

        return _summed

    assets = reuse.with_code_version(
        [extract("items"), extract("others"), summed(TOTAL, "items"), summed(OTHER, "others")]
    )
    return dg.Definitions(
        assets=assets,
        jobs=[dg.define_asset_job("main", selection=dg.AssetSelection.all())],
        resources={"warehouse": DuckDBResource(database=path)},
    )


@pytest.fixture
def toy(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(path) as connection:
        connection.execute(
            "CREATE SCHEMA raw; CREATE TABLE raw.items AS SELECT 40 AS n; "
            "CREATE TABLE raw.others AS SELECT 7 AS n; CREATE TABLE raw.down (name VARCHAR)"
        )
    computed: list[str] = []
    defs = _definitions(path, computed)
    instance = dg.DagsterInstance.ephemeral()

    def run(waiting: list[str] | None = None, config: dict | None = None):
        run_config = {"ops": {"toy__total": {"config": config or {}}}}
        return run_main_job(instance, defs, run_config, lambda: waiting or [])

    def change(sql: str) -> None:
        with duckdb.connect(path) as connection:
            connection.execute(sql)

    return run, change, computed, defs, instance


def _materialized(main) -> dict[str, dg.AssetMaterialization]:
    return {
        e.asset_key.path[-1]: e.step_materialization_data.materialization
        for result in main.results
        for e in result.get_asset_materialization_events()
    }


def test_nothing_new_after_the_extracts_starts_no_second_run(toy):
    run, _, computed, _, _ = toy
    first = run()
    assert len(first.results) == 2 and first.success
    assert sorted(computed) == ["other", "total"]
    again = run()
    assert len(again.results) == 1 and again.success
    assert again.rest.startswith("not run")
    assert set(_materialized(again)) == {"items", "others"}
    assert sorted(computed) == ["other", "total"]


def test_new_data_runs_only_what_it_moves(toy):
    run, change, computed, _, _ = toy
    run()
    change("INSERT INTO raw.items VALUES (5)")
    main = run()
    assert len(main.results) == 2 and main.rest.startswith("1 of 2 ran: toy/total")
    results = _materialized(main)
    assert results["total"].metadata["total"].value == 45
    assert "other" not in results  # its input did not move: its result stands
    assert sorted(computed) == ["other", "total", "total"]


def test_rows_waiting_in_an_outbox_run_the_rest(toy):
    run, _, computed, _, _ = toy
    run()
    main = run(waiting=["orders"])
    assert len(main.results) == 2 and "outbox rows to send (orders)" in main.rest
    results = _materialized(main)
    assert REUSED_FROM in results["total"].metadata and REUSED_FROM in results["other"].metadata
    assert sorted(computed) == ["other", "total"]


def test_other_settings_or_code_are_foreseen(toy, monkeypatch):
    run, _, computed, defs, instance = toy
    run()
    job = defs.resolve_job_def("main")
    graph = defs.resolve_asset_graph()
    ask = lambda config: would_compute(  # noqa: E731
        instance, job, graph, [TOTAL, OTHER], {"ops": {"toy__total": {"config": config}}}
    )
    assert ask({}) == []
    assert ask({"at_most": 10}) == [TOTAL]
    main = run(config={"at_most": 10})
    assert len(main.results) == 2 and computed.count("total") == 2
    monkeypatch.setattr(reuse, "CODE_VERSION", "another version")
    assert ask({"at_most": 10}) == [OTHER, TOTAL]
    run(config={"at_most": 10})
    assert computed.count("total") == 3 and computed.count("other") == 2


def test_a_failed_extract_leaves_out_only_what_needs_it(toy):
    run, change, computed, _, _ = toy
    run()
    change("INSERT INTO raw.down VALUES ('items'); INSERT INTO raw.others VALUES (1)")
    main = run()
    assert not main.success
    assert set(_materialized(main)) == {"others", "other"}
    assert sorted(computed) == ["other", "other", "total"]
