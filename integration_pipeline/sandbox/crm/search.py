"""HubSpot's search: filter groups (OR of ANDs), one sort, offset paging, the 10,000 cap."""

import re
from dataclasses import dataclass
from typing import Any

from integration_pipeline.sandbox.crm.errors import validation
from integration_pipeline.sandbox.crm.values import comparable, iso_from_epoch_ms, to_epoch_ms

MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
MAX_LIMIT, RESULT_CAP = 200, 10_000
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}


def check_request(
    body: dict[str, Any], cap: int = RESULT_CAP
) -> tuple[list[list[dict]], list[dict], int, int]:
    groups = body.get("filterGroups") or []
    if len(groups) > MAX_GROUPS:
        raise validation(f"Too many filter groups: {len(groups)} (at most {MAX_GROUPS})")
    total = 0
    for group in groups:
        filters = group.get("filters") or []
        total += len(filters)
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation(f"Too many filters in a group (at most {MAX_FILTERS_PER_GROUP})")
        for f in filters:
            if f.get("operator") not in OPERATORS:
                raise validation(
                    f"Unknown operator {f.get('operator')!r}; one of {sorted(OPERATORS)}"
                )
            if not f.get("propertyName"):
                raise validation("Each filter needs a propertyName")
    if total > MAX_FILTERS:
        raise validation(f"Too many filters: {total} (at most {MAX_FILTERS})")
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise validation("Only one sort is allowed")
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 0 < limit <= MAX_LIMIT:
        raise validation(f"limit must be between 1 and {MAX_LIMIT}")
    after = str(body.get("after") or "0")
    if not after.isdigit():
        raise validation(f"after must be an integer offset, not {after!r}")
    offset = int(after)
    if offset + limit > cap:
        raise validation(
            f"Cannot page past {cap} results: narrow the query (e.g. by a time window)",
            [{"message": "after + limit exceeds 10000", "code": "INVALID_PAGING"}],
        )
    return [g.get("filters") or [] for g in groups], sorts, limit, offset


def modified_since(groups: list[list[dict]], last_modified: str) -> int | None:
    """The earliest last-modified (epoch ms) a record can have and match, when every group
    bounds it from below (an incremental read always does), else None. Lets the store read
    only the recent records through an index, as HubSpot's search does, instead of all."""
    bounds = []
    for filters in groups:
        lows = [
            to_epoch_ms(str(f.get("value", "")))
            for f in filters
            if f["propertyName"] == last_modified
            and f["operator"] in ("GT", "GTE", "EQ", "BETWEEN")
        ]
        lows = [low for low in lows if low is not None]
        if not lows:
            return None
        bounds.append(max(lows))
    return min(bounds) if bounds else None


_SQL_OPERATORS = {"GT": ">", "GTE": ">=", "LT": "<", "LTE": "<=", "EQ": "="}


@dataclass(frozen=True)
class SqlWindow:
    """A search the store answers in SQL, through its last-modified index: what an
    incremental read asks (one group of comparisons on last-modified and the record id,
    sorted by either, no text query). HubSpot's search costs the same per page however many
    records match; filtering all of them in Python cost a whole scan per page."""

    where: str
    params: list
    order: str


def sql_window(body: dict[str, Any], groups: list[list[dict]], last_modified: str):
    """The search as a SqlWindow, or None when it needs the general matcher."""
    sorts = body.get("sorts") or []
    if len(groups) != 1 or body.get("query"):
        return None
    if sorts and sorts[0].get("direction", "ASCENDING").upper() != "ASCENDING":
        return None
    sort_by = sorts[0].get("propertyName") if sorts else last_modified
    if sort_by not in (last_modified, "hs_object_id"):
        return None
    where, params = [], []
    for f in groups[0]:
        operator = _SQL_OPERATORS.get(f["operator"])
        value = str(f.get("value", ""))
        if operator is None or f["propertyName"] not in (last_modified, "hs_object_id"):
            return None
        if f["propertyName"] == last_modified:
            epoch = to_epoch_ms(value)
            if epoch is None:
                return None
            where.append(f"updated_at {operator} ?")
            params.append(iso_from_epoch_ms(epoch))
        else:
            if not value.isdigit():
                return None
            where.append(f"id {operator} ?")
            params.append(int(value))
    order = "updated_at, id" if sort_by == last_modified else "id"
    return SqlWindow(" AND ".join(where) or "TRUE", params, order)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s@.,;:/\\-]+", text.lower()) if t]


def _match(record: dict, f: dict, types: dict[str, str]) -> bool:
    name, operator = f["propertyName"], f["operator"]
    field_type = types.get(name, "string")
    raw = record["properties"].get(name)
    if name == "hs_object_id":
        raw = record["id"]
    if operator == "HAS_PROPERTY":
        return raw not in (None, "")
    if operator == "NOT_HAS_PROPERTY":
        return raw in (None, "")
    value = comparable(name, raw or "", field_type)
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(f.get("value", "")).lower()
        regex = re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")
        found = raw is not None and (
            any(regex.match(t) for t in _tokens(raw)) or regex.match(raw.lower()) is not None
        )
        return found if operator == "CONTAINS_TOKEN" else not found
    if operator in ("IN", "NOT_IN"):
        wanted = {comparable(name, str(v), field_type) for v in f.get("values") or []}
        return (value in wanted) == (operator == "IN")
    target = comparable(name, str(f.get("value", "")), field_type)
    if operator == "NEQ":
        return value != target
    if value is None or target is None:
        return False
    if operator == "EQ":
        return value == target
    if operator == "BETWEEN":
        high = comparable(name, str(f.get("highValue", "")), field_type)
        return high is not None and target <= value <= high
    return {
        "LT": value < target,
        "LTE": value <= target,
        "GT": value > target,
        "GTE": value >= target,
    }[operator]


def run(
    records: list[dict], body: dict[str, Any], types: dict[str, str], cap: int = RESULT_CAP
) -> tuple[int, list[dict], int | None]:
    """Returns (total, the page, next offset or None)."""
    groups, sorts, limit, offset = check_request(body, cap)
    query = (body.get("query") or "").lower()
    matched = [
        r
        for r in records
        if (not groups or any(all(_match(r, f, types) for f in group) for group in groups))
        and (not query or any(query in str(v).lower() for v in r["properties"].values()))
    ]
    if sorts:
        name = sorts[0].get("propertyName")
        descending = sorts[0].get("direction", "ASCENDING").upper().startswith("DESC")
        field_type = types.get(name, "string")

        def key(record: dict) -> tuple:
            value = comparable(name, record["properties"].get(name) or "", field_type)
            # Missing values last, ties broken by id so paging is stable.
            return (value is None, value if value is not None else 0, int(record["id"]))

        present = sorted((r for r in matched if key(r)[0] is False), key=key, reverse=descending)
        missing = [r for r in matched if key(r)[0] is True]
        matched = present + missing
    total = len(matched)
    page = matched[offset : offset + limit]
    # Like HubSpot, paging points past the cap; following it there is answered 400.
    next_offset = offset + limit if offset + limit < total else None
    return total, page, next_offset
