"""Matching customers again after a change: only the records whose matched values moved are
compared again, the pairs between the others kept as they were scored.

A pair's score is a function of its two records and the model (no term frequencies), so with
the same model, the pairs among records that did not move are what a full run would find;
the moved ones are linked to everyone by the same blocking rules. At 17,660 records, a full
prediction and clustering took ~0.45 s of each run that a single rename set off.
"""

from dataclasses import dataclass

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker

from integration_pipeline.cleansing.known_links import keep_known_links
from integration_pipeline.cleansing.linkage import (
    DEFAULT_THRESHOLD,
    link,
    match_table,
    quiet_splink,
)
from integration_pipeline.cleansing.standardise import MATCH_COLUMNS

# More records moved than this share, and they are matched in full.
RELINK_AT_MOST = 0.2
PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_probability"]


def match_hashes(standard: pd.DataFrame) -> pd.Series:
    """A hash of each record's matched columns, indexed by unique id: what its pairs depend on."""
    hashes = pd.util.hash_pandas_object(standard[list(MATCH_COLUMNS)], index=False)
    return pd.Series(hashes.to_numpy(), index=standard["unique_id"].to_numpy())


def moved_records(before: pd.Series, now: pd.Series) -> set[str]:
    """Records new, gone or with other matched values since `before` (both by `match_hashes`)."""
    hash_before = dict(before.items())  # not a join: NaN for a missing one makes them floats
    changed = {record for record, value in now.items() if hash_before.get(record) != value}
    return changed | (set(hash_before) - set(now.index))


def relink(
    standard: pd.DataFrame,
    pairs_before: pd.DataFrame,
    moved: set[str],
    model: dict,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """The pairs of `standard` at or above `threshold`, given the pairs found before and the
    records moved since (`moved_records`), with the same `model`: a pair between two records
    that did not move scores as it did, so only the moved records are compared again (with
    everyone, by the same blocking rules) instead of every record with every other."""
    kept = pairs_before[
        ~pairs_before["unique_id_l"].isin(moved) & ~pairs_before["unique_id_r"].isin(moved)
    ]
    again = standard[standard["unique_id"].isin(moved)]
    quiet_splink()
    if again.empty:
        return kept[PAIR_COLUMNS].reset_index(drop=True)
    db = DuckDBAPI(connection or duckdb.connect())
    tables = [
        db.register(match_table(again), dataset_display_name="moved"),
        db.register(match_table(standard), dataset_display_name="everyone"),
    ]
    # Scores depend on the two records alone, so linking the moved records to everyone scores
    # each of their pairs as deduplicating everyone would.
    linker = Linker(tables, {**model, "link_type": "link_only"})
    found = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    found = found[found["unique_id_l"] != found["unique_id_r"]]
    fresh = _ordered(found)  # two moved records are found both ways: once each
    return pd.concat([kept[PAIR_COLUMNS], fresh], ignore_index=True)


def clusters_of(pairs: pd.DataFrame, record_ids: list[str]) -> pd.DataFrame:
    """unique_id, cluster_id of every record: the connected components of the pairs (as
    Splink clusters them at its threshold), each named by its smallest id."""
    no_clusters = pd.DataFrame({"unique_id": [], "cluster_id": []})
    pairs_as_links = zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)
    return keep_known_links(no_clusters, record_ids, list(pairs_as_links))


@dataclass(frozen=True)
class Matching:
    pairs: pd.DataFrame  # PAIR_COLUMNS, unique_id_l < unique_id_r, at or above the threshold
    clusters: pd.DataFrame  # unique_id, cluster_id
    model: dict  # the model matched with (trained now when none was given)
    hashes: pd.Series  # match_hashes of the records, to compare the next run's with
    compared: int  # records compared again: all, or the moved ones


def match(
    standard: pd.DataFrame,
    *,
    model: dict | None,
    last: tuple[pd.Series, pd.DataFrame] | None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Matching:
    """`last`: the hashes and pairs of the last matching with this model (link_state), or
    None. Only the moved records are compared again when there are few enough of them."""
    hashes = match_hashes(standard)
    ids = list(standard["unique_id"])
    if model is not None and last is not None:
        moved = moved_records(last[0], hashes)
        if len(moved) <= RELINK_AT_MOST * len(ids):
            pairs = relink(standard, last[1], moved, model, threshold=threshold)
            return Matching(pairs, clusters_of(pairs, ids), model, hashes, len(moved))
    # Splink works in its own in-memory DuckDB, not in the warehouse file.
    result = link([standard], threshold=threshold, connection=duckdb.connect(), model=model)
    # The model given, not Splink's saving of it again (other keys: another signature).
    used = model if model is not None else result.model
    return Matching(_ordered(result.pairs), result.clusters, used, hashes, len(ids))


def _ordered(pairs: pd.DataFrame) -> pd.DataFrame:
    ids = pairs[["unique_id_l", "unique_id_r"]].astype(str)
    return pd.DataFrame(
        {
            "unique_id_l": ids.min(axis=1),
            "unique_id_r": ids.max(axis=1),
            "match_probability": pairs["match_probability"].astype(float),
        }
    ).drop_duplicates(["unique_id_l", "unique_id_r"], ignore_index=True)
