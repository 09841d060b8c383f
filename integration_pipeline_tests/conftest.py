"""Shared fixtures: one Tryton database built per test run, copied for each test that needs it.

The build (trytond-admin + company setup + demo seeding) runs once, into a cache folder that
lives as long as the test session; every test gets its own copy of the file and, when it
needs one, its own Tryton server on a free port.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from hubspot import HubSpot

from integration_pipeline.connectors.tryton.rpc import TrytonRPC
from integration_pipeline.connectors.tryton.session import TrytonSession
from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.crm.process import start_crm
from integration_pipeline.sandbox.demo.files import write_dataset
from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DemoConfig, DemoDataset
from integration_pipeline.sandbox.processes import free_port
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url, write_config
from integration_pipeline.sandbox.tryton.database import install_database, template_key
from integration_pipeline.sandbox.tryton.postgres import Server
from integration_pipeline.sandbox.tryton.server import start_server

# Small but complete: every kind of record and dirt appears at this scale.
TEST_DEMO = {"seed": 7, "customers": 20, "as_of": date(2026, 11, 1)}


@pytest.fixture(scope="session")
def sandbox_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def test_settings(sandbox_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> SandboxSettings:
    return SandboxSettings(
        data_dir=tmp_path_factory.mktemp("template-data"),
        cache_dir=sandbox_cache,
        erp_port=free_port(),
        crm_port=free_port(),
        postgres_url=None,
        erp_password="admin",
        **TEST_DEMO,
    )


@pytest.fixture(scope="session")
def demo_dataset() -> DemoDataset:
    return generate(DemoConfig(**TEST_DEMO))


@pytest.fixture(scope="session")
def erp_template(test_settings: SandboxSettings) -> Path:
    """The seeded SQLite database, built once per test session."""
    install_database(test_settings, reset=False, progress=lambda _: None)
    template = test_settings.cache_dir / "tryton" / f"{template_key(test_settings)}.sqlite"
    assert template.exists()
    return template


@dataclass
class RunningErp:
    settings: SandboxSettings
    pid: int
    db_url: str

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.erp_port}"

    def rpc(self) -> TrytonRPC:
        client = TrytonRPC(self.server_url, self.settings.database)
        client.login(self.settings.erp_user, self.settings.erp_password)
        return client


@pytest.fixture
def erp_database(
    erp_template: Path, test_settings: SandboxSettings, tmp_path: Path
) -> SandboxSettings:
    """A private copy of the seeded database; returns the settings that point at it."""
    settings = replace(test_settings, data_dir=tmp_path / "data", erp_port=free_port())
    target = settings.erp_dir / "db" / f"{settings.database}.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copyfile(erp_template, target)
    return settings


@pytest.fixture
def running_erp(erp_database: SandboxSettings) -> Iterator[RunningErp]:
    settings = erp_database
    config = write_config(settings.erp_dir / "trytond.conf", settings.erp_dir / "db", settings)
    pid = start_server(config, settings.database, settings.erp_port, settings.erp_dir)
    try:
        yield RunningErp(settings, pid, sqlalchemy_url(settings, settings.database))
    finally:
        processes.stop(pid)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The machine's PostgreSQL server; tests that need it are skipped when it does not answer."""
    url = os.environ.get(
        "INTEGRATION_PIPELINE_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432"
    )
    try:
        import psycopg

        psycopg.connect(f"{url}/postgres", connect_timeout=3).close()
    except Exception as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL cases, but {url} does not answer: {error}")
        pytest.skip(f"PostgreSQL at {url} does not answer: {error}")
    return url


# -- a running Tryton on each backend ----------------------------------------------------
@pytest.fixture
def postgres_erp(postgres_url, test_settings, tmp_path) -> Iterator[RunningErp]:
    settings = replace(
        test_settings,
        data_dir=tmp_path / "pg",
        postgres_url=postgres_url,
        database=f"ip_test_{uuid.uuid4().hex[:8]}",
        erp_port=free_port(),
    )
    install_database(settings, reset=True, progress=lambda _: None)
    config = write_config(settings.erp_dir / "trytond.conf", settings.erp_dir, settings)
    pid = start_server(config, settings.database, settings.erp_port, settings.erp_dir)
    try:
        yield RunningErp(settings, pid, sqlalchemy_url(settings, settings.database))
    finally:
        processes.stop(pid)
        Server(postgres_url).drop(settings.database)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def erp(request) -> RunningErp:
    """The running ERP of each backend in turn."""
    fixture = "running_erp" if request.param == "sqlite" else "postgres_erp"
    return request.getfixturevalue(fixture)


def session_of(erp: RunningErp) -> TrytonSession:
    return TrytonSession(
        erp.server_url, erp.settings.database, erp.settings.erp_user, erp.settings.erp_password
    )


# -- the CRM sandbox --------------------------------------------------------------
TOKEN = "pat-test-token"


@pytest.fixture
def sync_resources(running_erp, crm, tmp_path, monkeypatch) -> dict:
    """The resources of a sync run against this test's ERP, CRM and a fresh warehouse
    (`warehouse.duckdb` in the test's folder); secrets through the environment."""
    from dagster_duckdb import DuckDBResource

    from integration_pipeline.resources import ErpDatabase, HubSpotResource, TrytonErp

    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    monkeypatch.setenv("TEST_ERP_PASSWORD", running_erp.settings.erp_password)
    return {
        "erp_db": ErpDatabase(url=running_erp.db_url),
        "erp": TrytonErp(
            rpc_url=running_erp.server_url,
            database=running_erp.settings.database,
            password_env_var="TEST_ERP_PASSWORD",
        ),
        "crm": HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN"),
        "warehouse": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
    }


@dataclass
class CrmServer:
    url: str
    token: str
    pid: int
    folder: Path

    def sdk(self) -> HubSpot:
        return HubSpot(access_token=self.token, host=self.url)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def demo_files(demo_dataset, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_dataset(demo_dataset, folder)
    return folder


def serve_crm(folder: Path, demo_files: Path, *options: str) -> Iterator[CrmServer]:
    port = free_port()
    pid = start_crm(folder, port, TOKEN, demo_files, options)
    try:
        yield CrmServer(f"http://127.0.0.1:{port}", TOKEN, pid, folder)
    finally:
        processes.stop(pid)


@pytest.fixture
def crm(tmp_path, demo_files) -> Iterator[CrmServer]:
    yield from serve_crm(tmp_path / "crm", demo_files)


@pytest.fixture
def tight_crm(tmp_path, demo_files) -> Iterator[CrmServer]:
    """A server whose 10-second window allows 5 requests."""
    yield from serve_crm(tmp_path / "crm", demo_files, "--requests-per-10s", "5")
