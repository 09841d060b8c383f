"""The weekly demand forecast from the warehouse: history and pipeline read, the backtest
run, the forecast made (see `demand.py` for the method)."""

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from integration_pipeline.analytics import demand
from integration_pipeline.analytics.frames import open_pipeline_lines, order_lines


@dataclass(frozen=True)
class DemandPlan:
    forecast: pd.DataFrame  # week, product_code, baseline, pipeline, forecast, basis
    backtest: demand.Backtest | None  # None: less than a year of history
    pipeline_only: int  # products forecast from the pipeline alone


def crm_share(lines: pd.DataFrame) -> pd.Series:
    """Per product, the share of its ordered quantity that came through CRM deals."""
    if lines.empty:
        return pd.Series(dtype=float)
    through_crm = lines["quantity"].where(lines["from_crm"], 0.0)
    return (
        through_crm.groupby(lines["product_code"]).sum()
        / lines.groupby("product_code")["quantity"].sum()
    )


def plan_demand(connection: duckdb.DuckDBPyConnection, today: date, weeks: int) -> DemandPlan:
    lines = order_lines(connection)
    # The week in progress is not complete: history ends with the week before it.
    this_week = demand.week_start(pd.Series([pd.Timestamp(today)])).iloc[0]
    history = demand.weekly_history(lines, this_week - pd.Timedelta(days=7))
    try:
        backtest = demand.backtest(history) if len(history.columns) else None
    except ValueError:
        backtest = None
    table = demand.forecast(
        history, crm_share(lines), open_pipeline_lines(connection), this_week, weeks
    )
    pipeline_only = (
        int(table.loc[table["basis"].str.startswith("pipeline only"), "product_code"].nunique())
        if len(table)
        else 0
    )
    return DemandPlan(table, backtest, pipeline_only)
