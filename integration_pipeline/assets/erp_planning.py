"""The demand forecast written to Tryton as stock forecasts (warehouse → customers, one per
week), so Tryton's own supply planning proposes the purchase and production requests."""

import math
from datetime import date, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import REMOTE_RETRY, erp_asset_key
from integration_pipeline.assets.marts import AUTOMATION, DEMAND
from integration_pipeline.orchestration.reuse import reuse_when_unchanged
from integration_pipeline.resources import TrytonErp

WRITTEN = "marts.erp_forecasts_written"  # what Tryton holds now, so unchanged weeks are skipped


class ForecastWriteConfig(dg.Config):
    weeks: int = 4  # weeks ahead written to the ERP
    dry_run: bool = False  # report what would be written, write nothing


def weekly_quantities(rows: list[tuple[date, str, float]]) -> dict[date, dict[str, int]]:
    """Whole units per week and product (demand of 0.2 of a unit still needs one); weeks
    with nothing to forecast are left out."""
    weeks: dict[date, dict[str, int]] = {}
    for week, product, quantity in rows:
        if quantity and quantity > 0:
            weeks.setdefault(week, {})[product] = math.ceil(round(quantity, 6))
    return weeks


@dg.asset(
    key=["planning", "erp_stock_forecasts"],
    group_name="analytics",
    kinds={"tryton"},
    deps=[DEMAND, erp_asset_key("product_product")],
    retry_policy=REMOTE_RETRY,
    pool="erp",
    automation_condition=AUTOMATION,
    description="The next weeks of the demand forecast as confirmed Tryton stock forecasts "
    "(one per week, replaced when the forecast changes), for Tryton's supply planning.",
)
@reuse_when_unchanged
def erp_stock_forecasts(
    context: dg.AssetExecutionContext,
    config: ForecastWriteConfig,
    warehouse: DuckDBResource,
    erp: TrytonErp,
) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        rows = connection.execute(
            "SELECT f.week, f.product_code, f.forecast FROM marts.demand_forecast f "
            "JOIN erp.product_product p ON p.code = f.product_code "
            "ORDER BY f.week, f.product_code"
        ).fetchall()
        unknown = connection.execute(
            "SELECT DISTINCT product_code FROM marts.demand_forecast "
            "WHERE product_code NOT IN "
            "(SELECT code FROM erp.product_product WHERE code IS NOT NULL)"
        ).fetchall()
        connection.execute("CREATE SCHEMA IF NOT EXISTS marts")
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {WRITTEN} (week DATE, product_code VARCHAR, "
            "quantity INTEGER)"
        )
        written = connection.execute(
            f"SELECT week, product_code, quantity FROM {WRITTEN}"
        ).fetchall()
    if unknown:
        context.log.warning(
            "forecast for products the ERP does not know (CRM SKUs without an ERP product), "
            f"not written: {', '.join(sorted(code for (code,) in unknown))}"
        )
    planned = weekly_quantities(rows)
    weeks = sorted(planned)[: config.weeks]
    before: dict[date, dict[str, int]] = {}
    for week, product, quantity in written:
        before.setdefault(week, {})[product] = quantity
    changed = [w for w in weeks if planned[w] != before.get(w)]
    if config.dry_run:
        return dg.MaterializeResult(metadata={"weeks": len(weeks), "would_write": len(changed)})
    if not changed:
        return dg.MaterializeResult(metadata={"rows": 0, "weeks": len(weeks), "written": 0})
    writer = erp.writer()
    ids = []
    with warehouse.get_connection() as connection:
        for week in changed:
            ids.append(writer.write_stock_forecast(week, week + timedelta(days=6), planned[week]))
            # Recorded week by week: a crash between two weeks leaves the rest to the rerun.
            connection.execute(f"DELETE FROM {WRITTEN} WHERE week = ?", [week])
            connection.executemany(
                f"INSERT INTO {WRITTEN} VALUES (?, ?, ?)",
                [(week, product, quantity) for product, quantity in planned[week].items()],
            )
    return dg.MaterializeResult(
        metadata={
            "rows": len(changed),
            "weeks": len(weeks),
            "written": len(changed),
            "erp_forecast_ids": str(ids),
        }
    )
