"""Record linkage quality on labelled data: the Febrl reference sets and the demo's truth."""

from itertools import combinations

import pandas as pd
import pytest

from integration_pipeline.cleansing.evaluation import pairs_of_clusters, quality
from integration_pipeline.cleansing.febrl import load_febrl
from integration_pipeline.cleansing.linkage import link
from integration_pipeline.cleansing.standardise import standardise
from integration_pipeline.sandbox.demo.customer_records import crm_records, erp_records, truth
from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DemoConfig

pytestmark = pytest.mark.slow


def _truth_pairs(entity_of: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for record, entity in entity_of.items():
        members.setdefault(entity, []).append(record)
    return {tuple(sorted(p)) for ids in members.values() for p in combinations(ids, 2)}


@pytest.mark.parametrize("name", ["dataset1", "dataset2", "dataset3"])
def test_febrl_sets_deduplicated_with_f1_of_at_least_0_99(name):
    records = load_febrl(name)
    standard, _ = standardise(records)
    result = link([standard])
    found = pairs_of_clusters(
        zip(result.clusters.unique_id, result.clusters.cluster_id, strict=True)
    )
    measured = quality(found, _truth_pairs(dict(zip(records.id, records.entity, strict=True))))
    assert measured.f1 >= 0.99, measured.as_dict()


def test_febrl_4a_linked_to_4b_with_f1_of_at_least_0_99():
    left, right = load_febrl("dataset4a"), load_febrl("dataset4b")
    result = link([standardise(left)[0], standardise(right)[0]])
    found = set(zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True))
    entity_of = dict(zip(left.id, left.entity, strict=True)) | dict(
        zip(right.id, right.entity, strict=True)
    )
    measured = quality(found, {p for p in _truth_pairs(entity_of) if p[0] != p[1]})
    assert measured.f1 >= 0.99, measured.as_dict()


def test_demo_customers_across_crm_and_erp_with_f1_of_at_least_0_97():
    dataset = generate(DemoConfig(seed=11, customers=400))
    records = pd.concat([erp_records(dataset), crm_records(dataset)], ignore_index=True)
    standard, profile = standardise(records)
    result = link([standard])
    found = pairs_of_clusters(
        zip(result.clusters.unique_id, result.clusters.cluster_id, strict=True)
    )
    measured = quality(found, _truth_pairs(truth(dataset)))
    assert measured.true_pairs > 100 and measured.f1 >= 0.97, measured.as_dict()
    assert profile.invalid["email"] > 0  # the demo's mistyped addresses were caught


def test_a_kept_model_matches_as_the_training_run_did():
    dataset = generate(DemoConfig(seed=11, customers=400))
    records = pd.concat([erp_records(dataset), crm_records(dataset)], ignore_index=True)
    standard, _ = standardise(records)
    trained = link([standard])
    again = link([standard], model=trained.model)

    def clusters(result) -> set[frozenset[str]]:
        members = result.clusters.groupby("cluster_id")["unique_id"].agg(frozenset)
        return set(members)

    def parameters(model: dict) -> list:
        return [model["probability_two_random_records_match"]] + [
            (level.get("m_probability"), level.get("u_probability"))
            for comparison in model["comparisons"]
            for level in comparison["comparison_levels"]
        ]

    assert clusters(again) == clusters(trained)
    assert parameters(again.model) == parameters(trained.model)  # nothing re-estimated
