"""The pooled SQLite event log, on real Dagster: it writes the files Dagster's own SQLite
event log reads (the UI's webserver and daemon use that one), keeps only a few run databases
open, and the project's dagster.yaml selects it."""

import dagster as dg
import yaml
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from integration_pipeline.instance import PROJECT_DAGSTER_YAML
from integration_pipeline.orchestration.event_log import (
    RUN_SHARDS_KEPT,
    PooledSqliteEventLogStorage,
)


@dg.asset(key=["toy", "first"])
def first() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset(key=["toy", "second"], deps=[first])
def second() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 4})


def _instance(home, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (home / "dagster.yaml").write_text(PROJECT_DAGSTER_YAML.read_text())
    return dg.DagsterInstance.get()


def test_the_project_instance_stores_events_that_dagsters_own_sqlite_log_reads(
    tmp_path, monkeypatch
):
    with _instance(tmp_path, monkeypatch) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        runs = [dg.materialize([first, second], instance=instance) for _ in range(2)]
        assert all(run.success for run in runs)
        latest = instance.get_latest_materialization_event(dg.AssetKey(["toy", "second"]))
        assert latest.run_id == runs[-1].run_id
        written = {run.run_id: instance.all_logs(run.run_id) for run in runs}

    stock = SqliteEventLogStorage(str(tmp_path / "history" / "runs"))
    for run in runs:
        stored = stock.get_logs_for_run(run.run_id)
        successes = [e for e in stored if e.is_dagster_event and e.dagster_event.is_step_success]
        assert len(successes) == 2
        assert stored == written[run.run_id]
    record = stock.get_latest_materialization_events([dg.AssetKey(["toy", "first"])])
    assert record[dg.AssetKey(["toy", "first"])].run_id == runs[-1].run_id


def test_only_the_index_and_the_latest_runs_databases_stay_open(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    run_ids = [f"run{n}" for n in range(RUN_SHARDS_KEPT + 3)]
    for run_id in run_ids:
        assert storage.get_logs_for_run(run_id) == []
    storage.get_latest_materialization_events([dg.AssetKey("anything")])  # the index
    open_shards = [shard for _, shard in storage._engines]
    assert open_shards == [*run_ids[-RUN_SHARDS_KEPT:], "index"]
    storage.wipe()  # deletes the runs' files (and empties the index through a new connection)
    assert [shard for _, shard in storage._engines] == ["index"]
    storage.dispose()


def test_base_dir_defaults_to_where_dagster_keeps_sqlite_event_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    config = yaml.safe_load(PROJECT_DAGSTER_YAML.read_text())["event_log_storage"]
    assert "config" not in config  # so it follows DAGSTER_HOME, as Dagster's default does
    storage = PooledSqliteEventLogStorage.from_config_value(None, {})
    assert storage._base_dir == str(tmp_path / "history" / "runs")


def test_a_table_found_is_not_looked_up_again_until_a_wipe(tmp_path, monkeypatch):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    assert storage.has_table("asset_event_tags")
    assert not storage.has_table("no_such_table")
    looked_up = []
    stock = SqliteEventLogStorage.has_table
    monkeypatch.setattr(
        SqliteEventLogStorage,
        "has_table",
        lambda self, name: looked_up.append(name) or stock(self, name),
    )
    assert storage.has_table("asset_event_tags")
    assert not storage.has_table("no_such_table")
    assert looked_up == ["no_such_table"], "a missing table may be created later: asked again"
    storage.wipe()  # (asks about the tables it empties itself)
    assert storage.has_table("asset_event_tags")
    assert "asset_event_tags" in looked_up[1:]
    storage.dispose()


def test_its_connections_commit_without_waiting_for_the_disk_in_wal_mode(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    storage.get_logs_for_run("run1")
    with storage._connect("run1") as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert (synchronous, journal) == (1, "wal")  # 1: NORMAL (FULL, the default, is 2)


def test_the_schema_is_asked_once_not_on_every_asset_event(tmp_path, monkeypatch):
    asked: list[str] = []
    inspect = SqliteEventLogStorage._has_asset_key_col_on_connection

    def counted(self, conn, column_name):
        asked.append(column_name)
        return inspect(self, conn, column_name)

    monkeypatch.setattr(SqliteEventLogStorage, "_has_asset_key_col_on_connection", counted)
    with _instance(tmp_path, monkeypatch) as instance:
        for _ in range(3):
            assert dg.materialize([first, second], instance=instance).success
        assert asked and len(asked) == len(set(asked))  # each column once, not per event
        instance.wipe()
        assert dg.materialize([first, second], instance=instance).success
        assert len(asked) > len(set(asked))  # asked again after a wipe
