"""The search's lower bound on last-modified, which lets the store read only recent records."""

from integration_pipeline.sandbox.crm.search import modified_since

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
