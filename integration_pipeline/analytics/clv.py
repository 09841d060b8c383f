"""Customer lifetime value: the margin a customer brings per year, times the years it is
expected to stay, discounted (Gupta & Lehmann's CLV = m · r / (1 + d − r)).

m is the gross margin of the last 365 days, r the yearly retention probability, d the
yearly discount rate. r comes from the churn risk (a probability over HORIZON_DAYS) for one
customer, or from the observed retention of the whole base for the KPI.
"""

import math

DEFAULT_DISCOUNT_RATE = 0.10


def yearly_retention(churn_risk: float, horizon_days: int) -> float:
    """Retention over a year from the probability of churning within `horizon_days`."""
    return (1.0 - churn_risk) ** (365.0 / horizon_days)


def clv(yearly_margin: float, retention: float, discount_rate: float) -> float | None:
    """None when an input is missing or retention is not a probability."""
    if yearly_margin is None or retention is None or math.isnan(yearly_margin):
        return None
    if not 0.0 <= retention < 1.0 + discount_rate:
        return None
    return yearly_margin * retention / (1.0 + discount_rate - retention)
