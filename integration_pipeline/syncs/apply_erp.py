"""Sending an entity's pending outbox rows to the ERP through Tryton's API (so its business
rules run). Each ERP entity names its writer here; a writer is idempotent by the record's
key (a sale by its `reference`), so a resend after a crash finds and does not repeat."""

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import duckdb

from integration_pipeline.batching import batched
from integration_pipeline.connectors.tryton.writes import (
    SaleLineWrite,
    SaleStatus,
    SaleWrite,
    TrytonWriter,
)
from integration_pipeline.entities.spec import EntitySync
from integration_pipeline.syncs.outbox import mark, pending

SALES_PER_CALL = 50  # batched create/quote/confirm: ~7x one at a time (bench/tryton_extract.py)
_OUTBOX_STATUS = {
    SaleStatus.SYNCED: "sent",
    SaleStatus.ON_HOLD_CREDIT: "held",  # retried every run: confirmed once the cause clears
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
    )


def send_sales(
    connection: duckdb.DuckDBPyConnection, writer: TrytonWriter, spec: EntitySync, run_id: str
) -> dict[str, int]:
    counts: Counter = Counter()
    for chunk in batched(pending(connection, spec.name), SALES_PER_CALL):
        results = writer.place_sales([_sale(row["payload"]) for row in chunk])
        for row, result in zip(chunk, results, strict=True):
            status = _OUTBOX_STATUS[result.status]
            mark(
                connection,
                row["idempotency_key"],
                status,
                run_id,
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
            counts[status] += 1
    return dict(counts)


def duplicated_references(writer: TrytonWriter, references: list[str]) -> list[str]:
    """Exactly once: the references that more than one ERP sale carries."""
    if not references:
        return []
    rows = writer.session.model(
        "sale.sale", "search_read", [["reference", "in", references]], 0, None, None, ["reference"]
    )
    return sorted(r for r, n in Counter(row["reference"] for row in rows).items() if n > 1)


ERP_WRITERS: dict[str, Callable[..., dict[str, int]]] = {"sales": send_sales}
