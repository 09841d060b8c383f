"""The churn model is used again the same day, for the same as-of day, on a like population;
trained anew else; and a kept model scores exactly as it did when it was trained."""

import pickle
from datetime import date

import duckdb
import pandas as pd

from integration_pipeline.analytics.scores import customer_scores
from integration_pipeline.warehouse.churn_model import (
    MODEL,
    keep_churn_model,
    todays_churn_model,
)
from integration_pipeline_tests.analytics.test_churn_and_clv import NO_DEALS, _history

AS_OF = date(2026, 12, 1)


def _trained():
    customers = pd.DataFrame({"golden_id": ["c1", "c2", "c3"]})
    scores, model = customer_scores(customers, _history(), NO_DEALS, AS_OF)
    assert model is not None
    return customers, scores, model


def test_a_kept_model_scores_as_when_it_was_trained():
    customers, scores, model = _trained()
    connection = duckdb.connect()
    assert todays_churn_model(connection, AS_OF, 1000) is None  # nothing trained yet
    keep_churn_model(connection, model, AS_OF, 1000)
    kept = todays_churn_model(connection, AS_OF, 1050)
    assert kept is not None and kept.validation_auc == model.validation_auc
    again, used = customer_scores(customers, _history(), NO_DEALS, AS_OF, model=kept)
    assert used is kept
    pd.testing.assert_frame_equal(again, scores)


def test_another_day_as_of_or_population_trains_anew():
    _, _, model = _trained()
    connection = duckdb.connect()
    keep_churn_model(connection, model, AS_OF, 1000)
    assert todays_churn_model(connection, date(2026, 12, 2), 1000) is None  # other as-of
    assert todays_churn_model(connection, AS_OF, 1200) is None  # grew by 20 %
    keep_churn_model(connection, model, AS_OF, 1200)
    assert connection.execute(f"SELECT count(*) FROM {MODEL}").fetchone() == (1,)
    connection.execute(f"UPDATE {MODEL} SET trained_at = trained_at - INTERVAL 1 DAY")
    assert todays_churn_model(connection, AS_OF, 1200) is None  # trained yesterday


def test_a_model_kept_in_an_older_form_is_trained_anew():
    _, _, model = _trained()
    connection = duckdb.connect()
    keep_churn_model(connection, model, AS_OF, 1000)
    connection.execute(f"UPDATE {MODEL} SET model = ?", [pickle.dumps({"not": "json"})])
    assert todays_churn_model(connection, AS_OF, 1000) is None
