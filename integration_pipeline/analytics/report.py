"""The KPI plots (PNG) and the one-file HTML report that carries them."""

import base64
import hashlib
import html
import io
from pathlib import Path

import pandas as pd

from integration_pipeline.analytics.kpis import KPI_DEFINITIONS

# plot title → the KPIs drawn on it
PLOTS: dict[str, tuple[str, ...]] = {
    "revenue_and_margin": ("revenue", "net_profit_margin"),
    "clv_and_cac": ("clv", "cac"),
    "funnel": ("lead_conversion", "win_rate"),
    "cash": ("dso_days", "order_to_cash_days"),
}


def plot_png(kpis: pd.DataFrame, names: tuple[str, ...], title: str) -> bytes:
    """One line per KPI against its month label; months where it is missing are gaps."""
    # Matplotlib's object API on the Agg canvas: no pyplot state, no screen needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 2.6 * len(names)))
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(names), 1, sharex=True)
    axes = [axes] if len(names) == 1 else list(axes)
    labels = list(dict.fromkeys(kpis["month_label"]))
    for axis, name in zip(axes, names, strict=True):
        series = kpis[kpis["kpi"] == name].set_index("month_label")["value"].reindex(labels)
        axis.plot(labels, series.astype(float).to_numpy(), marker="o")
        axis.set_ylabel(f"{name} ({KPI_DEFINITIONS[name][0]})")
        axis.grid(alpha=0.3)
    axes[0].set_title(title.replace("_", " "))
    axes[-1].tick_params(axis="x", rotation=60)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _plot_key(kpis: pd.DataFrame, names: tuple[str, ...], title: str) -> str:
    """What a plot is drawn from: its figures, and this module's code."""
    drawn = kpis[kpis["kpi"].isin(names)][["kpi", "month_label", "value"]]
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr((title, names)).encode())
    digest.update(drawn.to_csv(index=False).encode())
    return digest.hexdigest()


def _plot(kpis: pd.DataFrame, names: tuple[str, ...], title: str, folder: Path) -> bytes:
    """The plot's PNG, drawn again only when its figures changed (drawing is ~0.15 s a plot,
    and most runs move none of them). The key file names what the PNG beside it shows; it is
    removed before the PNG is rewritten, so a crash between the two only means a redraw."""
    png_path, key_path = folder / f"{title}.png", folder / f".{title}.key"
    key = _plot_key(kpis, names, title)
    if png_path.exists() and key_path.exists() and key_path.read_text() == key:
        return png_path.read_bytes()
    key_path.unlink(missing_ok=True)
    png = plot_png(kpis, names, title)
    png_path.write_bytes(png)
    key_path.write_text(key)
    return png


def write_report(kpis: pd.DataFrame, folder: Path) -> tuple[Path, dict[str, bytes]]:
    """PNG per plot and `kpis.html` (images inlined, one file) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    images = {title: _plot(kpis, names, title, folder) for title, names in PLOTS.items()}
    wide = kpis.pivot(index="kpi", columns="month_label", values="value")
    wide = wide.reindex(
        index=list(KPI_DEFINITIONS), columns=list(dict.fromkeys(kpis["month_label"]))
    )
    last = kpis[kpis["month_label"] == kpis["month_label"].iloc[-1]].set_index("kpi")
    rows = "".join(
        f"<tr><th title='{html.escape(KPI_DEFINITIONS[k][1])}'>{k}</th>"
        + "".join(f"<td>{_cell(v)}</td>" for v in wide.loc[k])
        + f"<td>{html.escape(str(last.at[k, 'missing_reason'] or ''))}</td></tr>"
        for k in wide.index
    )
    header = "".join(f"<th>{html.escape(str(c))}</th>" for c in wide.columns)
    pictures = "".join(
        f"<h2>{html.escape(t.replace('_', ' '))}</h2>"
        f"<img alt='{t}' src='data:image/png;base64,{base64.b64encode(p).decode()}'>"
        for t, p in images.items()
    )
    page = (
        "<!doctype html><meta charset='utf-8'><title>KPIs</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 6px;text-align:right}"
        "table{border-collapse:collapse;font-size:12px}tr:nth-child(even){background:#f4f4f4}"
        "</style><h1>KPIs per month</h1>"
        f"<table><tr><th>kpi</th>{header}<th>why missing (last month)</th></tr>{rows}</table>"
        f"{pictures}"
    )
    path = folder / "kpis.html"
    path.write_text(page, encoding="utf-8")
    return path, images


def _cell(value: float) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
