"""The KPI report: PNG plots and one HTML file that carries them and every KPI."""

from datetime import date

import pandas as pd

from integration_pipeline.analytics.kpis import (
    KPI_DEFINITIONS,
    KpiInputs,
    monthly_kpis,
    months_between,
)
from integration_pipeline.analytics.report import PLOTS, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _table() -> pd.DataFrame:
    T = pd.Timestamp
    orders = pd.DataFrame(
        {
            "golden_id": ["a", "b", "a"],
            "order_date": [T("2026-01-10"), T("2026-02-10"), T("2026-03-10")],
            "revenue": [100.0, 200.0, 300.0],
            "cost": [50.0, 80.0, 90.0],
            "from_crm": [True, False, True],
        }
    )
    dates = {c: pd.Series(dtype="datetime64[us]") for c in ("created", "closed")}
    inputs = KpiInputs(
        orders=orders,
        invoices=pd.DataFrame(
            {
                c: pd.Series(dtype="datetime64[us]")
                for c in ("invoice_date", "paid_on", "order_date")
            }
            | {"total": pd.Series(dtype=float)}
        ),
        receivable_lines=pd.DataFrame(
            {
                "move_date": pd.Series(dtype="datetime64[us]"),
                "debit": pd.Series(dtype=float),
                "credit": pd.Series(dtype=float),
                "reconciled_on": pd.Series(dtype="datetime64[us]"),
            }
        ),
        deals=pd.DataFrame(dates | {"stage": pd.Series(dtype=str)}),
        leads=pd.DataFrame({"created": dates["created"], "converted": pd.Series(dtype=bool)}),
        spend=pd.DataFrame({"month": [T("2026-01-01")], "amount": [1000.0]}),
        order_syncs=pd.DataFrame(
            {c: pd.Series(dtype="datetime64[us]") for c in ("planned_at", "applied_at")}
        ),
    )
    return monthly_kpis(inputs, months_between(date(2026, 1, 1), date(2026, 3, 31), "jalali"))


def test_report_has_every_kpi_every_month_and_its_plots(tmp_path):
    table = _table()
    path, images = write_report(table, tmp_path / "kpis")
    assert set(images) == set(PLOTS)
    for title, png in images.items():
        assert png.startswith(PNG_MAGIC)
        assert (tmp_path / "kpis" / f"{title}.png").read_bytes() == png
    page = path.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(PLOTS)  # one file: images inlined
    for kpi in KPI_DEFINITIONS:
        assert f">{kpi}</th>" in page
    for label in table["month_label"].unique():
        assert f"<th>{label}</th>" in page  # Jalali labels, e.g. 1404/10
    assert "1404/10" in page
    # The last month's reasons are shown beside the numbers.
    assert "no spend recorded for the month" in page
