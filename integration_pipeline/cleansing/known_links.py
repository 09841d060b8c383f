"""Customers once matched stay together: the matcher's clusters joined wherever two of their
records have been one customer before (core.customer_links, a CRM record and an ERP party).

A probabilistic matcher scores records as they read now. A company renamed on one side scores
below the threshold against its own party until the two-way sync has carried the new name
across, and for that run it split off as a customer of its own: with a won deal it was given a
second ERP party. Records the integration has already tied together are the same customer
whatever their fields say today; taking a pair apart is a person's decision (delete its row
from core.customer_links), not a side effect of an edit.
"""

import pandas as pd


def keep_known_links(
    clusters: pd.DataFrame, record_ids: list[str], known_pairs: list[tuple[str, str]]
) -> pd.DataFrame:
    """`clusters`: unique_id, cluster_id from the matcher (records it did not return are
    customers of their own); `record_ids`: every live record; `known_pairs`: unique ids once
    one customer. Returns unique_id, cluster_id for every live record, a pair's clusters made
    one (named by the smallest of their ids)."""
    cluster_of = dict.fromkeys(record_ids)
    cluster_of.update(zip(clusters["unique_id"], clusters["cluster_id"].astype(str), strict=True))
    cluster_of = {record: cluster or record for record, cluster in cluster_of.items()}
    parent = {cluster: cluster for cluster in cluster_of.values()}

    def root(cluster: str) -> str:
        while parent[cluster] != cluster:
            parent[cluster] = parent[parent[cluster]]
            cluster = parent[cluster]
        return cluster

    for left, right in known_pairs:
        if left in cluster_of and right in cluster_of:
            a, b = root(cluster_of[left]), root(cluster_of[right])
            if a != b:
                parent[max(a, b)] = min(a, b)
    return pd.DataFrame(
        {
            "unique_id": list(cluster_of),
            "cluster_id": [root(cluster) for cluster in cluster_of.values()],
        }
    )
