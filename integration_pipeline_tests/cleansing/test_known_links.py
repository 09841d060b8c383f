"""Customers once matched stay together whatever the matcher scores today."""

import pandas as pd

from integration_pipeline.cleansing.known_links import keep_known_links


def _clusters(frame: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(group["unique_id"]) for _, group in frame.groupby("cluster_id")}


def test_a_known_pair_joins_the_clusters_the_matcher_split():
    matched = pd.DataFrame(
        {
            "unique_id": ["crm:companies:1", "crm:contacts:9", "erp:C1", "erp:C2"],
            "cluster_id": ["a", "a", "b", "c"],
        }
    )
    records = [*matched["unique_id"], "erp:C3", "crm:companies:4"]
    result = keep_known_links(
        matched,
        records,
        [
            ("crm:companies:1", "erp:C1"),  # renamed on one side: split by the matcher
            ("crm:companies:4", "erp:C3"),  # neither returned by the matcher
            ("crm:companies:7", "erp:C2"),  # archived since: not a live record
        ],
    )
    assert sorted(result["unique_id"]) == sorted(records), "every live record, once"
    assert _clusters(result) == {
        frozenset({"crm:companies:1", "crm:contacts:9", "erp:C1"}),
        frozenset({"erp:C2"}),
        frozenset({"crm:companies:4", "erp:C3"}),
    }


def test_pairs_chain_through_shared_records_and_no_pair_changes_nothing():
    matched = pd.DataFrame({"unique_id": ["x", "y", "z"], "cluster_id": ["1", "2", "3"]})
    chained = keep_known_links(matched, ["x", "y", "z"], [("x", "y"), ("y", "z")])
    assert _clusters(chained) == {frozenset({"x", "y", "z"})}
    alone = keep_known_links(matched, ["x", "y", "z"], [])
    assert _clusters(alone) == {frozenset({"x"}), frozenset({"y"}), frozenset({"z"})}
