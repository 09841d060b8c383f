"""The churn model, kept in the warehouse (`marts.churn_model`) so the runs of a day score
with the model its first run trained instead of training again.

It learns from cutoffs half a year and a year back, which a day's runs do not move; training
anew on every run moved some customers' risk by a few percent each time, and those moves
travelled to the CRM as CLV and churn updates that the next run read back (a no-change run
at 10,000 customers wrote 35 of them). Kept as a pickle of `ChurnModel`: the warehouse is
this pipeline's own, nobody else's file is unpickled.
"""

import pickle
from datetime import date

import duckdb

from integration_pipeline.analytics.churn import ChurnModel
from integration_pipeline.warehouse.arrow_load import transaction
from integration_pipeline.warehouse.daily_model import now_utc, still_usable

MODEL = "marts.churn_model"


def _ensure(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("CREATE SCHEMA IF NOT EXISTS marts")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {MODEL} "
        "(trained_at TIMESTAMP, as_of DATE, customers BIGINT, model BLOB)"
    )


def todays_churn_model(
    connection: duckdb.DuckDBPyConnection, as_of: date, customers: int
) -> ChurnModel | None:
    """The model trained today (UTC) for the same as-of day on about as many customers."""
    _ensure(connection)
    rows = connection.execute(
        f"SELECT trained_at, as_of, customers, model FROM {MODEL} ORDER BY trained_at DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    trained_at, trained_for, trained_on, model = rows[0]
    if trained_for != as_of or not still_usable(trained_at, trained_on, customers):
        return None
    return pickle.loads(model)


def keep_churn_model(
    connection: duckdb.DuckDBPyConnection, model: ChurnModel, as_of: date, customers: int
) -> None:
    """The newly trained model replaces the one kept."""
    _ensure(connection)
    with transaction(connection):
        connection.execute(f"DELETE FROM {MODEL}")
        connection.execute(
            f"INSERT INTO {MODEL} VALUES (?, ?, ?, ?)",
            [now_utc(), as_of, customers, pickle.dumps(model)],
        )
