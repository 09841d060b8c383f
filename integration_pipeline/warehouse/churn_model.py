"""The churn model, kept in the warehouse (`marts.churn_model`) so the runs of a day score
with the model its first run trained instead of training again.

It learns from cutoffs half a year and a year back, which a day's runs do not move; training
anew on every run moved some customers' risk by a few percent each time, and those moves
travelled to the CRM as CLV and churn updates that the next run read back (a no-change run
at 10,000 customers wrote 35 of them). Kept as JSON of its numbers: reading it back needs
neither pickle nor scikit-learn. A model kept in another form (a pickle, before) is trained
anew.
"""

import json
from dataclasses import asdict
from datetime import date

import duckdb

from integration_pipeline.analytics.churn import ChurnModel, LogisticScorer
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
    try:
        return _from_json(model)
    except (ValueError, KeyError, TypeError):  # kept in an older form
        return None


def keep_churn_model(
    connection: duckdb.DuckDBPyConnection, model: ChurnModel, as_of: date, customers: int
) -> None:
    """The newly trained model replaces the one kept."""
    _ensure(connection)
    with transaction(connection):
        connection.execute(f"DELETE FROM {MODEL}")
        connection.execute(
            f"INSERT INTO {MODEL} VALUES (?, ?, ?, ?)",
            [now_utc(), as_of, customers, _to_json(model)],
        )


def _to_json(model: ChurnModel) -> bytes:
    return json.dumps(asdict(model), default=date.isoformat).encode()


def _from_json(kept: bytes) -> ChurnModel:
    fields = json.loads(kept)
    scorer = fields.pop("model")
    return ChurnModel(
        model=LogisticScorer(
            mean=tuple(scorer["mean"]),
            scale=tuple(scorer["scale"]),
            coef=tuple(scorer["coef"]),
            intercept=scorer["intercept"],
        ),
        train_cutoff=date.fromisoformat(fields.pop("train_cutoff")),
        validation_cutoff=date.fromisoformat(fields.pop("validation_cutoff")),
        **fields,
    )
