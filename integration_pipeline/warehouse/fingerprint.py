"""A cheap content fingerprint of a warehouse table (the data versions of the extracts and
the outbox): the same rows give the same fingerprint, whatever order they were written in."""

import uuid

import duckdb


def fingerprint(
    connection: duckdb.DuckDBPyConnection, table: str, where: str = "TRUE", params: tuple = ()
) -> str:
    """Row count and the XOR of the rows' hashes (rows are unique by id, so none cancel)."""
    count, hashed = connection.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM {table} t WHERE {where}",
        list(params),
    ).fetchone()
    return f"{count}-{hashed:016x}"


def fingerprints(connection: duckdb.DuckDBPyConnection, *tables: str) -> str:
    """One fingerprint for a step's output tables together."""
    return "|".join(fingerprint(connection, table) for table in tables)


def warehouse_id(connection: duckdb.DuckDBPyConnection) -> str:
    """This warehouse file's identity, made on first use: a new or restored file gives every
    extract a new data version, so no step takes a result kept in another file as its own."""
    try:  # read first: creating "if not exists" is a write transaction, ~5 ms per extract
        found = connection.execute("SELECT min(id) FROM meta.warehouse").fetchone()[0]
    except duckdb.CatalogException:
        found = None
    if found is not None:
        return found
    connection.execute("CREATE SCHEMA IF NOT EXISTS meta")
    connection.execute("CREATE TABLE IF NOT EXISTS meta.warehouse (id VARCHAR)")
    connection.execute(
        "INSERT INTO meta.warehouse SELECT ? WHERE NOT EXISTS (SELECT 1 FROM meta.warehouse)",
        [uuid.uuid4().hex[:12]],
    )
    return connection.execute("SELECT min(id) FROM meta.warehouse").fetchone()[0]


def extract_version(
    connection: duckdb.DuckDBPyConnection, table: str, unchanged_from: str | None = None
) -> str:
    """The data version of a landed table: the warehouse it is in and its content.

    `unchanged_from`: the version the table had before a landing that wrote no row to it;
    kept when it was taken in this warehouse file of a table with as many rows (hashing the
    largest tables again costs ~0.15 s a run for nothing)."""
    identity = warehouse_id(connection)
    if unchanged_from is not None and unchanged_from.startswith(f"{identity}-"):
        (rows,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        if unchanged_from.startswith(f"{identity}-{rows}-"):
            return unchanged_from
    return f"{identity}-{fingerprint(connection, table)}"
