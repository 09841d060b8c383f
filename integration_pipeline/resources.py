"""Dagster resources: how the assets reach the ERP database and the warehouse.

Defaults point at the local sandbox (`integration-pipeline sandbox up`); environment
variables point the same code at production systems.
"""

import os
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster_duckdb import DuckDBResource

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.sandbox.manager import read_state, recorded_settings
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.sandbox.tryton.config import sqlalchemy_url


class ErpDatabase(dg.ConfigurableResource):
    """Read access to Tryton's database (SQLite or PostgreSQL) through SQLAlchemy."""

    url: str

    def engine(self) -> sa.Engine:
        if self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if not path.exists():
                raise dg.Failure(
                    f"the ERP database {path} does not exist. Run `integration-pipeline sandbox up`"
                    " or set INTEGRATION_PIPELINE_ERP_DB_URL to the Tryton database's URL."
                )
            # Read-only: the pipeline never writes Tryton's tables behind its back.
            return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        return sa.create_engine(self.url)


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
        "warehouse": DuckDBResource(database=warehouse_path()),
        "crm": HubSpotResource(
            base_url=os.environ.get("INTEGRATION_PIPELINE_CRM_URL") or sandbox.crm_url,
            token_file=str(sandbox.crm_dir / "token"),
            requests_per_10s=int(os.environ.get("INTEGRATION_PIPELINE_CRM_REQUESTS_PER_10S", 190)),
        ),
    }
