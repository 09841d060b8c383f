"""The weekly demand forecast: history to weeks, smoothing, the seasonal benchmark, the
backtest, and the pipeline on top (alone where there is no history, and saying so)."""

import numpy as np
import pandas as pd
import pytest

from integration_pipeline.analytics import demand
from integration_pipeline.analytics.demand_plan import crm_share

T = pd.Timestamp


def test_weekly_history_has_every_week_zeros_included():
    lines = pd.DataFrame(
        {
            "order_date": [T("2026-01-07"), T("2026-01-08"), T("2026-01-28")],  # Wed, Thu, Wed
            "product_code": ["A", "A", "B"],
            "quantity": [2.0, 3.0, 4.0],
        }
    )
    history = demand.weekly_history(lines, T("2026-02-02"))
    assert list(history.index) == list(pd.date_range("2026-01-05", "2026-02-02", freq="7D"))
    assert history["A"].tolist() == [5.0, 0.0, 0.0, 0.0, 0.0]
    assert history["B"].tolist() == [0.0, 0.0, 0.0, 4.0, 0.0]


def test_smoothing_follows_a_level_shift_and_is_flat_on_a_constant():
    assert demand.smoothed_level(np.full(20, 7.0)) == pytest.approx(7.0)
    shifted = np.concatenate([np.full(30, 2.0), np.full(30, 10.0)])
    assert demand.smoothed_level(shifted) == pytest.approx(10.0, abs=0.5)
    assert demand.smoothed_level(np.array([])) == 0.0


def test_seasonal_naive_repeats_last_seasons_weeks():
    index = pd.date_range("2024-01-01", periods=60, freq="7D", name="week")
    history = pd.DataFrame({"A": np.arange(60, dtype=float)}, index=index)
    naive = demand.seasonal_naive(history, 3)
    assert naive["A"].tolist() == [8.0, 9.0, 10.0]  # weeks 60−52, 61−52, 62−52


def test_backtest_rewards_the_smoother_on_noise_around_a_level():
    rng = np.random.default_rng(3)
    index = pd.date_range("2024-01-01", periods=120, freq="7D", name="week")
    history = pd.DataFrame({"A": rng.poisson(10, 120).astype(float)}, index=index)
    result = demand.backtest(history)
    assert result.origins == 12
    # A season-old week repeats last year's noise; the level does not.
    assert result.wape_baseline < result.wape_seasonal_naive
    assert result.improvement == pytest.approx(
        1 - result.wape_baseline / result.wape_seasonal_naive
    )


def test_backtest_needs_a_year_of_history():
    index = pd.date_range("2026-01-05", periods=30, freq="7D", name="week")
    with pytest.raises(ValueError, match="more than a year"):
        demand.backtest(pd.DataFrame({"A": np.ones(30)}, index=index))


def test_pipeline_raises_the_forecast_only_above_what_history_already_holds():
    index = pd.date_range("2026-01-05", periods=20, freq="7D", name="week")
    history = pd.DataFrame({"A": np.full(20, 10.0), "B": np.full(20, 4.0)}, index=index)
    first = T("2026-05-25")
    open_lines = pd.DataFrame(
        {
            "product_code": ["A", "A", "NEW"],
            "quantity": [40.0, 2.0, 10.0],
            "probability": [0.5, 0.5, 0.3],
            # A deal past its close date counts in the first week.
            "close_date": [T("2026-05-27"), T("2026-04-01"), T("2026-06-03")],
        }
    )
    table = demand.forecast(history, pd.Series({"A": 0.5}), open_lines, first, 2).set_index(
        ["product_code", "week"]
    )
    week1, week2 = first.date(), (first + pd.Timedelta(days=7)).date()
    # A: 21 expected in week 1, history already holds 0.5 · 10 of deal demand.
    assert table.loc[("A", week1), "forecast"] == pytest.approx(10 + 21 - 5)
    assert table.loc[("A", week1), "basis"] == "history + pipeline"
    assert table.loc[("A", week2), "forecast"] == pytest.approx(10)
    assert table.loc[("B", week2), "basis"] == "history"
    assert table.loc[("NEW", week1), "forecast"] == 0
    assert table.loc[("NEW", week2), "forecast"] == pytest.approx(3)
    assert table.loc[("NEW", week2), "basis"] == "pipeline only: no order history"
    assert pd.isna(table.loc[("NEW", week2), "baseline"])


def test_crm_share_per_product():
    lines = pd.DataFrame(
        {
            "product_code": ["A", "A", "B"],
            "quantity": [3.0, 1.0, 2.0],
            "from_crm": [True, False, False],
        }
    )
    assert crm_share(lines).to_dict() == {"A": 0.75, "B": 0.0}
