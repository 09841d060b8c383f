"""The KPI report: PNG plots and one HTML file that carries them and every KPI."""

from datetime import date

import pandas as pd

from integration_pipeline.analytics.kpis import (
    KPI_DEFINITIONS,
    monthly_kpis,
    months_between,
)
from integration_pipeline.analytics.report import PLOTS, write_report
from integration_pipeline_tests.analytics.inputs import kpi_inputs

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
    inputs = kpi_inputs(
        orders=orders,
        spend=pd.DataFrame({"month": [T("2026-01-01")], "amount": [1000.0]}),
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


def test_a_plot_is_drawn_again_only_when_its_figures_change(tmp_path, monkeypatch):
    from integration_pipeline.analytics import report

    drawn = []
    draw = report.plot_png
    monkeypatch.setattr(
        report,
        "plot_png",
        lambda kpis, names, title: drawn.append(title) or draw(kpis, names, title),
    )
    table = _table()
    _, first = write_report(table, tmp_path / "kpis")
    assert sorted(drawn) == sorted(PLOTS)
    drawn.clear()
    _, again = write_report(table, tmp_path / "kpis")
    assert drawn == [] and again == first
    moved = table.copy()
    moved.loc[moved["kpi"] == "revenue", "value"] += 1
    _, after = write_report(moved, tmp_path / "kpis")
    assert drawn == ["revenue_and_margin"]
    assert after["revenue_and_margin"] != first["revenue_and_margin"]
    assert after["revenue_and_margin"] == draw(
        moved, PLOTS["revenue_and_margin"], "revenue_and_margin"
    )
    # A PNG lost (or a key without one) is drawn again.
    (tmp_path / "kpis" / "funnel.png").unlink()
    drawn.clear()
    _, restored = write_report(moved, tmp_path / "kpis")
    assert drawn == ["funnel"] and restored["funnel"] == first["funnel"]
