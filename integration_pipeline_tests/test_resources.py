"""The ERP write resource: password from the environment only, one login per run."""

import dagster as dg
import pytest

from integration_pipeline.resources import TrytonErp


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
