"""KPI inputs for tests: every frame empty with its columns typed, but those a test gives."""

import pandas as pd

from integration_pipeline.analytics.kpis import KpiInputs


def kpi_inputs(**frames) -> KpiInputs:
    empty = {
        "orders": pd.DataFrame(
            {
                "golden_id": pd.Series(dtype=str),
                "order_date": pd.Series(dtype="datetime64[us]"),
                "revenue": pd.Series(dtype=float),
                "cost": pd.Series(dtype=float),
                "from_crm": pd.Series(dtype=bool),
            }
        ),
        "invoices": pd.DataFrame(
            {
                c: pd.Series(dtype="datetime64[us]")
                for c in ("invoice_date", "paid_on", "order_date")
            }
            | {"total": pd.Series(dtype=float)}
        ),
        "receivable_lines": pd.DataFrame(
            {
                "move_date": pd.Series(dtype="datetime64[us]"),
                "debit": pd.Series(dtype=float),
                "credit": pd.Series(dtype=float),
                "reconciled_on": pd.Series(dtype="datetime64[us]"),
            }
        ),
        "deals": pd.DataFrame(
            {
                "created": pd.Series(dtype="datetime64[us]"),
                "closed": pd.Series(dtype="datetime64[us]"),
                "stage": pd.Series(dtype=str),
            }
        ),
        "leads": pd.DataFrame(
            {"created": pd.Series(dtype="datetime64[us]"), "converted": pd.Series(dtype=bool)}
        ),
        "spend": pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "amount": []}),
        "order_syncs": pd.DataFrame(
            {c: pd.Series(dtype="datetime64[us]") for c in ("planned_at", "applied_at")}
        ),
    }
    return KpiInputs(**(empty | frames))
