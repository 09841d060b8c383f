"""`integration-pipeline dedupe`: the cleanse-before-integrating audit over customer CSVs.

Dedupe mode writes `id,cluster_id` for every input row; link mode writes
`left_id,right_id,match_probability` for the pairs accepted. Both print a profile: rows,
duplicates found, missing and invalid values per field, and the rows with problems.
"""

import csv
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from integration_pipeline.cleansing.customer_csv import CustomerCsv, read_customer_csv
from integration_pipeline.cleansing.linkage import (
    DEFAULT_THRESHOLD,
    link,
    match_table,
    matcher_connection,
)
from integration_pipeline.cleansing.standardise import Profile, standardise

Say = Callable[[str], None]


class _Clock:
    def __init__(self, say: Say) -> None:
        self.say, self.started = say, time.monotonic()

    def __call__(self, message: str) -> None:
        self.say(f"[{time.monotonic() - self.started:6.1f}s] {message}")


def _load(path: Path, clock: _Clock) -> tuple[CustomerCsv, pd.Series, pa.Table, Profile]:
    """The file read and standardised: its ids in input order and the matcher's columns. The
    pandas frames are let go before matching (at a million records they take gigabytes)."""
    clock(f"reading {path}")
    data = read_customer_csv(path, progress=clock)
    clock(f"{len(data.frame):,} rows read; standardising")
    standard, profile = standardise(data.frame)
    ids, table = data.frame["id"].copy(), match_table(standard)
    data.frame = data.frame.iloc[0:0]
    del standard
    gc.collect()
    return data, ids, table, profile


def _link(tables: list[pa.Table], threshold: float):
    with tempfile.TemporaryDirectory(prefix="dedupe-spill-") as spill:
        return link(tables, threshold=threshold, connection=matcher_connection(spill))


def _print_profile(data: CustomerCsv, profile: Profile, say: Say) -> None:
    say(f"profile of {data.path}: {profile.rows:,} rows")
    say(f"  {'field':<12} {'missing':>9} {'invalid':>9}")
    for name, missing in profile.missing.items():
        say(f"  {name:<12} {missing:>9,} {profile.invalid.get(name, 0):>9,}")
    if data.problems:
        say(f"  {len(data.problems):,} rows with problems (kept in the output):")
        for problem in data.problems[:20]:
            say(f"    line {problem.line}: {problem.problem}")
        if len(data.problems) > 20:
            say(f"    … and {len(data.problems) - 20:,} more")


def dedupe(
    input_path: Path,
    out_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    say: Say = print,
) -> dict:
    clock = _Clock(say)
    data, ids, table, profile = _load(input_path, clock)
    clock("matching (Splink on DuckDB: training, then predictions and clusters)")
    result = _link([table], threshold)
    clusters = pd.DataFrame({"unique_id": ids.values}).merge(
        result.clusters, on="unique_id", how="left"
    )
    clusters["cluster_id"] = clusters["cluster_id"].fillna(clusters["unique_id"])
    if len(clusters) != len(ids):
        raise RuntimeError(f"{len(clusters)} output rows for {len(ids)} input rows")
    out = pd.DataFrame({"id": ids.values, "cluster_id": clusters["cluster_id"].values})
    out.to_csv(out_path, index=False, quoting=csv.QUOTE_MINIMAL)
    sizes = out.groupby("cluster_id").size()
    summary = {
        "rows": len(out),
        "clusters": len(sizes),
        "duplicate_rows": int((sizes - 1).sum()),
        "clusters_with_duplicates": int((sizes > 1).sum()),
    }
    _print_profile(data, profile, say)
    say(
        f"duplicates: {summary['duplicate_rows']:,} rows are duplicates of another, in "
        f"{summary['clusters_with_duplicates']:,} groups; {summary['clusters']:,} customers"
    )
    clock(f"wrote {out_path} ({len(out):,} rows: id,cluster_id)")
    return summary


def link_files(
    left_path: Path,
    right_path: Path,
    out_path: Path,
    threshold: float = DEFAULT_THRESHOLD,
    say: Say = print,
) -> dict:
    clock = _Clock(say)
    left, left_ids, left_table, left_profile = _load(left_path, clock)
    right, right_ids, right_table, right_profile = _load(right_path, clock)
    clock("matching (Splink on DuckDB: training, then predictions)")
    result = _link([left_table, right_table], threshold)
    pairs = result.pairs
    # Splink orders each pair by dataset name; put the first file's id on the left.
    flipped = pairs["source_dataset_l"] != "source_0"
    out = pd.DataFrame(
        {
            "left_id": pairs["unique_id_l"].where(~flipped, pairs["unique_id_r"]),
            "right_id": pairs["unique_id_r"].where(~flipped, pairs["unique_id_l"]),
            "match_probability": pairs["match_probability"].round(6),
        }
    ).sort_values(["left_id", "right_id"])
    out.to_csv(out_path, index=False)
    _print_profile(left, left_profile, say)
    _print_profile(right, right_profile, say)
    summary = {"left_rows": len(left_ids), "right_rows": len(right_ids), "pairs": len(out)}
    say(f"links: {len(out):,} pairs with match probability ≥ {threshold}")
    clock(f"wrote {out_path} (left_id,right_id,match_probability)")
    return summary
