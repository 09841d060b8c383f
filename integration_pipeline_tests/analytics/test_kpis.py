"""Monthly KPIs on frames built here: every value checked by hand, every missing value with
its reason, Gregorian and Jalali months."""

import itertools
import math
from datetime import date

import pandas as pd
import pytest

from integration_pipeline.analytics.kpis import (
    KPI_DEFINITIONS,
    first_of_month_back,
    monthly_kpis,
    months_between,
)
from integration_pipeline_tests.analytics.inputs import kpi_inputs

T = pd.Timestamp


def _value(table: pd.DataFrame, kpi: str, label: str) -> tuple[float | None, str | None]:
    row = table[(table["kpi"] == kpi) & (table["month_label"] == label)].iloc[0]
    value = None if pd.isna(row["value"]) else float(row["value"])
    return value, None if pd.isna(row["missing_reason"]) else row["missing_reason"]


def test_nothing_to_count_is_missing_with_a_reason_never_zero_or_infinity():
    table = monthly_kpis(kpi_inputs(), months_between(date(2026, 1, 1), date(2026, 2, 15)))
    assert set(table["kpi"]) == set(KPI_DEFINITIONS)
    assert len(table) == 2 * len(KPI_DEFINITIONS)
    for kpi in ("cac", "clv", "clv_cac_ratio", "win_rate", "dso_days", "lead_conversion"):
        value, reason = _value(table, kpi, "2026-02")
        assert value is None and reason, kpi
    assert _value(table, "cac", "2026-02")[1] == "no spend recorded for the month"
    assert _value(table, "win_rate", "2026-02")[1] == "no deal closed this month"
    # Sums of nothing are real zeros.
    assert _value(table, "revenue", "2026-02") == (0.0, None)
    values = table["value"].dropna()
    assert all(math.isfinite(v) for v in values)


def test_cac_is_missing_when_spend_buys_no_new_customer():
    inputs = kpi_inputs(
        orders=pd.DataFrame(
            {
                "golden_id": ["a", "a"],
                "order_date": [T("2026-01-10"), T("2026-02-10")],
                "revenue": [100.0, 100.0],
                "cost": [60.0, 60.0],
                "from_crm": [True, False],
            }
        ),
        spend=pd.DataFrame({"month": [T("2026-01-01"), T("2026-02-01")], "amount": [50.0, 30.0]}),
    )
    table = monthly_kpis(inputs, months_between(date(2026, 1, 1), date(2026, 2, 28)))
    assert _value(table, "cac", "2026-01") == (50.0, None)
    assert _value(table, "cac", "2026-02") == (None, "no new customers this month")
    assert _value(table, "clv_cac_ratio", "2026-02")[1].startswith("CLV: ")
    # (100 − 60 − 30) ÷ 100
    assert _value(table, "net_profit_margin", "2026-02")[0] == pytest.approx(0.1)
    assert _value(table, "orders_without_retyping", "2026-01") == (1.0, None)
    assert _value(table, "orders_without_retyping", "2026-02") == (0.0, None)


def test_funnel_cash_and_sync_figures():
    inputs = kpi_inputs(
        deals=pd.DataFrame(
            {
                "created": [T("2026-03-01"), T("2026-03-05"), T("2026-02-01")],
                "closed": [T("2026-03-11"), T("2026-03-25"), T("2026-03-20")],
                "stage": ["won", "lost", "won"],
            }
        ),
        leads=pd.DataFrame(
            {"created": [T("2026-03-02")] * 4, "converted": [True, False, False, False]}
        ),
        invoices=pd.DataFrame(
            {
                "invoice_date": [T("2026-03-10")],
                "total": [310.0],
                "paid_on": [T("2026-03-30")],
                "order_date": [T("2026-03-05")],
            }
        ),
        receivable_lines=pd.DataFrame(
            {
                "move_date": [T("2026-03-10"), T("2026-03-12")],
                "debit": [310.0, 100.0],
                "credit": [0.0, 0.0],
                "reconciled_on": [T("2026-03-30"), pd.NaT],
            }
        ),
        order_syncs=pd.DataFrame(
            {
                "planned_at": [T("2026-03-03 10:00:00"), T("2026-03-04 10:00:00")],
                "applied_at": [T("2026-03-03 10:00:04"), T("2026-03-04 10:00:10")],
            }
        ),
    )
    table = monthly_kpis(inputs, months_between(date(2026, 3, 1), date(2026, 3, 31)))
    assert _value(table, "win_rate", "2026-03")[0] == pytest.approx(2 / 3)
    assert _value(table, "sales_cycle_days", "2026-03")[0] == pytest.approx((10 + 47) / 2)
    assert _value(table, "lead_conversion", "2026-03")[0] == pytest.approx(0.25)
    # 100 still open at the month's end, 310 invoiced, 31 days.
    assert _value(table, "dso_days", "2026-03")[0] == pytest.approx(100 * 31 / 310)
    assert _value(table, "order_to_cash_days", "2026-03")[0] == pytest.approx(25)
    assert _value(table, "order_sync_seconds_p50", "2026-03")[0] == pytest.approx(7)


def test_clv_from_the_retention_of_last_years_customers():
    orders = pd.DataFrame(
        {
            "golden_id": ["a", "b", "a"],
            "order_date": [T("2025-01-15"), T("2024-12-15"), T("2026-01-15")],
            "revenue": [100.0, 100.0, 300.0],
            "cost": [50.0, 50.0, 100.0],
            "from_crm": [False] * 3,
        }
    )
    table = monthly_kpis(
        kpi_inputs(orders=orders), months_between(date(2026, 1, 1), date(2026, 1, 31))
    )
    # Retention ½ (a came back, b did not); margin 200; d = 0.10: 200 · 0.5 / 0.6.
    assert _value(table, "clv", "2026-01")[0] == pytest.approx(200 * 0.5 / 0.6)


def test_jalali_months_start_on_the_gregorian_days_they_fall_on():
    months = months_between(date(2026, 3, 1), date(2026, 4, 30), "jalali")
    assert [m.label for m in months] == ["1404/12", "1405/01", "1405/02"]
    assert months[1].start == T("2026-03-21") and months[1].next_start == T("2026-04-21")
    assert all(a.next_start == b.start for a, b in itertools.pairwise(months))


def test_history_of_n_months_starts_n_minus_one_months_back():
    assert first_of_month_back(date(2026, 12, 4), 23) == date(2025, 1, 1)
    assert first_of_month_back(date(2026, 3, 31), 2) == date(2026, 1, 1)
    assert first_of_month_back(date(2026, 1, 15), 1) == date(2025, 12, 1)
    assert len(months_between(first_of_month_back(date(2026, 12, 4), 23), date(2026, 12, 4))) == 24


def test_an_unknown_calendar_is_refused():
    with pytest.raises(ValueError, match="gregorian' or 'jalali'"):
        months_between(date(2026, 1, 1), date(2026, 2, 1), "julian")
