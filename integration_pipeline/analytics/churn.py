"""Churn risk per customer: features from both systems as of a cutoff day, a label from what
happened after it, a time-based validation split, and scores for today.

A customer has churned at a cutoff when it bought in the year before the cutoff and not in
the `horizon` days after it. Features use only what was known on the cutoff day: ERP orders
(recency, frequency, value, gaps between orders, tenure) and CRM deals (open, lost). The
model is trained on one cutoff and validated on a later one, so the score it reports is the
one it would have had in production; then it is refitted on both and scores today.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

FEATURES = (
    "recency_days",
    "orders_365d",
    "orders_90d",
    "revenue_365d",
    "tenure_days",
    "mean_gap_days",
    "open_deals",
    "lost_deals_365d",
)
HORIZON_DAYS = 180


@dataclass(frozen=True)
class LogisticScorer:
    """What the fitted pipeline (log1p, standardise, logistic regression) computes, as its
    numbers: scoring needs numpy only. Training needs scikit-learn; a run that scores with the
    day's kept model no longer imports it (~1.5 s of a short run here)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def of(cls, pipeline) -> "LogisticScorer":
        _, scaler, regression = (step for _, step in pipeline.steps)
        return cls(
            tuple(float(v) for v in scaler.mean_),
            tuple(float(v) for v in scaler.scale_),
            tuple(float(v) for v in regression.coef_[0]),
            float(regression.intercept_[0]),
        )

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        """P(class 1) per row, as the pipeline's predict_proba(...)[:, 1]."""
        scaled = (np.log1p(features.to_numpy(dtype=float)) - self.mean) / np.array(self.scale)
        decision = scaled @ np.array(self.coef) + self.intercept
        return 0.5 * (1.0 + np.tanh(decision / 2.0))  # the logistic function, no overflow


@dataclass(frozen=True)
class ChurnModel:
    model: LogisticScorer
    validation_auc: float | None  # None: the later cutoff had one class only
    train_cutoff: date
    validation_cutoff: date
    train_rows: int
    validation_rows: int


def features_at(orders: pd.DataFrame, deals: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """`orders`: golden_id, order_date, revenue. `deals`: golden_id, created, closed (date or
    NaT), stage ('won', 'lost', 'open'). One row per customer who bought in the year before
    the cutoff, indexed by golden_id."""
    day = pd.Timestamp(cutoff)
    known = orders[orders["order_date"] <= day]
    recent = known[known["order_date"] > day - pd.Timedelta(days=365)]
    active = recent["golden_id"].unique()
    known = known[known["golden_id"].isin(active)]
    by_customer = known.groupby("golden_id")["order_date"]
    frame = pd.DataFrame(index=pd.Index(active, name="golden_id"))
    frame["recency_days"] = (day - by_customer.max()).dt.days
    frame["tenure_days"] = (day - by_customer.min()).dt.days
    frame["orders_365d"] = recent.groupby("golden_id").size()
    frame["orders_90d"] = (
        recent[recent["order_date"] > day - pd.Timedelta(days=90)].groupby("golden_id").size()
    )
    frame["revenue_365d"] = recent.groupby("golden_id")["revenue"].sum()
    gaps = known.sort_values("order_date").groupby("golden_id")["order_date"].diff().dt.days
    frame["mean_gap_days"] = gaps.groupby(known.sort_values("order_date")["golden_id"]).mean()
    frame["mean_gap_days"] = frame["mean_gap_days"].fillna(frame["tenure_days"])
    seen = deals[deals["created"] <= day]
    is_open = (seen["stage"] == "open") | (seen["closed"] > day)
    frame["open_deals"] = seen[is_open].groupby("golden_id").size()
    lost = seen[
        (seen["stage"] == "lost")
        & (seen["closed"] <= day)
        & (seen["closed"] > day - pd.Timedelta(days=365))
    ]
    frame["lost_deals_365d"] = lost.groupby("golden_id").size()
    return frame.fillna(0).astype(float)


def labels_at(orders: pd.DataFrame, customers: pd.Index, cutoff: date) -> pd.Series:
    """1 where the customer placed no order in the `HORIZON_DAYS` after the cutoff."""
    day = pd.Timestamp(cutoff)
    after = orders[
        (orders["order_date"] > day)
        & (orders["order_date"] <= day + pd.Timedelta(days=HORIZON_DAYS))
    ]
    bought = set(after["golden_id"])
    return pd.Series([0 if c in bought else 1 for c in customers], index=customers, name="churned")


def _pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    # Counts and amounts are heavy-tailed: log1p before scaling keeps one big customer from
    # deciding the coefficients.
    return make_pipeline(
        FunctionTransformer(np.log1p), StandardScaler(), LogisticRegression(max_iter=1000)
    )


def train(orders: pd.DataFrame, deals: pd.DataFrame, today: date) -> ChurnModel | None:
    """Train on the cutoff two horizons back, validate on the one a horizon back (its labels
    are complete by today), refit on both. None when there is too little history to learn
    from (fewer than two classes)."""
    from sklearn.metrics import roc_auc_score

    validation_cutoff = today - timedelta(days=HORIZON_DAYS)
    train_cutoff = validation_cutoff - timedelta(days=HORIZON_DAYS)
    x_train = features_at(orders, deals, train_cutoff)
    y_train = labels_at(orders, x_train.index, train_cutoff)
    x_valid = features_at(orders, deals, validation_cutoff)
    y_valid = labels_at(orders, x_valid.index, validation_cutoff)
    if y_train.nunique() < 2:
        return None
    model = _pipeline().fit(x_train[list(FEATURES)], y_train)
    auc = None
    if y_valid.nunique() == 2:
        scores = model.predict_proba(x_valid[list(FEATURES)])[:, 1]
        auc = float(roc_auc_score(y_valid, scores))
    both_x = pd.concat([x_train, x_valid])[list(FEATURES)]
    both_y = pd.concat([y_train, y_valid])
    final = _pipeline().fit(both_x, both_y) if both_y.nunique() == 2 else model
    return ChurnModel(
        LogisticScorer.of(final),
        auc,
        train_cutoff,
        validation_cutoff,
        len(x_train),
        len(x_valid),
    )


def score(model: ChurnModel, orders: pd.DataFrame, deals: pd.DataFrame, today: date) -> pd.Series:
    """Churn risk (probability of no order in the next horizon) of today's active customers."""
    current = features_at(orders, deals, today)
    if current.empty:
        return pd.Series(dtype=float, name="churn_risk")
    risk = model.model.probability(current[list(FEATURES)])
    return pd.Series(risk, index=current.index, name="churn_risk")
