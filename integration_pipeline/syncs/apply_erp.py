"""Sending an entity's pending outbox rows to the ERP through Tryton's API (so its business
rules run). Each ERP entity names its writer here; a writer is idempotent by the record's
key (a sale by its `reference`), so a resend after a crash finds and does not repeat."""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from integration_pipeline.batching import batched
from integration_pipeline.cleansing.contacts import is_mobile
from integration_pipeline.connectors.tryton.rpc import TrytonUserError
from integration_pipeline.connectors.tryton.writes import (
    AddressWrite,
    PartyWrite,
    SaleLineWrite,
    SaleStatus,
    SaleWrite,
    TrytonWriter,
)
from integration_pipeline.syncs.outbox import Outcome, mark

# Records per Tryton call, sales and parties alike: batched sales (create/quote/confirm) ran
# ~7x faster than one at a time (bench/tryton_extract.py).
RECORDS_PER_CALL = 50
_OUTBOX_STATUS = {
    SaleStatus.SYNCED: "sent",
    SaleStatus.ON_HOLD_CREDIT: "held",  # retried every run: confirmed once the cause clears
    SaleStatus.ON_HOLD_STOCK: "held",  # re-planned without the hold once stock covers it
    SaleStatus.REJECTED: "failed",
}


def _sale(payload: dict) -> SaleWrite:
    lines = json.loads(payload["lines"]) if isinstance(payload["lines"], str) else payload["lines"]
    return SaleWrite(
        reference=payload["reference"],
        party_code=payload["party_code"],
        sale_date=date.fromisoformat(payload["sale_date"]),
        lines=tuple(
            SaleLineWrite(
                line["product_code"],
                Decimal(str(line["quantity"])),
                Decimal(str(line["unit_price"])),
            )
            for line in lines
        ),
        hold_for_stock=_stock_hold(payload),
    )


def _stock_hold(payload: dict) -> str | None:
    short = payload.get("stock_short")
    if not short:
        return None
    return f"stock cannot cover it (policy: {payload.get('stock_policy')}): {short}"


Sender = Callable[[duckdb.DuckDBPyConnection, TrytonWriter, list[dict], str], dict[str, int]]
ChunkSender = Callable[[duckdb.DuckDBPyConnection, TrytonWriter, list[dict], str, Counter], None]


def _chunked(send_chunk: ChunkSender) -> Sender:
    """A sender: the outbox rows in batches of RECORDS_PER_CALL, each marked by `send_chunk`,
    which counts the statuses it gives; returns the counts."""

    def send(
        connection: duckdb.DuckDBPyConnection,
        writer: TrytonWriter,
        rows: list[dict],
        run_id: str,
    ) -> dict[str, int]:
        counts: Counter = Counter()
        for chunk in batched(rows, RECORDS_PER_CALL):
            send_chunk(connection, writer, chunk, run_id, counts)
        return dict(counts)

    return send


def _mark_counted(
    connection: duckdb.DuckDBPyConnection, outcomes: list[Outcome], run_id: str, counts: Counter
) -> None:
    mark(connection, outcomes, run_id)
    counts.update(o.status for o in outcomes)


def _place_sales(
    connection: duckdb.DuckDBPyConnection,
    writer: TrytonWriter,
    chunk: list[dict],
    run_id: str,
    counts: Counter,
) -> None:
    results = writer.place_sales([_sale(row["payload"]) for row in chunk])
    outcomes = [
        Outcome(
            row["idempotency_key"],
            _OUTBOX_STATUS[result.status],
            target_id=result.number,
            message=result.message or None,
            result={
                "status": result.status.value,
                "number": result.number,
                "state": result.state,
                "shipment_state": result.shipment_state,
                "invoice_state": result.invoice_state,
            },
        )
        for row, result in zip(chunk, results, strict=True)
    ]
    _mark_counted(connection, outcomes, run_id, counts)


send_sales = _chunked(_place_sales)


def _party(code: str, payload: dict) -> PartyWrite:
    contacts = []
    if payload.get("email"):
        contacts.append(("email", payload["email"]))
    if payload.get("phone"):
        contacts.append(("mobile" if is_mobile(payload["phone"]) else "phone", payload["phone"]))
    address = AddressWrite(
        street=payload.get("street"),
        city=payload.get("city"),
        postal_code=payload.get("postal_code"),
        country=payload.get("country"),
    )
    return PartyWrite(
        code=code,
        name=payload["name"],
        contacts=tuple(contacts),
        address=address,
        national_id=payload.get("national_id"),
    )


def _upsert_parties(
    connection: duckdb.DuckDBPyConnection,
    writer: TrytonWriter,
    chunk: list[dict],
    run_id: str,
    counts: Counter,
) -> None:
    outcomes = []
    try:
        ids = writer.upsert_parties([_party(r["record_key"], r["payload"]) for r in chunk])
    except TrytonUserError:  # one bad party refuses the whole batch: go one by one
        ids = {}
        for row in chunk:
            try:
                ids |= writer.upsert_parties([_party(row["record_key"], row["payload"])])
            except TrytonUserError as error:
                outcomes.append(Outcome(row["idempotency_key"], "failed", message=error.message))
    outcomes += [
        Outcome(row["idempotency_key"], "sent", target_id=str(ids[row["record_key"]]))
        for row in chunk
        if row["record_key"] in ids
    ]
    _mark_counted(connection, outcomes, run_id, counts)


send_parties = _chunked(_upsert_parties)


def _record_found(
    connection: duckdb.DuckDBPyConnection,
    rows: list[dict],
    found: dict[str, int],
    run_id: str,
    counts: Counter,
) -> None:
    """Sent for the rows whose party was found (the writer wrote it), failed for the rest."""
    outcomes = []
    for row in rows:
        party = found.get(row["record_key"])
        if party is not None:
            outcomes.append(Outcome(row["idempotency_key"], "sent", target_id=str(party)))
        else:
            outcomes.append(
                Outcome(row["idempotency_key"], "failed", message="no ERP party has this code")
            )
    _mark_counted(connection, outcomes, run_id, counts)


def _send_by_code(write: Callable[[TrytonWriter, list[dict]], dict[str, int]]) -> Sender:
    """A sender for writes to existing parties by code: `write` a batch of outbox rows,
    getting back code → id of the parties it found."""
    return _chunked(
        lambda connection, writer, chunk, run_id, counts: _record_found(
            connection, chunk, write(writer, chunk), run_id, counts
        )
    )


send_deactivations = _send_by_code(
    lambda writer, rows: writer.deactivate_parties([r["record_key"] for r in rows])
)
send_party_fields = _send_by_code(
    lambda writer, rows: writer.update_party_names(
        {r["record_key"]: r["payload"]["name"] for r in rows}
    )
)


def _names_differ(writer: TrytonWriter, rows: list[dict]) -> list[str]:
    wanted = {r["record_key"]: r["payload"]["name"] for r in rows}
    if not wanted:
        return []
    found = writer.session.model(
        "party.party",
        "search_read",
        [["code", "in", list(wanted)], ["active", "in", [True, False]]],
        0,
        None,
        None,
        ["code", "name"],
    )
    return sorted(f"{p['code']}.name" for p in found if p["name"] != wanted[p["code"]])


def _still_active(writer: TrytonWriter, rows: list[dict]) -> list[str]:
    codes = [row["record_key"] for row in rows]
    if not codes:
        return []
    active = writer.session.model(
        "party.party", "search_read", [["code", "in", codes]], 0, None, None, ["code"]
    )
    return sorted(f"{row['code']}: still active" for row in active)


def _repeated(writer: TrytonWriter, model: str, field: str, values: list[str]) -> list[str]:
    """Exactly once: the values of `field` that more than one ERP record carries."""
    if not values:
        return []
    domain = [[field, "in", values]]
    if model == "party.party":
        domain.append(["active", "in", [True, False]])
    rows = writer.session.model(model, "search_read", domain, 0, None, None, [field])
    return sorted(v for v, n in Counter(row[field] for row in rows).items() if n > 1)


@dataclass(frozen=True)
class ErpWriter:
    # (connection, writer, the pending outbox rows, run id) -> counts per outcome
    send: Sender
    # outbox rows -> what the reconcile check reports (duplicates, parties left active)
    repeated: Callable[[TrytonWriter, list[dict]], list[str]]


ERP_WRITERS: dict[str, ErpWriter] = {
    "sales": ErpWriter(
        send_sales,
        lambda w, rows: _repeated(
            w, "sale.sale", "reference", [r["payload"]["reference"] for r in rows]
        ),
    ),
    "parties": ErpWriter(
        send_parties,
        lambda w, rows: _repeated(w, "party.party", "code", [r["record_key"] for r in rows]),
    ),
    "party_deactivations": ErpWriter(send_deactivations, _still_active),
    "party_fields": ErpWriter(send_party_fields, _names_differ),
}
