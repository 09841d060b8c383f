"""The search's lower bound on last-modified, which lets the store read only recent records."""

import json

import pytest

from integration_pipeline.sandbox.crm.search import check_request, modified_since, run, sql_window
from integration_pipeline.sandbox.crm.store import CrmStore

PROP = "hs_lastmodifieddate"


def _filter(operator: str, value: str, name: str = PROP) -> dict:
    return {"propertyName": name, "operator": operator, "value": value}


def test_bound_is_the_loosest_group_lower_bound():
    groups = [
        [_filter("GTE", "1000"), _filter("GT", "1500")],  # this group: from 1500
        [_filter("EQ", "1200"), _filter("EQ", "7", "hs_object_id")],
    ]
    assert modified_since(groups, PROP) == 1200


def test_iso_values_are_read_as_times():
    assert modified_since([[_filter("GTE", "1970-01-01T00:00:01.000Z")]], PROP) == 1000


def test_no_bound_when_a_group_leaves_last_modified_open():
    assert modified_since([[_filter("GTE", "1000")], [_filter("EQ", "x", "name")]], PROP) is None
    assert modified_since([[_filter("LT", "1000")]], PROP) is None
    assert modified_since([], PROP) is None


def _store_with_history(tmp_path) -> CrmStore:
    """Deals last modified at a few instants, several sharing one."""
    store = CrmStore(tmp_path / "crm.sqlite")
    stamps = ["2026-01-01T00:00:00.000Z"] * 3 + ["2026-02-01T00:00:00.000Z"] * 4
    stamps += ["2026-03-01T12:30:00.500Z"] * 2
    for i, stamp in enumerate(stamps):
        deal = store.insert("deals", {"dealname": f"deal {i}"})
        properties = {**deal["properties"], PROP: stamp}
        store._db.execute(
            "UPDATE objects SET updated_at = ?, properties = ? WHERE id = ?",
            (stamp, json.dumps(properties), int(deal["id"])),
        )
    return store


@pytest.mark.parametrize(
    "filters, sort, limit, offset",
    [
        ([_filter("GTE", "1769904000000")], PROP, 3, 0),  # from 2026-02-01, epoch ms
        ([_filter("GTE", "2026-01-01T00:00:00Z")], PROP, 4, 4),  # ISO, a later page
        ([_filter("GT", "2026-01-01T00:00:00Z")], PROP, 200, 0),
        (
            [_filter("EQ", "1769904000000"), _filter("GT", "3", "hs_object_id")],
            "hs_object_id",
            2,
            0,
        ),
        ([_filter("LT", "2026-03-01T00:00:00Z")], None, 200, 0),
    ],
)
def test_the_sql_window_answers_as_the_general_matcher(tmp_path, filters, sort, limit, offset):
    store = _store_with_history(tmp_path)
    body = {"filterGroups": [{"filters": filters}], "limit": limit, "after": str(offset)}
    if sort:
        body["sorts"] = [{"propertyName": sort, "direction": "ASCENDING"}]
    groups, _, _, _ = check_request(body)
    window = sql_window(body, groups, PROP)
    assert window is not None
    total, page = store.search_window("deals", window, limit, offset)
    types = {n: d.get("type", "string") for n, d in store.properties("deals").items()}
    expected_total, expected, _ = run(store.all_active("deals"), body, types)
    assert (total, [r["id"] for r in page]) == (expected_total, [r["id"] for r in expected])
    assert page  # every case finds something


def test_other_searches_take_the_general_matcher():
    def window(body: dict):
        groups, _, _, _ = check_request(body)
        return sql_window(body, groups, PROP)

    by_name = {"filterGroups": [{"filters": [_filter("EQ", "x", "dealname")]}]}
    two_groups = {"filterGroups": [{"filters": [_filter("GTE", "1")]}] * 2}
    descending = {
        "filterGroups": [{"filters": [_filter("GTE", "1")]}],
        "sorts": [{"propertyName": PROP, "direction": "DESCENDING"}],
    }
    text = {"query": "steel", "filterGroups": [{"filters": [_filter("GTE", "1")]}]}
    assert [window(b) for b in (by_name, two_groups, descending, text)] == [None] * 4
