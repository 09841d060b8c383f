"""`integration-pipeline customer360 QUERY`: the warehouse opened read-only, the customer
found, its 360 rows returned."""

import os
from pathlib import Path

import duckdb
import pandas as pd

from integration_pipeline.analytics.customer_search import find_customers
from integration_pipeline.sandbox.settings import SandboxSettings


class LookupUnavailable(Exception):
    """The lookup cannot run: the message says what to do."""


def default_warehouse() -> Path:
    configured = os.environ.get("INTEGRATION_PIPELINE_WAREHOUSE")
    return Path(configured) if configured else SandboxSettings().data_dir / "warehouse.duckdb"


def lookup(query: str, warehouse: Path | None = None) -> pd.DataFrame:
    path = warehouse or default_warehouse()
    if not path.exists():
        raise LookupUnavailable(
            f"no warehouse at {path}: run the main job first (`integration-pipeline demo`)"
        )
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise LookupUnavailable(f"{path} is busy or unreadable ({error}); try again") from error
    try:
        return find_customers(connection, query)
    except duckdb.CatalogException as error:
        raise LookupUnavailable(
            f"{path} has no customer 360 mart yet: materialise marts/customer_360 and "
            "marts/customer_search (the main job does)"
        ) from error
    finally:
        connection.close()
