"""Weekly demand per product: a time-series baseline from ERP order history, raised where
the open CRM pipeline expects more; and the backtest that measures the baseline.

The pipeline's expected quantity of a week is Σ quantity × probability of the open deals
expected to close in it. History already holds the demand that used to arrive through deals
(the product's CRM share `s`), so the pipeline adds only what it expects above that:
forecast = baseline + max(0, pipeline − s · baseline). A product with no history is
forecast from the pipeline alone, and says so.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5)  # smoothing constants tried per product


def week_start(values: pd.Series) -> pd.Series:
    """The Monday of each value's week."""
    days = values.dt.normalize()
    return days - pd.to_timedelta(days.dt.weekday, unit="D")


def weekly_history(order_lines: pd.DataFrame, last_week: pd.Timestamp) -> pd.DataFrame:
    """Quantity per product (columns) and week (rows, every week from the first order to
    `last_week`, zeros included)."""
    if order_lines.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="week"))
    weeks = week_start(order_lines["order_date"])
    table = order_lines.assign(week=weeks).pivot_table(
        index="week", columns="product_code", values="quantity", aggfunc="sum", fill_value=0.0
    )
    full = pd.date_range(table.index.min(), last_week, freq="7D", name="week")
    return table.reindex(full, fill_value=0.0)


def smoothed_level(series: np.ndarray) -> float:
    """Simple exponential smoothing, the constant chosen by one-step-ahead squared error."""
    if len(series) == 0:
        return 0.0
    best_error, best_level = np.inf, float(series.mean())
    for alpha in ALPHAS:
        level, error = float(series[0]), 0.0
        for value in series[1:]:
            error += (value - level) ** 2
            level = alpha * value + (1 - alpha) * level
        if error < best_error:
            best_error, best_level = error, level
    return best_level


def baseline(history: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Flat SES forecast for `weeks` weeks after the history's last week, per product."""
    start = history.index.max() + pd.Timedelta(days=7)
    index = pd.date_range(start, periods=weeks, freq="7D", name="week")
    levels = {p: smoothed_level(history[p].to_numpy(dtype=float)) for p in history.columns}
    return pd.DataFrame({p: [level] * weeks for p, level in levels.items()}, index=index)


def seasonal_naive(history: pd.DataFrame, weeks: int, season: int = 52) -> pd.DataFrame:
    """The benchmark: each week as the same week a season earlier."""
    start = history.index.max() + pd.Timedelta(days=7)
    index = pd.date_range(start, periods=weeks, freq="7D", name="week")
    rows = [history.iloc[len(history) - season + (h % season)] for h in range(weeks)]
    return pd.DataFrame(rows, index=index)


def wape(actual: pd.DataFrame, forecast: pd.DataFrame) -> float:
    actual, forecast = actual.align(forecast, join="left", fill_value=0.0)
    total = float(actual.to_numpy().sum())
    return float(np.abs(actual - forecast).to_numpy().sum()) / total if total else float("nan")


@dataclass(frozen=True)
class Backtest:
    origins: int
    horizon_weeks: int
    wape_baseline: float
    wape_seasonal_naive: float

    @property
    def improvement(self) -> float:
        """Share of the naive baseline's error the forecast removes."""
        return 1 - self.wape_baseline / self.wape_seasonal_naive


def backtest(history: pd.DataFrame, origins: int = 12, horizon_weeks: int = 4) -> Backtest:
    """Rolling origins over the last `origins` × `horizon_weeks` weeks: fit on what came
    before each origin, forecast the next weeks, compare with what happened."""
    actuals, ours, naive = [], [], []
    for k in range(origins, 0, -1):
        cut = len(history) - k * horizon_weeks
        if cut < 52:
            continue  # the seasonal benchmark needs a full year before the origin
        past, future = history.iloc[:cut], history.iloc[cut : cut + horizon_weeks]
        actuals.append(future)
        ours.append(baseline(past, horizon_weeks).set_index(future.index))
        naive.append(seasonal_naive(past, horizon_weeks).set_index(future.index))
    if not actuals:
        raise ValueError("a backtest needs more than a year of weekly history")
    actual = pd.concat(actuals)
    return Backtest(
        len(actuals),
        horizon_weeks,
        wape(actual, pd.concat(ours)),
        wape(actual, pd.concat(naive)),
    )


def pipeline_weekly(open_lines: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """`open_lines`: product_code, quantity, probability, close_date of open deals' line
    items. Expected quantity per week (a deal past its close date counts in the first week)."""
    if open_lines.empty:
        return pd.DataFrame(index=weeks)
    lines = open_lines.assign(
        week=week_start(open_lines["close_date"]).clip(lower=weeks.min()),
        expected=open_lines["quantity"] * open_lines["probability"],
    )
    table = lines.pivot_table(
        index="week", columns="product_code", values="expected", aggfunc="sum", fill_value=0.0
    )
    return table.reindex(weeks, fill_value=0.0)


def forecast(
    history: pd.DataFrame,
    crm_share: pd.Series,
    open_lines: pd.DataFrame,
    first_week: pd.Timestamp,
    weeks: int,
) -> pd.DataFrame:
    """Long table for `weeks` weeks from `first_week`: week, product_code, baseline,
    pipeline, forecast, basis."""
    index = pd.date_range(first_week, periods=weeks, freq="7D", name="week")
    levels = {p: smoothed_level(history[p].to_numpy(dtype=float)) for p in history.columns}
    pipe = pipeline_weekly(open_lines, index)
    rows = []
    for product in sorted(set(levels) | set(pipe.columns)):
        for week in index:
            expected = float(pipe.at[week, product]) if product in pipe.columns else 0.0
            if product in levels:
                level, share = levels[product], float(crm_share.get(product, 0.0))
                value = level + max(0.0, expected - share * level)
                basis = "history + pipeline" if expected > share * level else "history"
            else:
                level, value, basis = None, expected, "pipeline only: no order history"
            rows.append(
                {
                    "week": week.date(),
                    "product_code": product,
                    "baseline": level,
                    "pipeline": expected,
                    "forecast": value,
                    "basis": basis,
                }
            )
    columns = ["week", "product_code", "baseline", "pipeline", "forecast", "basis"]
    return pd.DataFrame(rows, columns=columns)
