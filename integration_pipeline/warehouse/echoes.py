"""The pipeline's own updates, read back by the next extract (issue #5: no ping-pong).

An update the pipeline sends changes the record at the source, so the next landing reads the
record again. A re-read row that differs from the copy held only in values the pipeline sent
to that record after the copy last changed (and in the source's change stamps) is an echo: it
is landed like any row, but it does not give the table a new data version, so the steps after
the extract do not run again for news they made themselves.

How the version stays: a table's fingerprint is its row count and the XOR of its rows' hashes
(fingerprint.py), so what an echo rewrote can be taken out again. Each table has an offset,
the XOR of (old hash ^ new hash) of the echoes landed since its last news, applied to its
fingerprint. A landing with news (a row changed in any other way, a new, deleted or archived
row, a full copy) sets the offset back to 0: the version moves, and the steps after the
extract read the table as it is, echoes included. Until then they hold what they made before
the echo, which differs only by the values the pipeline wrote.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from integration_pipeline.syncs.outbox import OUTBOX
from integration_pipeline.syncs.planning import same_value
from integration_pipeline.warehouse.arrow_load import as_table, merge_batches, table_exists
from integration_pipeline.warehouse.fingerprint import OFFSETS, version_offset

ARRIVED = "_arrived"  # a batch being merged, registered while it is compared with the held rows


@dataclass(frozen=True)
class SentUpdate:
    values: Mapping[str, str | None]  # the outbox row's payload
    applied_at: datetime  # UTC


def is_echo(
    held: Mapping[str, Any],
    incoming: Mapping[str, Any],
    sent: Sequence[SentUpdate],
    held_changed_at: datetime | None,
    stamps: frozenset[str],
) -> bool:
    """Whether `incoming` differs from `held` only by what the updates sent after the held
    copy last changed set (each field as the latest of them set it), and in `stamps`."""
    after = sorted(
        (s for s in sent if held_changed_at is None or s.applied_at > _utc(held_changed_at)),
        key=lambda s: s.applied_at,
    )
    if not after:  # nothing the pipeline sent explains a change
        return False
    latest: dict[str, str | None] = {}
    for update in after:
        latest.update(update.values)
    for name in held.keys() | incoming.keys():
        if name in stamps or held.get(name) == incoming.get(name):
            continue
        if name not in latest or not same_value(incoming.get(name), latest[name]):
            return False
    return True


def _utc(moment: datetime) -> datetime:
    """Naive UTC, as the outbox and Tryton keep times."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@dataclass(frozen=True)
class EchoSource:
    """Where a landed table's records are written by the pipeline, and how to compare them."""

    system: str  # the outbox's target_system
    target_object: str  # the outbox's target_object; its target_id is the row's id
    stamps: frozenset[str]  # fields the source moves on every change
    changed_at: Callable[[Mapping[str, Any]], datetime | None]  # when the held copy last changed
    fields: Callable[[Mapping[str, Any]], dict[str, Any]] = dict  # a row as field -> value


def _crm_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CRM row with its properties (a JSON text) as fields of their own."""
    fields = {k: v for k, v in row.items() if k != "properties"}
    return fields | json.loads(row.get("properties") or "{}")


def crm_source(object_type: str) -> EchoSource:
    return EchoSource(
        system="crm",
        target_object=object_type,
        stamps=frozenset({"updated_at", "hs_lastmodifieddate"}),
        changed_at=lambda row: row.get("updated_at"),
        fields=_crm_fields,
    )


def erp_source(target_object: str) -> EchoSource:
    return EchoSource(
        system="erp",
        target_object=target_object,
        stamps=frozenset({"write_date", "write_uid"}),
        changed_at=lambda row: row.get("write_date") or row.get("create_date"),
    )


@dataclass
class Merged:
    rows: int = 0  # rows read and merged, the unchanged ones included
    news: int = 0  # rows new or changed otherwise than by the pipeline's own updates
    echoes: int = 0
    offset: int = field(default=0, repr=False)  # XOR of the echoes' old and new row hashes


def merge_with_echoes(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    batches: Iterable[pa.Table | pa.RecordBatch],
    source: EchoSource,
) -> Merged:
    """Upsert by id (arrow_load.merge_batches), telling echoes from news first; the caller
    owns the transaction and settles the offset (`settle`)."""
    merged = Merged()
    columns = connection.sql(f"SELECT * FROM {target} LIMIT 0").columns
    same_row = " AND ".join(f'h."{c}" IS NOT DISTINCT FROM i."{c}"' for c in columns)
    for batch in batches:
        incoming = as_table(batch)
        connection.register(ARRIVED, incoming)
        try:
            changed = [
                row_id
                for (row_id,) in connection.execute(
                    f"SELECT i.id FROM {ARRIVED} i LEFT JOIN {target} h ON h.id = i.id "
                    f"WHERE h.id IS NULL OR NOT ({same_row})"
                ).fetchall()
            ]
            echoes = _echoes(connection, target, changed, source)
        finally:
            connection.unregister(ARRIVED)
        before = _hash_of(connection, target, echoes)
        merged.rows += merge_batches(connection, target, [incoming])
        merged.offset ^= before ^ _hash_of(connection, target, echoes)
        merged.echoes += len(echoes)
        merged.news += len(changed) - len(echoes)
    return merged


def _echoes(
    connection: duckdb.DuckDBPyConnection, target: str, changed: list, source: EchoSource
) -> list:
    """The changed rows (ids) that are echoes of the pipeline's own updates."""
    if not changed:
        return []
    sent = _sent_updates(connection, source, changed)
    if not sent:
        return []
    held = _rows(connection, target, list(sent))
    incoming = _rows(connection, ARRIVED, list(sent))
    return [
        row_id
        for row_id, updates in sent.items()
        if row_id in held
        and is_echo(
            source.fields(held[row_id]),
            source.fields(incoming[row_id]),
            updates,
            source.changed_at(held[row_id]),
            source.stamps,
        )
    ]


def _sent_updates(
    connection: duckdb.DuckDBPyConnection, source: EchoSource, ids: list
) -> dict[Any, list[SentUpdate]]:
    if not table_exists(connection, *OUTBOX.split(".")):
        return {}
    by_text = {str(i): i for i in ids}
    found: dict[Any, list[SentUpdate]] = {}
    for target_id, payload, applied_at in connection.execute(
        f"""SELECT target_id, payload, applied_at FROM {OUTBOX}
            WHERE target_system = ? AND target_object = ? AND operation = 'update'
              AND status = 'sent' AND target_id IN (SELECT unnest(?::VARCHAR[]))""",
        [source.system, source.target_object, list(by_text)],
    ).fetchall():
        found.setdefault(by_text[target_id], []).append(
            SentUpdate(json.loads(payload or "{}"), applied_at)
        )
    return found


def _rows(connection: duckdb.DuckDBPyConnection, table: str, ids: list) -> dict[Any, dict]:
    # fetchall, then named: a result left unfinished blocks the connection's next statement.
    result = connection.execute(f"SELECT * FROM {table} WHERE id IN (SELECT unnest(?))", [ids])
    names = [c[0] for c in result.description]
    rows = [dict(zip(names, values, strict=True)) for values in result.fetchall()]
    return {row["id"]: row for row in rows}


def _hash_of(connection: duckdb.DuckDBPyConnection, table: str, ids: list) -> int:
    """The XOR of the rows' hashes, as fingerprint() takes them."""
    if not ids:
        return 0
    ((hashed,),) = connection.execute(
        f"SELECT coalesce(bit_xor(hash(t)), 0) FROM {table} t WHERE id IN (SELECT unnest(?))",
        [ids],
    ).fetchall()
    return int(hashed)


def settle(connection: duckdb.DuckDBPyConnection, table: str, merged: Merged | None) -> None:
    """After a landing (`merged` None: one with news of another kind, a full copy or a
    deletion): the table's offset takes in its echoes, or goes back to 0 on news."""
    current = version_offset(connection, table)
    new = current ^ merged.offset if merged is not None and not merged.news else 0
    if new != current:
        connection.execute(f"INSERT OR REPLACE INTO {OFFSETS} VALUES (?, ?)", [table, new])
