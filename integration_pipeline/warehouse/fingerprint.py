"""A cheap content fingerprint of a warehouse table (the data versions of the extracts and
the outbox): the same rows give the same fingerprint, whatever order they were written in."""

import uuid

import duckdb

from integration_pipeline.warehouse.arrow_load import table_exists

# Per landed table: what the pipeline's own updates, read back, changed in its fingerprint
# (warehouse/echoes.py), taken out of its data version.
OFFSETS = "meta.version_offsets"


def fingerprint(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "TRUE",
    params: tuple = (),
    offset: int = 0,
) -> str:
    """Row count and the XOR of the rows' hashes (rows are unique by id, so none cancel),
    XORed with `offset`."""
    count, hashed = connection.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM {table} t WHERE {where}",
        list(params),
    ).fetchone()
    return f"{count}-{hashed ^ offset:016x}"


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
    """The data version of a landed table: the warehouse it is in and its content, less what
    the pipeline's own updates read back changed in it (its offset).

    `unchanged_from`: the version the table had before a landing that wrote no row to it;
    kept when it was taken in this warehouse file of a table with as many rows (hashing the
    largest tables again costs ~0.15 s a run for nothing)."""
    identity = warehouse_id(connection)
    if unchanged_from is not None and unchanged_from.startswith(f"{identity}-"):
        (rows,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        if unchanged_from.startswith(f"{identity}-{rows}-"):
            return unchanged_from
    offset = version_offset(connection, table)
    return f"{identity}-{fingerprint(connection, table, offset=offset)}"


def ensure_offsets(connection: duckdb.DuckDBPyConnection) -> None:
    """Made before a landing's transaction (landings side by side must find it there)."""
    connection.execute("CREATE SCHEMA IF NOT EXISTS meta")
    connection.execute(
        f'CREATE TABLE IF NOT EXISTS {OFFSETS} (table_name VARCHAR PRIMARY KEY, "offset" UBIGINT)'
    )


def version_offset(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    if not table_exists(connection, *OFFSETS.split(".")):
        return 0
    row = connection.execute(
        f'SELECT "offset" FROM {OFFSETS} WHERE table_name = ?', [table]
    ).fetchall()
    return int(row[0][0]) if row else 0
