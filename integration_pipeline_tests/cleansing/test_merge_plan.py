"""Merges are planned within one system and object type, keeping the oldest record."""

import pandas as pd

from integration_pipeline.cleansing.merge_plan import Merge, plan_merges


def test_duplicates_within_a_system_and_type_are_folded_into_the_oldest():
    id_map = pd.DataFrame(
        [
            ("G1", "crm", "companies:1000012"),
            ("G1", "crm", "companies:1000003"),
            ("G1", "crm", "contacts:2000001"),
            ("G1", "erp", "C000044"),
            ("G1", "erp", "C000007"),
            ("G2", "erp", "C000009"),
        ],
        columns=["golden_id", "system", "record_id"],
    )
    assert plan_merges(id_map) == [
        Merge("G1", "crm", "companies", "1000003", "1000012"),
        Merge("G1", "erp", "party", "C000007", "C000044"),
    ]
