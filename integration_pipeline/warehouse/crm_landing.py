"""Landing one CRM object type in the warehouse (`crm.<type>`): in full, or by cursor.

Incremental: the records changed since the previous read began (less an overlap against
writes that show in search late; re-read rows replace themselves by id), with their
associations, and the records archived since the newest archive it holds. The previous read's
start, not the newest change held, anchors the overlap: a table whose records all came in one
burst (seeded line items) would otherwise have the burst's last minutes read again on every
run, however long ago it was. HubSpot has no feed of association
changes, and a new link does not touch the records' last-modified date; but links are
undirected, so the changed records' links are written onto the records they point at too
(a new line item on an old deal shows on the deal). A link removed between two records
that both stay unchanged shows at the next full read (the nightly full sync).

Records the pipeline itself updated since the copy held are landed like the others, but when
that update is all that changed in them they are no news for the steps after the extract: the
table keeps its data version (warehouse/echoes.py).

A small object no other object links to (products, the pipeline's tasks) is read in full every
time: one page of the list endpoint costs less than a search, whose budget (5 a second) the
larger objects need: a sixth search within a second waits for the window.
"""

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from integration_pipeline.batching import batched
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.extract import Cursor, changed_since, with_associations
from integration_pipeline.connectors.hubspot.landing import SCHEMA, to_arrow
from integration_pipeline.warehouse.arrow_load import replace_table, transaction
from integration_pipeline.warehouse.echoes import crm_source, merge_with_echoes, settle
from integration_pipeline.warehouse.fingerprint import ensure_offsets

LANDING_ROWS = 5_000  # records per Arrow batch written to DuckDB
READS = "meta.crm_reads"  # per object type: when its last landing began to read
SMALL_OBJECT_ROWS = 100  # one page of HubSpot's list endpoint


@dataclass(frozen=True)
class CrmLanding:
    mode: str  # full | incremental
    rows_read: int
    rows_total: int
    links_patched: int
    seconds: float
    echoes: int = 0  # rows re-read that differ only by the pipeline's own updates


@dataclass(frozen=True)
class CrmObject:
    object_type: str
    properties: list[str]
    associations: list[str]  # the types this object's rows list links to
    # other object types whose rows list links to this one: patched from this one's changes
    linked_from: list[str]


def land_crm_object(
    connection: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    crm_object: CrmObject,
    full_refresh: bool,
    overlap: timedelta,
) -> CrmLanding:
    started, read_at = time.monotonic(), datetime.now(UTC)
    object_type = crm_object.object_type
    target = f"crm.{object_type}"
    _ensure_reads(connection)
    newest = None if full_refresh else _newest(connection, target, "updated_at")
    if newest is None or _small(connection, crm_object):
        rows = replace_table(connection, target, SCHEMA, _batches(_everything(client, crm_object)))
        settle(connection, target, None)
        # Not in replace_table's transaction: a crash between the two only means the next
        # read starts from the newest change held, as before reads were recorded.
        _store_read(connection, object_type, read_at)
        return CrmLanding("full", rows, rows, 0, time.monotonic() - started)
    # Warehouses landed before reads were recorded start from the newest change they hold.
    since = _previous_read(connection, object_type) or newest
    changed = _changed(client, crm_object, since - overlap)
    archived_since = _newest(connection, target, "archived_at")
    archived = _archived(client, crm_object, archived_since - overlap if archived_since else None)
    # A table not landed yet gets its links on its first (full) read. Asked before the
    # transaction: a failing statement inside one would roll the whole landing back.
    landed = {
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'crm'"
        ).fetchall()
    }
    with transaction(connection):
        merged = merge_with_echoes(
            connection, target, _batches([*changed, *archived]), crm_source(object_type)
        )
        settle(connection, target, merged)
        patched = sum(
            _patch_links(connection, client, crm_object, to_type, changed, archived)
            for to_type in crm_object.linked_from
            if to_type in landed
        )
        _store_read(connection, object_type, read_at)
    (total,) = connection.execute(f"SELECT count(*) FROM {target}").fetchone()
    return CrmLanding(
        "incremental", merged.rows, total, patched, time.monotonic() - started, merged.echoes
    )


def _small(connection: duckdb.DuckDBPyConnection, crm_object: CrmObject) -> bool:
    """Cheaper to list than to search, and safe to replace whole: no other table's links to
    it need patching."""
    if crm_object.linked_from:
        return False
    (rows,) = connection.execute(f"SELECT count(*) FROM crm.{crm_object.object_type}").fetchone()
    return rows <= SMALL_OBJECT_ROWS


def _ensure_reads(connection: duckdb.DuckDBPyConnection) -> None:
    ensure_offsets(connection)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {READS} (object_type VARCHAR PRIMARY KEY, read_at TIMESTAMPTZ)"
    )


def _previous_read(connection: duckdb.DuckDBPyConnection, object_type: str) -> datetime | None:
    row = connection.execute(
        f"SELECT read_at FROM {READS} WHERE object_type = ?", [object_type]
    ).fetchone()
    return row[0] if row else None


def _store_read(connection: duckdb.DuckDBPyConnection, object_type: str, read_at: datetime) -> None:
    """When this landing's read began (our clock: its skew from HubSpot's is far inside the
    overlap)."""
    connection.execute(f"INSERT OR REPLACE INTO {READS} VALUES (?, ?)", [object_type, read_at])


def _batches(records: Iterable[dict]):
    return (to_arrow(page) for page in batched(records, LANDING_ROWS))


def _everything(client: HubSpotClient, crm_object: CrmObject) -> Iterable[dict]:
    for archived in (False, True):
        for page in client.pages(
            crm_object.object_type, crm_object.properties, crm_object.associations, archived
        ):
            yield from page


def _newest(connection: duckdb.DuckDBPyConnection, target: str, column: str) -> datetime | None:
    try:
        (newest,) = connection.execute(f"SELECT max({column}) FROM {target}").fetchone()
    except duckdb.CatalogException:  # never landed
        return None
    return newest


def _changed(client: HubSpotClient, crm_object: CrmObject, since: datetime) -> list[dict]:
    cursor = Cursor(int(since.timestamp() * 1000), 0)
    records = list(changed_since(client, crm_object.object_type, cursor, crm_object.properties))
    return with_associations(client, crm_object.object_type, records, crm_object.associations)


def _archived(client: HubSpotClient, crm_object: CrmObject, since: datetime | None) -> list[dict]:
    """Archived records newer than `since` (HubSpot lists archived ones unfiltered)."""
    found = []
    for page in client.pages(
        crm_object.object_type, crm_object.properties, crm_object.associations, archived=True
    ):
        for record in page:
            archived_at = datetime.fromisoformat(record["archivedAt"].replace("Z", "+00:00"))
            if since is None or archived_at > since:
                found.append(record)
    return found


def _patch_links(
    connection: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    crm_object: CrmObject,
    to_type: str,
    changed: list[dict],
    archived: list[dict],
) -> int:
    """Make the `to_type` rows list exactly the changed records that link to them now (an
    archived record links to nothing live); returns the rows rewritten."""
    from_type = crm_object.object_type
    touched = [r["id"] for r in changed] + [r["id"] for r in archived]
    if not touched:
        return 0
    # The changed records carry their own link types already; the others are read now.
    read = [r for r in changed if to_type in r.get("associations", {})]
    probe = [{"id": r["id"]} for r in changed if to_type not in r.get("associations", {})]
    if probe:
        read += with_associations(client, from_type, probe, [to_type])
    now_linked: dict[str, set[str]] = {}  # to_type id -> the touched records linking to it
    for record in read:
        for link in record["associations"][to_type]["results"]:
            now_linked.setdefault(str(link["id"]), set()).add(str(record["id"]))
    touched_ids = {str(i) for i in touched}
    rows = connection.execute(
        # An archived record keeps the links it was read with (HubSpot hides links to
        # archived records from live ones, not the other way round).
        f"""SELECT id, associations FROM crm.{to_type}
            WHERE NOT archived
              AND (CAST(id AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))
                   OR list_has_any(CAST(associations -> '{from_type}' AS VARCHAR[]),
                                   ?::VARCHAR[]))""",
        [list(now_linked), list(touched_ids)],
    ).fetchall()
    updates = []
    for row_id, associations in rows:
        links = json.loads(associations or "{}")
        current = [str(i) for i in links.get(from_type, [])]
        wanted = [i for i in current if i not in touched_ids]
        wanted += sorted(now_linked.get(str(row_id), set()) - set(wanted))
        if wanted != current:
            links[from_type] = wanted
            updates.append([json.dumps(links), row_id])
    if updates:
        connection.executemany(f"UPDATE crm.{to_type} SET associations = ? WHERE id = ?", updates)
    return len(updates)
