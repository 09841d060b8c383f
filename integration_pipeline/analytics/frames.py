"""Reading the analytics' input frames out of the warehouse, and the marketing spend file."""

from pathlib import Path

import duckdb
import pandas as pd

from integration_pipeline.analytics import inputs_sql
from integration_pipeline.analytics.kpis import KpiInputs
from integration_pipeline.warehouse.arrow_load import table_exists

SPEND_COLUMNS = ("month", "amount")


def read_spend(path: Path | None) -> tuple[pd.DataFrame, str | None]:
    """Monthly spend from a CSV with at least `month` (a day of the month) and `amount`
    columns (further columns, such as channel, are summed over). Returns (frame, problem)."""
    empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "amount": []})
    if path is None or not path.exists():
        return empty, f"no marketing spend file at {path}"
    frame = pd.read_csv(path)
    missing = [c for c in SPEND_COLUMNS if c not in frame.columns]
    if missing:
        return empty, f"{path}: columns {', '.join(missing)} missing (needs month, amount)"
    month = pd.to_datetime(frame["month"], errors="coerce")
    amount = pd.to_numeric(frame["amount"], errors="coerce")
    bad = int((month.isna() | amount.isna()).sum())
    frame = pd.DataFrame({"month": month.dt.to_period("M").dt.start_time, "amount": amount})
    problem = f"{path}: {bad} rows without a valid month or amount left out" if bad else None
    return frame.dropna(), problem


def _frame(connection: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return connection.execute(sql).df()


def quarantine_rate(connection: duckdb.DuckDBPyConnection) -> float | None:
    if not table_exists(connection, "quality", "quarantine"):
        return None
    staged = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'sync' "
        "AND table_name LIKE '%\\_staged' ESCAPE '\\'"
    ).fetchall()
    staged_rows = sum(
        connection.execute(f'SELECT count(*) FROM sync."{name}"').fetchone()[0]
        for (name,) in staged
    )
    return connection.execute(inputs_sql.QUARANTINE_RATE.format(staged=staged_rows)).fetchone()[0]


def kpi_inputs(connection: duckdb.DuckDBPyConnection, spend: pd.DataFrame | None) -> KpiInputs:
    syncs = (
        _frame(connection, inputs_sql.ORDER_SYNCS)
        if table_exists(connection, "sync", "outbox")
        else pd.DataFrame(
            {
                "planned_at": pd.Series(dtype="datetime64[us]"),
                "applied_at": pd.Series(dtype="datetime64[us]"),
            }
        )
    )
    return KpiInputs(
        orders=orders(connection),
        invoices=_frame(connection, inputs_sql.INVOICES),
        receivable_lines=_frame(connection, inputs_sql.RECEIVABLE_LINES),
        deals=deals(connection),
        leads=_frame(connection, inputs_sql.LEADS),
        spend=spend if spend is not None else read_spend(None)[0],
        order_syncs=syncs,
        quarantine_rate=quarantine_rate(connection),
    )


def orders(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Confirmed ERP sales per golden customer: order_date, revenue, cost, from_crm."""
    return _frame(connection, inputs_sql.ORDERS)


def deals(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """CRM deals per golden customer: created, closed, stage, amount, probability."""
    return _frame(connection, inputs_sql.DEALS)


def order_lines(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(connection, inputs_sql.ORDER_LINES)


def open_pipeline_lines(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(connection, inputs_sql.OPEN_PIPELINE_LINES)
