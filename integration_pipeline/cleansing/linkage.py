"""Probabilistic record linkage of standardised customer records with Splink on DuckDB.

Why Splink: it is the field's reference implementation of the Fellegi-Sunter model, trains
without labels (expectation maximisation), runs in DuckDB (already the warehouse) and links a
million records on a laptop. Comparisons use the `*_std` columns of `standardise`, so
Persian spelling variants, digit scripts and phone formats are equal before Splink sees them.

Blocking (which pairs are compared at all) is on normalised keys: a shared phone, e-mail or
national id, the same name, or the same birth date or postal code with the same initial.
"""

import logging
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import EMTrainingException

from integration_pipeline.cleansing.standardise import MATCH_COLUMNS

DEFAULT_THRESHOLD = 0.9
MATCHER_MEMORY = "1500MB"
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkResult:
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability (and source_dataset_*)
    clusters: pd.DataFrame  # unique_id, cluster_id (dedupe / link-and-dedupe)
    model: dict  # the trained model (Splink settings with parameters), to use again


def _comparisons() -> list:
    return [
        cl.JaroWinklerAtThresholds("first_name_std", [0.92, 0.8]),
        cl.JaroWinklerAtThresholds("last_name_std", [0.92, 0.8]),
        _whole_name_comparison(),
        cl.ExactMatch("email_std"),
        cl.ExactMatch("phone_std"),
        cl.LevenshteinAtThresholds("national_id_std", [1, 2]),
        cl.LevenshteinAtThresholds("birth_date_std", [1, 2]),
        cl.LevenshteinAtThresholds("postal_code_std", [1]),
        cl.JaroWinklerAtThresholds("city_std", [0.9]),
        cl.JaroWinklerAtThresholds("street_std", [0.9, 0.75]),
    ]


def _whole_name_comparison() -> cl.CustomComparison:
    """The whole name, compared only when one side lacks a first or last name (a Tryton
    party has one name field; a company has no person's names). Where both sides have both
    parts, the first- and last-name comparisons already weigh the name: counting it a second
    time would make a shared common name outweigh different birth dates and addresses."""
    both_split = (
        "(first_name_std_l IS NOT NULL AND last_name_std_l IS NOT NULL AND "
        "first_name_std_r IS NOT NULL AND last_name_std_r IS NOT NULL)"
    )
    return cl.CustomComparison(
        output_column_name="full_name_std",
        comparison_levels=[
            cll.Or(cll.NullLevel("full_name_std"), cll.CustomLevel(both_split)).configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("full_name_std"),
            cll.JaroWinklerLevel("full_name_std", 0.92),
            cll.JaroWinklerLevel("full_name_std", 0.8),
            cll.ElseLevel(),
        ],
    )


def _blocking_rules() -> list:
    return [
        block_on("phone_std"),
        block_on("email_std"),
        block_on("national_id_std"),
        block_on("first_name_std", "last_name_std"),
        block_on("full_name_std"),
        block_on("birth_date_std", "substr(last_name_std, 1, 1)"),
        block_on("postal_code_std", "substr(first_name_std, 1, 1)"),
        block_on("street_std", "substr(last_name_std, 1, 1)"),
    ]


def _train(linker: Linker, max_pairs: float) -> None:
    linker.training.estimate_probability_two_random_records_match(
        [block_on("national_id_std"), block_on("phone_std"), block_on("email_std")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=1)
    # Several sessions, each blocking on different fields, so that every comparison is trained
    # in at least one. A session whose block finds too few pairs in this data (no birth dates
    # in a company list, say) cannot estimate its levels and is skipped.
    trained = 0
    for rule in (
        block_on("first_name_std", "last_name_std"),
        block_on("full_name_std"),
        block_on("birth_date_std", "substr(last_name_std, 1, 1)"),
        block_on("postal_code_std"),
    ):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
            trained += 1
        except (ValueError, ZeroDivisionError, EMTrainingException) as error:
            LOG.info("EM session blocked on %s skipped: %s", rule, error)
    if not trained:
        raise ValueError("the records share too few values to train the matcher")


def match_table(standard: pd.DataFrame) -> pa.Table:
    """Only what the matcher reads, as Arrow strings: a fraction of the memory of the pandas
    frame of Python objects (at a million records, gigabytes)."""
    columns = ["unique_id", *MATCH_COLUMNS]
    return pa.table({c: pa.array(standard[c].tolist(), type=pa.string()) for c in columns})


def matcher_connection(temp_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for Splink with a memory ceiling; past it, DuckDB spills to disk."""
    config = {"memory_limit": MATCHER_MEMORY, "preserve_insertion_order": False}
    if temp_directory:
        config["temp_directory"] = temp_directory
    return duckdb.connect(config=config)


def quiet_splink() -> None:
    """Splink warns about every comparison level a small dataset cannot train; the quality
    is measured (bench/linkage.py), so only its errors reach the console."""
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def link(
    frames: list[pd.DataFrame | pa.Table],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_pairs: float = 2e6,
    connection: duckdb.DuckDBPyConnection | None = None,
    model: dict | None = None,
) -> LinkResult:
    """One frame: deduplicate it. Two frames: link them (`link_only`); the pairs then run
    left (first frame) to right. Frames hold `unique_id` and the `*_std` columns. `model`, a
    LinkResult.model of the same link type, skips the training (3.6 of the 4.7 s at 17,660
    records) and matches with its parameters."""
    quiet_splink()
    db = DuckDBAPI(connection or matcher_connection())
    link_type = "dedupe_only" if len(frames) == 1 else "link_only"
    tables = [
        db.register(frame, dataset_display_name=f"source_{i}") for i, frame in enumerate(frames)
    ]
    settings = model or SettingsCreator(
        link_type=link_type,
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(tables if len(tables) > 1 else tables[0], settings)
    if model is None:
        _train(linker, max_pairs)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    pairs = predictions.as_pandas_dataframe()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    return LinkResult(
        pairs=pairs,
        clusters=clusters[["unique_id", "cluster_id"]],
        model=linker.misc.save_model_to_json(),
    )
