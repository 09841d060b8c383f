"""Row-wise results kept between runs: a transformation that gives each input row its own
output rows (a customer record standardised, a record's search keys) runs only on the rows
whose content changed since the last run; the others are read back from the warehouse.

After a 1 % change, standardising 17,660 customer records spent ~1.3 s re-deriving the
99 % it had derived before (phone numbers parsed, Persian names normalised one by one).
"""

from collections.abc import Callable

import duckdb
import pandas as pd

from integration_pipeline.warehouse.arrow_load import table_exists

ROW_HASH = "_row_hash"
VERSION = "_version"


def row_hashes(rows: pd.DataFrame) -> pd.Series:
    """A 64-bit hash of each row's values, by position (the index is not part of a row)."""
    return pd.util.hash_pandas_object(rows, index=False)


def memoised(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    version: str,
    rows: pd.DataFrame,
    compute: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """`compute(rows)`, where `compute` is row-wise and keeps the input's index on its output
    (one or more output rows per input row); its outputs are text or None.

    `version` names the computation (the code that computes): a result kept under another is
    not read back. `table` then holds the results of exactly the current rows.
    """
    hashes = row_hashes(rows)
    kept = _kept(connection, table, version, hashes)
    fresh = compute(rows[~hashes.isin(kept[ROW_HASH])])
    fresh = fresh.assign(**{ROW_HASH: hashes.loc[fresh.index].to_numpy()})
    outputs = [c for c in fresh.columns if c != ROW_HASH]
    results = pd.concat([kept.reindex(columns=[ROW_HASH, *outputs]), fresh], ignore_index=True)
    results = _as_text(results, outputs)
    if kept.empty:  # first run, or other code: the table is written anew
        _keep(connection, table, version, results, outputs)
    else:  # rows gone out, the fresh ones in: rewriting all 40,000 took ~0.1 s a run
        _update(connection, table, version, hashes, _as_text(fresh, outputs), outputs)
    # In the input's order and with its index, whichever way each row's result came.
    order = pd.DataFrame({ROW_HASH: hashes.to_numpy(), "_position": range(len(rows))})
    placed = order.merge(results.drop_duplicates(), on=ROW_HASH).sort_values(
        "_position", kind="stable"
    )
    placed.index = rows.index[placed["_position"].to_numpy()]
    return placed[outputs]


def _kept(
    connection: duckdb.DuckDBPyConnection, table: str, version: str, hashes: pd.Series
) -> pd.DataFrame:
    if not table_exists(connection, *table.split(".")):
        return pd.DataFrame({ROW_HASH: pd.Series([], dtype="uint64")})
    connection.register("_current_hashes", pd.DataFrame({ROW_HASH: hashes.unique()}))
    try:
        kept = connection.execute(
            f"SELECT * EXCLUDE ({VERSION}) FROM {table} WHERE {VERSION} = ? "
            f"AND {ROW_HASH} IN (SELECT {ROW_HASH} FROM _current_hashes)",
            [version],
        ).df()
    finally:
        connection.unregister("_current_hashes")
    return kept


def _update(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    version: str,
    hashes: pd.Series,
    fresh: pd.DataFrame,
    outputs: list[str],
) -> None:
    """The kept results of rows no longer current deleted, the fresh ones added (the table
    holds this version's results only: `kept` was not empty)."""
    connection.register("_current_hashes", pd.DataFrame({ROW_HASH: hashes.unique()}))
    connection.register("_memo_fresh", fresh)
    try:
        connection.execute(
            f"DELETE FROM {table} WHERE {ROW_HASH} NOT IN (SELECT {ROW_HASH} FROM _current_hashes)"
        )
        if not fresh.empty:
            columns = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in outputs)
            names = ", ".join(f'"{c}"' for c in outputs)
            connection.execute(
                f"INSERT INTO {table} ({ROW_HASH}, {VERSION}, {names}) "
                f"SELECT {ROW_HASH}, ?, {columns} FROM _memo_fresh",
                [version],
            )
    finally:
        connection.unregister("_current_hashes")
        connection.unregister("_memo_fresh")


def _as_text(results: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    for column in outputs:
        values = results[column].astype(object)
        results[column] = values.where(values.notna(), None)
    return results


def _keep(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    version: str,
    results: pd.DataFrame,
    outputs: list[str],
) -> None:
    # Text throughout, also a column no row has a value in (pandas gives it no type).
    columns = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in outputs)
    connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{table.split(".")[0]}"')
    connection.register("_memo_results", results)
    try:
        connection.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT {ROW_HASH}, ? AS {VERSION}, {columns} "
            "FROM _memo_results",
            [version],
        )
    finally:
        connection.unregister("_memo_results")
