"""Planning writes from a spec: transforms, unchanged records skipped, stable idempotency keys."""

from datetime import date

from integration_pipeline.entities.customer_insights import CUSTOMER_INSIGHTS
from integration_pipeline.entities.stock import STOCK
from integration_pipeline.syncs.planning import bad_rows, bad_rows_of_frame, plan_writes


def test_only_changed_records_are_planned_and_keys_are_stable():
    rows = [
        {"key": "P-1", "on_hand": 12.0, "forecast": 9.0, "as_of": date(2026, 12, 4)},
        {"key": "P-2", "on_hand": 3.5, "forecast": 3.5, "as_of": date(2026, 12, 4)},
        {"key": "P-3", "on_hand": 0.0, "forecast": 4.0, "as_of": date(2026, 12, 4)},
    ]
    current = {
        "P-1": {
            "erp_product_code": "P-1",
            "erp_qty_on_hand": "12.0",
            "erp_qty_forecast": "9",
            "erp_stock_updated_at": "2026-12-04",
        },
        "P-2": {"erp_qty_on_hand": "1"},
    }
    writes = plan_writes(STOCK, rows, current)
    assert [(w.record_key, w.operation) for w in writes] == [("P-2", "update"), ("P-3", "create")]
    assert writes[0].payload == {
        "hs_sku": "P-2",
        "erp_product_code": "P-2",
        "erp_qty_on_hand": "3.5",
        "erp_qty_forecast": "3.5",
        "erp_stock_updated_at": "2026-12-04",
    }
    assert writes[1].payload["erp_qty_on_hand"] == "0"
    again = plan_writes(STOCK, rows, current)
    assert [w.idempotency_key for w in again] == [w.idempotency_key for w in writes]
    changed = plan_writes(STOCK, [{**rows[2], "on_hand": 1.0}], current)
    assert changed[0].idempotency_key != writes[1].idempotency_key


def test_a_value_set_again_after_someone_changed_it_is_a_new_write():
    row = {"key": "P-1", "on_hand": 5.0, "forecast": 5.0, "as_of": date(2026, 12, 4)}
    held = {
        "erp_product_code": "P-1",
        "erp_qty_forecast": "5",
        "erp_stock_updated_at": "2026-12-04",
        "erp_qty_on_hand": "3",
    }

    def planned(modified: str):
        (write,) = plan_writes(STOCK, [row], {"P-1": {**held, "hs_lastmodifieddate": modified}})
        return write

    first = planned("2026-12-04T10:00:00Z")
    assert planned("2026-12-04T10:00:00Z").idempotency_key == first.idempotency_key  # a rerun
    # 5 was written, then someone set 3 again: 5 must be sent again, the same payload.
    again = planned("2026-12-04T11:00:00Z")
    assert again.payload == first.payload and again.idempotency_key != first.idempotency_key


def test_rows_breaking_a_rule_are_named():
    rows = [{"key": None, "on_hand": 1.0}, {"key": "P-9", "on_hand": None}]
    assert [(b.key, b.column, b.rule) for b in bad_rows(STOCK, rows)] == [
        (None, "key", "not_null"),
        ("P-9", "on_hand", "not_null"),
    ]


def test_a_frame_gives_the_bad_rows_its_rows_give():
    from decimal import Decimal

    import pandas as pd

    from integration_pipeline.entities.spec import RowRule

    spec = STOCK.model_copy(
        update={
            "row_rules": (
                RowRule(column="key", rule="not_null"),
                RowRule(column="on_hand", rule="non_negative"),
                RowRule(column="price", rule="non_negative"),
            )
        }
    )
    frame = pd.DataFrame(
        {
            "key": ["P-1", None, "P-3", "P-4", "P-5", "P-6"],
            "on_hand": [1.0, 2.0, -1.0, float("nan"), 0.0, -0.5],
            "price": [Decimal("1"), Decimal("2"), None, Decimal("-3"), Decimal("0"), None],
            "name": ["a", "b", "c", "d", "e", "f"],
        }
    )
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    found = bad_rows_of_frame(spec, frame)
    assert found == bad_rows(spec, rows)
    assert [(b.key, b.column) for b in found] == [
        (None, "key"),
        ("P-3", "on_hand"),
        ("P-4", "price"),
        ("P-6", "on_hand"),
    ]
    # A rule's column missing from the frame: every row lacks the value.
    missing = spec.model_copy(update={"row_rules": (RowRule(column="lines", rule="not_null"),)})
    assert len(bad_rows_of_frame(missing, frame)) == len(frame) == len(bad_rows(missing, rows))


def test_archives_are_planned_for_live_records_once_per_event():
    from datetime import datetime

    from integration_pipeline.entities.customer_archives import CUSTOMER_ARCHIVES_TO_ERP

    archived_at = datetime(2026, 12, 4, 10, 30)
    rows = [
        {"key": "C-1", "crm_archived_at": archived_at},
        {"key": "C-2", "crm_archived_at": archived_at},  # already inactive in the ERP
    ]
    live = {"C-1": {"active": True}}
    writes = plan_writes(CUSTOMER_ARCHIVES_TO_ERP, rows, live)
    assert [(w.record_key, w.operation) for w in writes] == [("C-1", "archive")]
    assert writes[0].payload == {"crm_archived_at": "2026-12-04 10:30:00"}
    assert plan_writes(CUSTOMER_ARCHIVES_TO_ERP, rows, live)[0].idempotency_key == (
        writes[0].idempotency_key
    )
    # Archived again after a restore: a new event, a new write.
    later = [{"key": "C-1", "crm_archived_at": datetime(2026, 12, 5, 9, 0)}]
    assert plan_writes(CUSTOMER_ARCHIVES_TO_ERP, later, live)[0].idempotency_key != (
        writes[0].idempotency_key
    )


def test_a_model_figure_that_moved_less_than_its_tolerance_is_not_written():
    held = {"churn_risk": "0.2", "customer_clv": "1000000", "next_best_product": "P-1"}
    rows = [
        {"key": "1", "churn_risk": 0.2, "clv": 1_001_000, "next_best_product": "P-1"},  # 0.1 %
        {"key": "2", "churn_risk": 0.2, "clv": 1_100_000, "next_best_product": "P-1"},  # 10 %
        {"key": "3", "churn_risk": 0.3, "clv": 1_000_000, "next_best_product": "P-1"},
        {"key": "4", "churn_risk": 0.2, "clv": 1_000_000, "next_best_product": "P-2"},
    ]
    current = {row["key"]: held for row in rows}
    writes = plan_writes(CUSTOMER_INSIGHTS, rows, current)
    assert [w.record_key for w in writes] == ["2", "3", "4"]
