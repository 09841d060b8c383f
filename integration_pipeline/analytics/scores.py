"""Churn risk and CLV per golden customer, with the basis of each figure."""

from datetime import date

import pandas as pd

from integration_pipeline.analytics import churn
from integration_pipeline.analytics.clv import DEFAULT_DISCOUNT_RATE, clv, yearly_retention


def customer_scores(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    deals: pd.DataFrame,
    today: date,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    model: churn.ChurnModel | None = None,
) -> tuple[pd.DataFrame, churn.ChurnModel | None]:
    """One row per golden customer: churn_risk, churn_basis, yearly_margin, clv.

    A customer who bought in the last year is scored by the model (`model`, else one trained
    now); one who bought before but not in the last year has lapsed (risk 1); one with no ERP
    order has no risk at all, and says so."""
    model = model or churn.train(orders, deals, today)
    scored = churn.score(model, orders, deals, today) if model else pd.Series(dtype=float)
    day = pd.Timestamp(today)
    year = orders[
        (orders["order_date"] > day - pd.Timedelta(days=365)) & (orders["order_date"] <= day)
    ]
    margin = (year["revenue"] - year["cost"]).groupby(year["golden_id"]).sum()
    ever = set(orders.loc[orders["order_date"] <= day, "golden_id"])
    this_year = set(year["golden_id"])
    rows = []
    for golden_id in customers["golden_id"]:
        if golden_id in scored.index:
            risk, basis = float(scored[golden_id]), "model"
        elif golden_id in ever:
            risk, basis = 1.0, "lapsed: no order in the last 365 days"
        elif model is None and golden_id in this_year:
            risk, basis = None, "too little history for a churn model"
        else:
            risk, basis = None, "no ERP order"
        yearly = float(margin.get(golden_id, 0.0)) if golden_id in ever else None
        value = (
            clv(yearly, yearly_retention(risk, churn.HORIZON_DAYS), discount_rate)
            if risk is not None and yearly is not None
            else None
        )
        rows.append(
            {
                "golden_id": golden_id,
                "churn_risk": risk,
                "churn_basis": basis,
                "yearly_margin": yearly,
                "clv": value,
            }
        )
    columns = ["golden_id", "churn_risk", "churn_basis", "yearly_margin", "clv"]
    return pd.DataFrame(rows, columns=columns), model
