"""Which records to merge in their own system, from the golden customers' id map.

Only records of one system and one object type can be merged there (two CRM companies, two
ERP parties; never a CRM company with a CRM contact). The record kept is the oldest one (the
lowest id), which references point at the longest.
"""

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Merge:
    golden_id: str
    system: str  # crm | erp
    object_type: str  # companies | contacts | party
    kept: str  # the record's id in its system (CRM id, ERP party code)
    duplicate: str


def _split(system: str, record_id: str) -> tuple[str, str]:
    if system == "crm":
        object_type, _, own_id = record_id.partition(":")
        return object_type, own_id
    return "party", record_id


def _age(own_id: str) -> tuple[int, str]:
    digits = "".join(c for c in own_id if c.isdigit())
    return (int(digits) if digits else 0, own_id)


def plan_merges(id_map: pd.DataFrame) -> list[Merge]:
    """`id_map`: golden_id, system, record_id (as in core.customer_id_map)."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for golden, system, record_id in id_map[["golden_id", "system", "record_id"]].itertuples(
        index=False
    ):
        object_type, own_id = _split(system, record_id)
        groups.setdefault((golden, system, object_type), []).append(own_id)
    merges = []
    for (golden, system, object_type), ids in sorted(groups.items()):
        kept, *duplicates = sorted(ids, key=_age)
        merges += [Merge(golden, system, object_type, kept, d) for d in duplicates]
    return merges
