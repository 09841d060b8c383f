"""Dagster resources: how the assets reach the ERP database and the warehouse.

Defaults point at the local sandbox (`integration-pipeline sandbox up`); environment
variables point the same code at production systems.
"""

import os
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster_duckdb import DuckDBResource

from integration_pipeline.sandbox.settings import SandboxSettings


def sandbox_erp_db_url() -> str:
    """The SQLAlchemy URL of the sandbox's Tryton database, as `sandbox up` recorded it."""
    from integration_pipeline.sandbox.manager import status

    described = status(SandboxSettings())
    if described["erp"]:
        return described["erp"]["db_url"]
    return f"sqlite:///{SandboxSettings().erp_dir / 'db' / 'integration_demo.sqlite'}"


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


def warehouse_path() -> str:
    default = SandboxSettings().data_dir / "warehouse.duckdb"
    path = Path(os.environ.get("INTEGRATION_PIPELINE_WAREHOUSE", str(default)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def build_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "erp_db": ErpDatabase(
            url=os.environ.get("INTEGRATION_PIPELINE_ERP_DB_URL") or sandbox_erp_db_url()
        ),
        "warehouse": DuckDBResource(database=warehouse_path()),
    }
