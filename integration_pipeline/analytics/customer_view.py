"""The customer 360 row as text for a person at a terminal."""

import math

import pandas as pd

_SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "identity",
        (
            ("golden id", "golden_id"),
            ("e-mail", "email"),
            ("phone", "phone"),
            ("city", "city"),
            ("country", "country"),
            ("national id", "national_id"),
            ("CRM records", "crm_records"),
            ("ERP parties", "erp_party_codes"),
            ("owner", "owner_id"),
            ("lifecycle stage", "lifecycle_stage"),
        ),
    ),
    (
        "sales",
        (
            ("open deals", "open_deals"),
            ("weighted pipeline", "open_deals_weighted_amount"),
            ("orders", "orders"),
            ("revenue (untaxed)", "revenue"),
            ("first order", "first_order_date"),
            ("last order", "last_order_date"),
        ),
    ),
    (
        "finance",
        (
            ("invoices open", "invoices_open"),
            ("invoices overdue", "invoices_overdue"),
            ("invoices paid", "invoices_paid"),
            ("payments received", "payments_received"),
            ("outstanding balance", "outstanding_balance"),
            ("credit limit", "credit_limit"),
            ("available credit", "available_credit"),
        ),
    ),
    ("shipments", (("in flight", "shipments_in_flight"),)),
    (
        "outlook",
        (("churn risk", "churn_risk"), ("churn basis", "churn_basis"), ("CLV", "clv")),
    ),
)


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"
    if hasattr(value, "__len__") and not isinstance(value, str):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def render(row: pd.Series) -> str:
    lines = [f"{row['name']}  (as of {_shown(row['as_of'])})"]
    for title, fields in _SECTIONS:
        lines.append(f"  {title}")
        lines += [f"    {label:<20} {_shown(row.get(column))}" for label, column in fields]
    return "\n".join(lines)
