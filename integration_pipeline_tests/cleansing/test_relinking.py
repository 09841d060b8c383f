"""Matching again only the records that moved finds what matching everyone would."""

import pandas as pd
import pytest

from integration_pipeline.cleansing.relinking import (
    PAIR_COLUMNS,
    match,
    match_hashes,
    moved_records,
)
from integration_pipeline.cleansing.standardise import standardise
from integration_pipeline.sandbox.demo.customer_records import crm_records, erp_records
from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DemoConfig


def test_moved_records_are_the_new_the_gone_and_the_changed():
    before = pd.Series([1, 2, 3], index=["a", "b", "c"], dtype="uint64")
    now = pd.Series([1, 20, 4], index=["a", "b", "d"], dtype="uint64")
    assert moved_records(before, now) == {"b", "c", "d"}


def test_hashes_that_differ_in_their_last_bits_are_told_apart():
    """As float64 (what a join with a missing record would make of them) these two are one."""
    before = pd.Series([2**63 + 1], index=["a"], dtype="uint64")
    now = pd.Series([2**63 + 2], index=["a"], dtype="uint64")
    assert float(before.iloc[0]) == float(now.iloc[0])
    assert moved_records(before, now) == {"a"}


def _partition(clusters: pd.DataFrame) -> set[frozenset[str]]:
    members = clusters.groupby("cluster_id")["unique_id"].agg(frozenset)
    return {m for m in members if len(m) > 1}


def _pairs(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(pairs.unique_id_l, pairs.unique_id_r, strict=True))


@pytest.mark.slow
def test_matching_the_moved_records_again_finds_what_matching_everyone_finds():
    dataset = generate(DemoConfig(seed=11, customers=400))
    records = pd.concat([erp_records(dataset), crm_records(dataset)], ignore_index=True)
    before, _ = standardise(records)
    first = match(before, model=None, last=None)  # trains
    assert first.compared == len(before) and len(first.pairs) > 100

    # Renamed to a duplicate of another record, renamed apart, one gone, one new.
    edited = records.copy()
    matched_id = first.pairs.unique_id_l.iloc[0]
    position = {str(i): n for n, i in enumerate(records["id"])}
    twin, apart = records.iloc[position[matched_id]], position[first.pairs.unique_id_r.iloc[0]]
    edited.loc[3, ["first_name", "last_name", "email", "phone"]] = twin[
        ["first_name", "last_name", "email", "phone"]
    ].to_numpy()
    edited.loc[apart, ["first_name", "last_name", "email", "phone", "street"]] = [
        "Zzz",
        "Qqq",
        "zzz.qqq@example.com",
        None,
        None,
    ]
    gone = edited.index[10]
    newcomer = edited.iloc[[20]].assign(id="crm:new-1")
    edited = pd.concat([edited.drop(index=gone), newcomer], ignore_index=True)
    after, _ = standardise(edited)

    again = match(after, model=first.model, last=(first.hashes, first.pairs))
    everyone = match(after, model=first.model, last=None)

    assert 0 < again.compared < 10 and everyone.compared == len(after)
    # The model given is the one the next run's pairs are kept under (by its signature).
    assert everyone.model is first.model and again.model is first.model
    assert _pairs(everyone.pairs) != _pairs(first.pairs)  # the edits moved some pairs
    assert _pairs(again.pairs) == _pairs(everyone.pairs)
    assert _partition(again.clusters) == _partition(everyone.clusters)
    assert list(again.pairs.columns) == PAIR_COLUMNS
    assert (match_hashes(after) == again.hashes).all()
