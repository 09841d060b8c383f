"""Churn features, labels, the time-split model and the scores per customer, on histories
built here where the answer is known."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from integration_pipeline.analytics import churn
from integration_pipeline.analytics.clv import clv, yearly_retention
from integration_pipeline.analytics.scores import customer_scores

T = pd.Timestamp
NO_DEALS = pd.DataFrame(
    {
        "golden_id": pd.Series(dtype=str),
        "created": pd.Series(dtype="datetime64[us]"),
        "closed": pd.Series(dtype="datetime64[us]"),
        "stage": pd.Series(dtype=str),
    }
)


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "golden_id": [g for g, _, _ in rows],
            "order_date": [T(d) for _, d, _ in rows],
            "revenue": [r for _, _, r in rows],
            "cost": [r / 2 for _, _, r in rows],
        }
    )


def test_features_use_only_what_was_known_at_the_cutoff():
    orders = _orders(
        [
            ("a", "2025-01-01", 10),
            ("a", "2025-03-01", 30),
            ("a", "2025-09-01", 99),
            ("b", "2023-01-01", 5),
        ]
    )
    deals = pd.DataFrame(
        {
            "golden_id": ["a", "a"],
            "created": [T("2025-02-01"), T("2025-02-01")],
            "closed": [T("2025-04-01"), T("2025-02-15")],
            "stage": ["won", "lost"],
        }
    )
    features = churn.features_at(orders, deals, date(2025, 3, 31))
    assert list(features.index) == ["a"]  # b did not buy in the year before
    row = features.loc["a"]
    assert row["recency_days"] == 30 and row["tenure_days"] == 89
    assert row["orders_365d"] == 2 and row["revenue_365d"] == 40
    assert row["mean_gap_days"] == 59
    assert row["open_deals"] == 1  # closed only after the cutoff
    assert row["lost_deals_365d"] == 1


def test_labels_mark_who_did_not_buy_within_the_horizon():
    orders = _orders([("a", "2025-05-01", 1), ("b", "2026-01-01", 1)])
    labels = churn.labels_at(orders, pd.Index(["a", "b"]), date(2025, 4, 1))
    assert labels.to_dict() == {"a": 0, "b": 1}


def _history(seed: int = 5) -> pd.DataFrame:
    """Loyal customers order every few weeks for two years; fading ones stop at a random day."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(200):
        start = T("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 60)))
        stop = T("2026-12-31") if n % 2 else start + pd.Timedelta(days=int(rng.integers(120, 900)))
        day = start
        while day < min(stop, T("2026-11-30")):
            rows.append((f"c{n}", day.isoformat(), float(rng.integers(50, 500))))
            day += pd.Timedelta(days=int(rng.integers(10, 40) if n % 2 else rng.integers(30, 120)))
    return _orders(rows)


def test_the_model_separates_fading_from_loyal_customers_on_a_later_cutoff():
    orders = _history()
    model = churn.train(orders, NO_DEALS, date(2026, 12, 1))
    assert model is not None
    assert model.train_cutoff < model.validation_cutoff < date(2026, 12, 1)
    assert model.validation_auc is not None and model.validation_auc > 0.75


def test_no_model_without_both_outcomes():
    orders = _orders([("a", f"2025-{m:02}-01", 10) for m in range(1, 13)])
    assert churn.train(orders, NO_DEALS, date(2026, 6, 1)) is None


def test_scores_say_what_they_rest_on():
    orders = pd.concat([_history(), _orders([("lapsed", "2025-01-05", 100)])], ignore_index=True)
    customers = pd.DataFrame({"golden_id": ["c1", "lapsed", "never"]})
    scores, model = customer_scores(customers, orders, NO_DEALS, date(2026, 12, 1))
    by_id = scores.set_index("golden_id")
    assert model is not None
    assert by_id.at["c1", "churn_basis"] == "model" and 0 <= by_id.at["c1", "churn_risk"] <= 1
    assert by_id.at["c1", "clv"] > 0
    assert by_id.at["lapsed", "churn_risk"] == 1.0
    assert by_id.at["lapsed", "clv"] == 0  # no margin this year, retention 0
    assert (
        pd.isna(by_id.at["never", "churn_risk"])
        and by_id.at["never", "churn_basis"] == "no ERP order"
    )
    assert pd.isna(by_id.at["never", "clv"])


def test_clv_formula_and_its_limits():
    assert clv(100.0, 0.5, 0.1) == pytest.approx(100 * 0.5 / 0.6)
    assert clv(100.0, 1.2, 0.1) is None
    assert clv(float("nan"), 0.5, 0.1) is None
    assert yearly_retention(0.0, 180) == 1.0
    assert yearly_retention(0.5, 365) == pytest.approx(0.5)


def test_the_scorer_computes_what_the_fitted_pipeline_does():
    orders = _history()
    features = churn.features_at(orders, NO_DEALS, date(2026, 6, 1))[list(churn.FEATURES)]
    labels = churn.labels_at(orders, features.index, date(2026, 6, 1))
    pipeline = churn._pipeline().fit(features, labels)
    expected = pipeline.predict_proba(features)[:, 1]
    got = churn.LogisticScorer.of(pipeline).probability(features)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert 0 < expected.min() < expected.max() < 1  # not a degenerate fit
