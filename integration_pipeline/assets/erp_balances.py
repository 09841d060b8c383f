"""Stock levels and party credit, which Tryton computes on the fly, recomputed in the
warehouse from the raw tables with Tryton's own rules."""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import erp_asset_key
from integration_pipeline.connectors.tryton.tables import tables_of
from integration_pipeline.orchestration.reuse import reuse_when_unchanged
from integration_pipeline.warehouse.erp_balances_sql import PARTY_CREDIT, STOCK_LEVELS
from integration_pipeline.warehouse.fingerprint import fingerprints


class AsOfConfig(dg.Config):
    as_of: str | None = None  # ISO date; default: today


def _as_of(config: AsOfConfig) -> date:
    return date.fromisoformat(config.as_of) if config.as_of else date.today()


def _build(
    warehouse: DuckDBResource, sql: str, config: AsOfConfig, table: str, flagged: str
) -> tuple[int, int, dg.DataVersion]:
    """Run one of the balance queries; returns (rows, rows matching `flagged`, the table's
    content as its data version)."""
    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
        connection.execute(sql, {"today": _as_of(config)})
        rows, flagged_rows = connection.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {flagged}) FROM {table}"
        ).fetchone()
        return rows, flagged_rows, dg.DataVersion(fingerprints(connection, table))


@dg.asset(
    key=["staging", "erp_stock_levels"],
    group_name="stock",
    kinds={"duckdb"},
    deps=[erp_asset_key(t) for t in (*tables_of("stock"), *tables_of("products"))],
    description="On-hand and forecast quantity per product and warehouse, as Tryton reports "
    "them for the warehouse's storage location.",
)
@reuse_when_unchanged
def staging_erp_stock_levels(config: AsOfConfig, warehouse: DuckDBResource) -> dg.MaterializeResult:
    rows, out_of_stock, version = _build(
        warehouse, STOCK_LEVELS, config, "staging.erp_stock_levels", "on_hand <= 0"
    )
    return dg.MaterializeResult(
        metadata={"rows": rows, "out_of_stock": out_of_stock}, data_version=version
    )


@dg.asset(
    key=["staging", "erp_party_credit"],
    group_name="customers",
    kinds={"duckdb"},
    deps=[
        erp_asset_key(t)
        for t in (*tables_of("accounting"), *tables_of("sales"), *tables_of("invoices"))
    ]
    + [erp_asset_key("party_party"), erp_asset_key("party_party_credit_limit_amount")],
    description="Receivable, credit amount (receivable + confirmed sales not yet invoiced), "
    "credit limit and available credit per party, as Tryton computes them.",
)
@reuse_when_unchanged
def staging_erp_party_credit(config: AsOfConfig, warehouse: DuckDBResource) -> dg.MaterializeResult:
    rows, over_limit, version = _build(
        warehouse, PARTY_CREDIT, config, "staging.erp_party_credit", "available_credit < 0"
    )
    return dg.MaterializeResult(
        metadata={"rows": rows, "over_credit_limit": over_limit}, data_version=version
    )
