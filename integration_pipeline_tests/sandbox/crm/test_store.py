"""The CRM sandbox's store: a unique property's lookups go through an index (each upsert by
it scanned every record of the type before: 100,000 invoices took most of an hour)."""

from integration_pipeline.sandbox.crm.store import CrmStore
from integration_pipeline.sandbox.crm.values import to_epoch_ms


def _plan(store: CrmStore, name: str) -> str:
    rows = store._db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM objects WHERE object_type = 'invoices' "
        f"AND archived = 0 AND lower(json_extract(properties, '$.{name}')) = lower('x')"
    ).fetchall()
    return " ".join(str(row[-1]) for row in rows)


def test_unique_properties_are_looked_up_by_index(tmp_path):
    store = CrmStore(tmp_path / "crm.sqlite")
    store.create_property("invoices", {"name": "erp_invoice_id", "hasUniqueValue": True})
    store.create_property("invoices", {"name": "erp_note"})
    assert "objects_unique_erp_invoice_id (object_type=? AND <expr>=?)" in _plan(
        store, "erp_invoice_id"
    )
    assert "<expr>" not in _plan(store, "erp_note")  # not unique: no index of its own
    store.insert("invoices", {"erp_invoice_id": "INV-1"})
    assert store.find("invoices", "inv-1", "erp_invoice_id")["id"]
    store.close()
    # A restarted server indexes the unique properties it already has.
    reopened = CrmStore(tmp_path / "crm.sqlite")
    assert "<expr>=?" in _plan(reopened, "erp_invoice_id")


def test_recent_records_are_read_through_the_last_modified_index(tmp_path):
    store = CrmStore(tmp_path / "crm.sqlite")
    old = store.insert("deals", {"dealname": "old"})
    new = store.insert("deals", {"dealname": "new"})
    store._db.execute(  # the first one last modified a year ago
        "UPDATE objects SET updated_at = '2025-12-05T00:00:00.000Z' WHERE id = ?", (old["id"],)
    )
    since = to_epoch_ms("2026-01-01T00:00:00Z")
    assert [r["id"] for r in store.all_active("deals", since)] == [new["id"]]
    assert {r["id"] for r in store.all_active("deals")} == {old["id"], new["id"]}
    (plan,) = store._db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM objects "
        "WHERE object_type = 'deals' AND archived = 0 AND updated_at >= '2026'"
    ).fetchall()
    assert "objects_modified" in plan[-1]
