"""Dagster resources: how the assets reach the ERP database and the warehouse.

Defaults point at the local sandbox (`integration-pipeline sandbox up`); environment
variables point the same code at production systems.
"""

import os
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.tryton.schema_check import (
    UnrecognisedErpSchema,
    require_known_schema,
)
from integration_pipeline.connectors.tryton.session import TrytonSession
from integration_pipeline.connectors.tryton.source import ErpDatabaseMissing, TrytonDatabase
from integration_pipeline.connectors.tryton.writes import TrytonWriter
from integration_pipeline.sandbox.manager import read_state, recorded_settings
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url


class ErpDatabase(dg.ConfigurableResource):
    """Read access to Tryton's database (SQLite or PostgreSQL): a SQLAlchemy URL."""

    url: str

    def database(self) -> TrytonDatabase:
        database = TrytonDatabase(self.url)
        try:
            database.require_exists()
        except ErpDatabaseMissing as error:
            raise dg.Failure(str(error)) from error
        return database

    def engine(self) -> sa.Engine:
        return self.database().engine()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # At start-up, not half-way through a run: is this the Tryton schema we know?
        engine = self.engine()
        try:
            require_known_schema(engine)
        except UnrecognisedErpSchema as error:
            raise dg.Failure(str(error)) from error
        except sa.exc.OperationalError as error:
            shown = sa.engine.make_url(self.url).render_as_string(hide_password=True)
            raise dg.Failure(
                f"cannot reach the ERP database at {shown} ({error.orig}). Is the server up? "
                "Else set INTEGRATION_PIPELINE_ERP_DB_URL to the Tryton database's URL."
            ) from error
        finally:
            engine.dispose()


class TrytonErp(dg.ConfigurableResource):
    """Business writes to Tryton over JSON-RPC. The password is read at run time from the
    environment variable named here, so it never appears in configuration, UI or metadata;
    the sandbox's throw-away password is used only when `sandbox` is set."""

    rpc_url: str
    database: str
    user: str = "admin"
    password_env_var: str = "INTEGRATION_PIPELINE_ERP_PASSWORD"
    sandbox: bool = False
    _session: TrytonSession | None = PrivateAttr(default=None)

    def _password(self) -> str:
        password = os.environ.get(self.password_env_var)
        if not password and self.sandbox:
            password = SandboxSettings().erp_password
        if not password:
            raise dg.Failure(
                f"no ERP password: set {self.password_env_var} to the password of Tryton user "
                f"{self.user!r} at {self.rpc_url}"
            )
        return password

    def writer(self) -> TrytonWriter:
        """A writer on this run's session: one login per run, again only if it expires."""
        if self._session is None:
            self._session = TrytonSession(self.rpc_url, self.database, self.user, self._password())
            self._session.require_supported_version()
        return TrytonWriter(self._session)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class HubSpotResource(dg.ConfigurableResource):
    """The CRM (HubSpot v3 or the sandbox). The token is read at run time from the
    environment variable named here (or the sandbox's token file), so it never appears in
    the resource's configuration, the UI or run metadata."""

    base_url: str
    token_env_var: str = "INTEGRATION_PIPELINE_CRM_TOKEN"
    token_file: str | None = None
    requests_per_10s: int = 190
    searches_per_s: int = 5

    def client(self) -> HubSpotClient:
        token = os.environ.get(self.token_env_var)
        if not token and self.token_file and Path(self.token_file).exists():
            token = Path(self.token_file).read_text().strip()
        if not token:
            raise dg.Failure(
                f"no CRM token: set {self.token_env_var} to a HubSpot private-app token "
                "(or run `integration-pipeline sandbox up` for the sandbox's own)"
            )
        return HubSpotClient(
            self.base_url,
            token,
            requests_per_10s=self.requests_per_10s,
            searches_per_s=self.searches_per_s,
        )


class Warehouse(DuckDBResource):
    """The warehouse, held open for the whole run in the run's process.

    Each step connects and closes as with `DuckDBResource`; while the run's own connection
    stays open those connections share one open database (DuckDB's instance cache), instead of
    opening the file and checkpointing it at every step.
    """

    _held: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Through get_connection itself: DuckDB's cache shares the database only between
        # connections of equal configuration, and it retries a file another process holds.
        self._held = ExitStack()
        self._held.enter_context(self.get_connection())

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None


def warehouse_path() -> str:
    default = SandboxSettings().data_dir / "warehouse.duckdb"
    path = Path(os.environ.get("INTEGRATION_PIPELINE_WAREHOUSE", str(default)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def build_resources() -> dict[str, dg.ConfigurableResource]:
    # Unset variables mean: the local sandbox, where `sandbox up` recorded it (or would).
    sandbox = recorded_settings(SandboxSettings(), read_state(SandboxSettings()))
    return {
        "erp_db": ErpDatabase(
            url=os.environ.get("INTEGRATION_PIPELINE_ERP_DB_URL")
            or sqlalchemy_url(sandbox, sandbox.database)
        ),
        "erp": TrytonErp(
            rpc_url=os.environ.get("INTEGRATION_PIPELINE_ERP_RPC_URL")
            or f"http://127.0.0.1:{sandbox.erp_port}",
            database=os.environ.get("INTEGRATION_PIPELINE_ERP_DATABASE") or sandbox.database,
            user=os.environ.get("INTEGRATION_PIPELINE_ERP_USER") or sandbox.erp_user,
            sandbox="INTEGRATION_PIPELINE_ERP_RPC_URL" not in os.environ,
        ),
        "warehouse": Warehouse(database=warehouse_path()),
        "crm": HubSpotResource(
            base_url=os.environ.get("INTEGRATION_PIPELINE_CRM_URL") or sandbox.crm_url,
            token_file=str(sandbox.crm_dir / "token"),
            requests_per_10s=int(os.environ.get("INTEGRATION_PIPELINE_CRM_REQUESTS_PER_10S", 190)),
        ),
    }
