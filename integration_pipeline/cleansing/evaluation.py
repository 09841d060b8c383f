"""Precision, recall and F1 of found pairs against the truth."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Quality:
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "true_pairs": self.true_pairs,
            "found_pairs": self.found_pairs,
            "correct_pairs": self.correct_pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def pairs_of_clusters(assignments: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair of record ids that share a cluster, (smaller, larger)."""
    members: dict[str, list[str]] = defaultdict(list)
    for record, cluster in assignments:
        members[cluster].append(record)
    return {tuple(sorted(p)) for ids in members.values() for p in combinations(ids, 2)}


def quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> Quality:
    found = {tuple(sorted(p)) for p in found}
    truth = {tuple(sorted(p)) for p in truth}
    return Quality(len(truth), len(found), len(found & truth))
