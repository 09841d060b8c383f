"""The ERP write resource: password from the environment only, one login per run. The
warehouse: one open database for the whole run, released after it."""

import dagster as dg
import duckdb
import pytest

from integration_pipeline.resources import TrytonErp, Warehouse


def test_a_missing_password_names_the_variable_to_set(monkeypatch):
    monkeypatch.delenv("ACME_ERP_PASSWORD", raising=False)
    erp = TrytonErp(
        rpc_url="http://erp.example:8000", database="acme", password_env_var="ACME_ERP_PASSWORD"
    )
    with pytest.raises(dg.Failure, match="set ACME_ERP_PASSWORD"):
        erp.writer()


@pytest.mark.slow
def test_the_password_comes_from_the_environment_and_one_login_serves_the_run(
    running_erp, monkeypatch
):
    monkeypatch.setenv("ACME_ERP_PASSWORD", running_erp.settings.erp_password)
    erp = TrytonErp(
        rpc_url=running_erp.server_url,
        database=running_erp.settings.database,
        password_env_var="ACME_ERP_PASSWORD",
    )
    # Nothing in the configuration (shown in the UI and run metadata) holds the password.
    assert set(TrytonErp.model_fields) == {
        "rpc_url",
        "database",
        "user",
        "password_env_var",
        "sandbox",
    }
    first, second = erp.writer(), erp.writer()
    assert first.find_parties(["no-such-code"]) == {}
    assert second.session is first.session and first.session.logins == 1
    erp.teardown_after_execution(dg.build_init_resource_context())


def test_the_warehouse_stays_open_through_the_run_and_is_released_after_it(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    seen: list[str] = []

    @dg.asset
    def first(warehouse: Warehouse) -> None:
        with warehouse.get_connection() as connection:
            # A database-wide setting lives as long as the open database does.
            connection.execute("SET GLOBAL threads = 1")

    @dg.asset(deps=[first])
    def second(warehouse: Warehouse) -> None:
        with warehouse.get_connection() as connection:
            seen.append(connection.execute("SELECT current_setting('threads')").fetchall()[0][0])

    result = dg.materialize([first, second], resources={"warehouse": Warehouse(database=path)})
    assert result.success
    assert seen == [1]  # the second step's connection reached the database the first one set
    # Released: another configuration may open the file now (DuckDB refuses while it is open).
    with duckdb.connect(path, read_only=True) as connection:
        assert connection.execute("SELECT current_setting('threads')").fetchall()[0][0] != 1
