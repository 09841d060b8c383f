"""The bulk seeding path: the rows Tryton's sale flow leaves behind, written directly.

Through the ORM (erp_seed.py) a sale costs about 0.36 s of Tryton's per-record business
logic; at 1,000 customers that is 15 minutes. For large scales this path writes the same
end state as rows: the confirmed sale and its lines, the customer shipment with its
outgoing and inventory moves, the invoice with its lines and tax, the posted account moves,
the payments and the reconciliation of settled invoices. Numbers come from Tryton's own
sequences in the order the ORM path takes them (sales and shipments in dataset order,
invoices and their moves by invoice date, payments by payment date), accounts and periods
from the same lookups the business methods make (bulk_books.py).

What it does not write: the audit trail of button clicks (ir.model.log) and the finished
queue tasks (ir.queue) that the ORM path leaves; neither is business state.
integration_pipeline_tests/sandbox/tryton/test_bulk_seed.py proves the rest equal to the
ORM path's result, table by table.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from integration_pipeline.sandbox.demo.records import DemoDataset, ErpSale
from integration_pipeline.sandbox.tryton.bulk_books import Books
from integration_pipeline.sandbox.tryton.bulk_rows import AUDIT_USER, TableRows

# Referenced tables first: an invoice points at its move, a move line at its reconciliation.
INSERT_ORDER = [
    "sale_sale",
    "sale_line",
    "sale_line-account_tax",
    "stock_shipment_out",
    "stock_move",
    "account_move",
    "account_move_reconciliation",
    "account_invoice",
    "account_invoice_line",
    "account_invoice_line-account_tax",
    "account_invoice_line-stock_move",
    "account_invoice_tax",
    "account_move_line",
    "account_tax_line",
    "account_invoice-account_move_line",
]
STATE_FLAGS = {"unit_price_updated": True, "production_cost_price_updated": False}


@dataclass
class _Placed:
    """One demo sale's rows, filled in as the flow goes on."""

    demo: ErpSale
    sale: dict[str, Any]
    shipment: dict[str, Any]
    moves: list[dict[str, Any]]
    invoice: dict[str, Any]
    invoice_lines: list[tuple[dict[str, Any], Decimal]]  # with the line's untaxed amount
    invoice_tax: dict[str, Any]
    amounts: dict[str, Decimal]
    receivables: list[dict[str, Any]] = field(default_factory=list)
    paid: Decimal = Decimal(0)


def _place(rows: TableRows, books: Books, demo: ErpSale) -> _Placed:
    """The sale as confirmed and processed: its shipment waits, its invoice is a draft."""
    ids, party = books.ids, books.parties[demo.party_code]
    sale = rows.add(
        "sale_sale",
        company=ids.company,
        currency=ids.currency,
        party=party.id,
        invoice_address=party.address,
        shipment_address=party.address,
        warehouse=ids.warehouse,
        payment_term=ids.payment_term,
        sale_date=demo.sale_date,
        reference=demo.reference,
        description=f"demo {demo.key}",
        invoice_method="order",
        shipment_method="order",
        quotation_date=books.today,
        quoted_by=AUDIT_USER,
        confirmed_by=AUDIT_USER,
        to_invoice=False,
        to_ship=False,
    )
    shipment = rows.add(
        "stock_shipment_out",
        company=ids.company,
        customer=party.id,
        delivery_address=party.address,
        warehouse=ids.warehouse,
        warehouse_output=books.output,
        warehouse_storage=books.storage,
        origin_planned_date=books.today,
        planned_date=books.today,
        state="waiting",
    )
    invoice = rows.add(
        "account_invoice",
        type="out",
        state="draft",
        company=ids.company,
        currency=ids.currency,
        party=party.id,
        invoice_address=party.address,
        account=party.receivable,
        journal=books.revenue_journal,
        payment_term=ids.payment_term,
    )
    moves, invoice_lines, untaxed, unrounded_tax = [], [], Decimal(0), Decimal(0)
    for line in demo.lines:
        product, quantity = books.products[line.product_code], float(line.quantity)
        amount = books.round(Decimal(str(quantity)) * line.unit_price)
        untaxed += amount
        unrounded_tax += amount * books.tax_rate
        common = {"product": product.id, "quantity": quantity, "unit": ids.unit}
        sale_line = rows.add(
            "sale_line",
            **common,
            sale=sale["id"],
            type="line",
            unit_price=line.unit_price,
            actual_quantity=quantity,
            quantity_to_invoice=0.0,
            quantity_to_ship=0.0,
        )
        rows.add("sale_line-account_tax", line=sale_line["id"], tax=ids.tax)
        moved = {**common, **STATE_FLAGS, "company": ids.company, "internal_quantity": quantity}
        moved |= {"shipment": f"stock.shipment.out,{shipment['id']}", "state": "draft"}
        moved |= {"planned_date": books.today}
        outgoing = rows.add(
            "stock_move",
            **moved,
            from_location=books.output,
            to_location=party.customer_location,
            origin=f"sale.line,{sale_line['id']}",
            origin_planned_date=books.today,
            currency=ids.currency,
            unit_price=line.unit_price,
        )
        inventory = rows.add(
            "stock_move",
            **moved,
            from_location=books.storage,
            to_location=books.output,
            origin=f"stock.move,{outgoing['id']}",
        )
        moves += [outgoing, inventory]
        invoice_line = rows.add(
            "account_invoice_line",
            **common,
            invoice=invoice["id"],
            invoice_type="out",
            type="line",
            company=ids.company,
            currency=ids.currency,
            account=product.revenue,
            unit_price=line.unit_price,
            taxes_deductible_rate=Decimal(1),
            correction=False,
            origin=f"sale.line,{sale_line['id']}",
        )
        invoice_lines.append((invoice_line, amount))
        rows.add("account_invoice_line-account_tax", line=invoice_line["id"], tax=ids.tax)
        rows.add(
            "account_invoice_line-stock_move",
            invoice_line=invoice_line["id"],
            stock_move=outgoing["id"],
        )
    tax = books.round(unrounded_tax)
    amounts = {
        "untaxed_amount_cache": untaxed,
        "tax_amount_cache": tax,
        "total_amount_cache": untaxed + tax,
    }
    sale.update(amounts)
    invoice_tax = rows.add(
        "account_invoice_tax",
        invoice=invoice["id"],
        tax=ids.tax,
        account=books.tax_account,
        description=books.tax_description,
        base=untaxed,
        amount=tax,
        manual=False,
    )
    return _Placed(demo, sale, shipment, moves, invoice, invoice_lines, invoice_tax, amounts)


def _ship(placed: _Placed, books: Books) -> None:
    day = placed.demo.shipped_on
    placed.shipment.update(
        state="done",
        effective_date=day,
        planned_date=day,
        picked_by=AUDIT_USER,
        packed_by=AUDIT_USER,
        done_by=AUDIT_USER,
    )
    for move in placed.moves:
        move.update(state="done", effective_date=day, planned_date=day)
        if "unit_price" in move:  # the outgoing move carries the cost of goods sold
            move["cost_price"] = books.cost_price(move["product"])


def _move(rows: TableRows, books: Books, day: date, journal: int, invoice: dict) -> dict:
    return rows.add(
        "account_move",
        company=books.ids.company,
        journal=journal,
        period=books.period(day),
        date=day,
        origin=f"account.invoice,{invoice['id']}",
        post_date=books.today,
        state="posted",
    )


def _line(rows: TableRows, move: dict, account: int, debit: Decimal, credit: Decimal, **more):
    return rows.add(
        "account_move_line",
        move=move["id"],
        account=account,
        debit=debit,
        credit=credit,
        state="valid",
        **more,
    )


def _post(rows: TableRows, books: Books, placed: _Placed, number: str) -> dict:
    """The posted invoice and its account move; returns the move to number."""
    invoice, day = placed.invoice, placed.demo.shipped_on
    move = _move(rows, books, day, books.revenue_journal, invoice)
    amounts = placed.amounts
    invoice.update(
        amounts,
        state="posted",
        invoice_date=day,
        number=number,
        number_alnum=number,
        number_digit=int(number),
        sequence=books.invoice_sequence(day),
        sequence_type_cache="invoice",
        posted_by=AUDIT_USER,
        move=move["id"],
    )
    zero = Decimal(0)
    for invoice_line, amount in placed.invoice_lines:
        origin = f"account.invoice.line,{invoice_line['id']}"
        line = _line(rows, move, invoice_line["account"], zero, amount, origin=origin)
        rows.add(
            "account_tax_line", move_line=line["id"], tax=books.ids.tax, type="base", amount=amount
        )
    tax = placed.invoice_tax
    line = _line(
        rows,
        move,
        books.tax_account,
        zero,
        tax["amount"],
        origin=f"account.invoice.tax,{tax['id']}",
        description=books.tax_description,
    )
    rows.add(
        "account_tax_line",
        move_line=line["id"],
        tax=books.ids.tax,
        type="tax",
        amount=tax["amount"],
    )
    party = invoice["party"]
    for maturity, amount in books.maturities(amounts["total_amount_cache"], day):
        placed.receivables.append(
            _line(
                rows,
                move,
                invoice["account"],
                amount,
                zero,
                party=books.party_on(invoice["account"], party),
                maturity_date=maturity,
            )
        )
    return move


def _pay(rows: TableRows, books: Books, placed: _Placed, day: date, amount: Decimal) -> dict:
    """A payment as `Invoice.pay_invoice` books it; returns the move to number."""
    invoice, zero = placed.invoice, Decimal(0)
    move = _move(rows, books, day, books.payment_journal, invoice)
    party, receivable = invoice["party"], invoice["account"]
    paid = _line(rows, move, receivable, zero, amount, party=books.party_on(receivable, party))
    cash = books.cash_account_on(day)
    _line(rows, move, cash, amount, zero, party=books.party_on(cash, party))
    rows.add("account_invoice-account_move_line", invoice=invoice["id"], line=paid["id"])
    placed.receivables.append(paid)
    placed.paid += amount
    return move


def _reconcile(rows: TableRows, books: Books, placed: _Placed, number: str, moves: dict) -> None:
    """Settled: the receivable and its payments reconciled, as `Line.reconcile` dates it."""
    day = max(
        d
        for line in placed.receivables
        for d in (line.get("maturity_date"), moves[line["move"]])
        if d
    )
    reconciliation = rows.add(
        "account_move_reconciliation", company=books.ids.company, date=day, number=number
    )
    for line in placed.receivables:
        line["reconciliation"] = reconciliation["id"]
    placed.invoice["state"] = "paid"


def _payment_amounts(placed: list[_Placed]) -> list[tuple[date, _Placed, Decimal, bool]]:
    """Every payment in date order with its amount, as erp_seed.record_payments makes it."""
    planned = []
    for one in placed:
        cumulative = Decimal(0)
        for payment in one.demo.payments:
            cumulative += payment.share
            planned.append((payment.on, one, payment.share, cumulative >= 1))
    planned.sort(key=lambda p: p[0])
    paid: dict[int, Decimal] = {}
    amounts = []
    for day, one, share, settles in planned:
        total = one.amounts["total_amount_cache"]
        key = one.invoice["id"]
        amount = total - paid.get(key, Decimal(0)) if settles else (total * share).quantize(1)
        paid[key] = paid.get(key, Decimal(0)) + amount
        amounts.append((day, one, amount, settles))
    return amounts


def _set_states(one: _Placed) -> None:
    shipped, settled = one.demo.shipped_on is not None, one.invoice["state"] == "paid"
    one.sale.update(
        state="done" if shipped and settled else "processing",
        shipment_state="sent" if shipped else "waiting",
        invoice_state="paid" if settled else "awaiting payment" if shipped else "pending",
    )


def seed_sales_bulk(dataset: DemoDataset, books: Books) -> dict[str, int]:
    """Write every demo sale's end state; returns the rows written per table."""
    rows = TableRows()
    placed = [_place(rows, books, sale) for sale in dataset.erp_sales]
    today = [books.today] * len(placed)
    for one, sale_no, shipment_no in zip(
        placed, books.numbers("sale", today), books.numbers("shipment", today), strict=True
    ):
        one.sale["number"], one.shipment["number"] = sale_no, shipment_no

    shipped = sorted((p for p in placed if p.demo.shipped_on), key=lambda p: p.demo.shipped_on)
    days = [p.demo.shipped_on for p in shipped]
    for one in shipped:
        _ship(one, books)
    invoice_moves = [
        _post(rows, books, one, number)
        for one, number in zip(shipped, books.numbers("invoice", days), strict=True)
    ]
    for move, number in zip(invoice_moves, books.numbers("move", days), strict=True):
        move["number"] = number

    payments = _payment_amounts(placed)
    pay_days = [day for day, *_ in payments]
    move_numbers = books.numbers("move", pay_days)
    move_dates = {m["id"]: m["date"] for m in invoice_moves}
    settled = []
    for (day, one, amount, settles), number in zip(payments, move_numbers, strict=True):
        move = _pay(rows, books, one, day, amount)
        move["number"], move_dates[move["id"]] = number, day
        if settles:
            settled.append((day, one))
    reconciliation_numbers = books.numbers("reconciliation", [day for day, _ in settled])
    for (_day, one), number in zip(settled, reconciliation_numbers, strict=True):
        _reconcile(rows, books, one, number, move_dates)
    for one in placed:
        _set_states(one)
    books.open_journal_periods({(m["journal"], m["period"]) for m in rows.rows("account_move")})
    return rows.write(INSERT_ORDER)
