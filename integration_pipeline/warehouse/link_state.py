"""What the customer matcher found last (`core.link_records`: each record's matched values as
a hash; `core.link_pairs`: the pairs at or above the threshold), kept so that the next run
compares again only the records that moved (`cleansing.relinking.relink`).

Kept under a signature of the model, the threshold and the code: pairs scored by another
model or other code are not taken as they are.
"""

import hashlib
import json

import duckdb
import pandas as pd

from integration_pipeline.cleansing.relinking import PAIR_COLUMNS
from integration_pipeline.warehouse.arrow_load import table_exists, transaction

RECORDS = "core.link_records"
PAIRS = "core.link_pairs"


def signature(model: dict, threshold: float, code_version: str) -> str:
    text = json.dumps([model, threshold, code_version], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def last_link(
    connection: duckdb.DuckDBPyConnection, link_signature: str
) -> tuple[pd.Series, pd.DataFrame] | None:
    """(the records' hashes by unique id, the pairs) kept under this signature, or None."""
    if not table_exists(connection, "core", "link_records"):
        return None
    records = connection.execute(
        f"SELECT unique_id, match_hash FROM {RECORDS} WHERE signature = ?", [link_signature]
    ).df()
    if records.empty:
        return None
    pairs = connection.execute(f"SELECT {', '.join(PAIR_COLUMNS)} FROM {PAIRS}").df()
    hashes = pd.Series(records["match_hash"].to_numpy(), index=records["unique_id"].to_numpy())
    return hashes, pairs


def keep_link(
    connection: duckdb.DuckDBPyConnection,
    link_signature: str,
    hashes: pd.Series,
    pairs: pd.DataFrame,
) -> None:
    """This run's records and pairs replace the ones kept, in one transaction."""
    records = pd.DataFrame(
        {"unique_id": hashes.index, "match_hash": hashes.to_numpy(), "signature": link_signature}
    )
    connection.execute("CREATE SCHEMA IF NOT EXISTS core")
    connection.register("_link_records", records)
    connection.register("_link_pairs", pairs[PAIR_COLUMNS])
    try:
        with transaction(connection):
            connection.execute(
                f"CREATE OR REPLACE TABLE {RECORDS} AS SELECT unique_id::VARCHAR AS unique_id, "
                "match_hash::UBIGINT AS match_hash, signature::VARCHAR AS signature "
                "FROM _link_records"
            )
            connection.execute(
                f"CREATE OR REPLACE TABLE {PAIRS} AS SELECT unique_id_l::VARCHAR AS unique_id_l, "
                "unique_id_r::VARCHAR AS unique_id_r, "
                "match_probability::DOUBLE AS match_probability FROM _link_pairs"
            )
    finally:
        connection.unregister("_link_records")
        connection.unregister("_link_pairs")
