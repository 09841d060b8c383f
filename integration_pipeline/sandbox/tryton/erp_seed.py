"""Loads the demo dataset into Tryton through Tryton's own business methods.

Sales are quoted and confirmed (Tryton makes the shipment and the invoice), shipments go
through assign → pick → pack → done on their dates, invoices are posted in date order and
paid through `Invoice.pay_invoice` as the pay wizard does. Calls are batched per model
method (200 records a call); even so Tryton's per-record business logic costs about 0.36 s
a sale on this machine (bench/results/sandbox_up.json).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError
from trytond.worker import run_task

from integration_pipeline.batching import batched
from integration_pipeline.sandbox.demo.records import DemoDataset, ErpParty, ErpSale
from integration_pipeline.sandbox.tryton.bulk_books import Books
from integration_pipeline.sandbox.tryton.bulk_seed import seed_sales_bulk
from integration_pipeline.sandbox.tryton.business_setup import BusinessIds

T = TypeVar("T")
BATCH = 200
SKIPPED_TASKS = frozenset({"print_invoice"})
Progress = Callable[[str], None]


class TransactionRunner:
    """Runs units of work in their own committed transaction, as Tryton's dispatcher does.

    Tryton asks for table or record locks by raising a TransactionError that says what to
    lock; the dispatcher then restarts the transaction holding them. Record locks are widened
    to table locks here: the seeding is the only writer, and it saves a restart per batch.
    """

    def __init__(self, database: str, user: int, context: dict[str, Any]) -> None:
        # History is entered after the fact: today's credit limits and "payment date in the
        # past" warnings do not apply to it, so the seeding answers them as a clerk would.
        self.database, self.user = database, user
        self.context = {**context, "_skip_warnings": True}
        self.lock_tables: list[str] = []

    def run(self, work: Callable[[], T]) -> T:
        while True:
            try:
                with Transaction().start(
                    self.database, self.user, context=self.context, _lock_tables=self.lock_tables
                ) as transaction:
                    result = work()
                    transaction.commit()
                    transaction.tasks.clear()
            except TransactionError as error:
                extras: dict[str, Any] = {}
                error.fix(extras)
                tables = extras.get("_lock_tables", []) + list(extras.get("_lock_records", {}))
                self.lock_tables.extend(t for t in tables if t not in self.lock_tables)
                continue
            self._run_queued()
            return result

    def _run_queued(self) -> None:
        """Run queued follow-ups (a confirmed sale's processing) after the commit, as the
        server does when no queue worker is configured, until none is left: a task may queue
        another (a paid invoice queues its sale's processing). Invoice PDFs are not
        rendered: a posted invoice renders its report the first time it is printed."""
        pool = Pool(self.database)
        while True:
            with Transaction().start(self.database, 0) as transaction:
                Queue = pool.get("ir.queue")
                pending = Queue.search([("dequeued_at", "=", None)], order=[("id", "ASC")])
                skipped = [q for q in pending if q.data.get("method") in SKIPPED_TASKS]
                Queue.delete(skipped)
                transaction.commit()
                runnable = [q.id for q in pending if q not in skipped]
            if not runnable:
                return
            for task_id in runnable:
                run_task(pool, task_id)


def _party_values(party: ErpParty, ids: BusinessIds) -> dict[str, Any]:
    # Values as the clerk typed them: Tryton checks phones (with phonenumbers) but checks
    # e-mails only when email-validator is installed, which it is not here.
    mechanisms = [{"type": kind, "value": value} for kind, value in party.contacts]
    address = {
        "street_unstructured": party.street,
        "city": party.city,
        "postal_code": party.postal_code,
        "country": ids.countries[party.country],
    }
    values: dict[str, Any] = {
        "name": party.name,
        "code": party.code,
        "active": party.active,
        "addresses": [("create", [address])],
        "contact_mechanisms": [("create", mechanisms)],
    }
    if party.national_id:
        values["identifiers"] = [("create", [{"type": None, "code": party.national_id}])]
    if party.credit_limit is not None:
        values["credit_limit_amount"] = party.credit_limit
    return values


def seed_parties(
    dataset: DemoDataset, ids: BusinessIds, runner: TransactionRunner
) -> dict[str, int]:
    def create(chunk: list[ErpParty]) -> dict[str, int]:
        created = Pool().get("party.party").create([_party_values(p, ids) for p in chunk])
        return {p.code: c.id for p, c in zip(chunk, created, strict=True)}

    party_ids: dict[str, int] = {}
    for chunk in batched(dataset.erp_parties, BATCH):
        party_ids.update(runner.run(lambda chunk=chunk: create(chunk)))
    return party_ids


def seed_products(dataset: DemoDataset, ids: BusinessIds) -> dict[str, int]:
    """Products and their opening inventory (run inside one transaction)."""
    pool = Pool()
    Template, Inventory = pool.get("product.template"), pool.get("stock.inventory")
    templates = Template.create(
        [
            {
                "name": p.name,
                "code": p.code,
                "type": "goods",
                "salable": True,
                "default_uom": ids.unit,
                "sale_uom": ids.unit,
                "list_price": p.list_price,
                "account_category": ids.category,
                "products": [("create", [{"cost_price": p.cost_price}])],
            }
            for p in dataset.products
        ]
    )
    product_ids = {t.code: t.products[0].id for t in templates}
    start = dataset.config.as_of.toordinal() - dataset.config.history_days - 1
    (inventory,) = Inventory.create(
        [
            {
                "location": ids.storage,
                "date": date.fromordinal(start),
                "company": ids.company,
                "lines": [
                    (
                        "create",
                        [
                            {"product": product_ids[p.code], "quantity": float(p.initial_stock)}
                            for p in dataset.products
                            if p.initial_stock
                        ],
                    )
                ],
            }
        ]
    )
    Inventory.confirm([inventory])
    return product_ids


def _sale_values(sale: ErpSale, party: Any, ids: BusinessIds, products: dict[str, int]) -> dict:
    address = party.addresses[0].id
    return {
        "company": ids.company,
        "currency": ids.currency,
        "party": party.id,
        "invoice_address": address,
        "shipment_address": address,
        "warehouse": ids.warehouse,
        "payment_term": ids.payment_term,
        "sale_date": sale.sale_date,
        "reference": sale.reference,
        "description": f"demo {sale.key}",
        "lines": [
            (
                "create",
                [
                    {
                        "type": "line",
                        "product": products[line.product_code],
                        "quantity": float(line.quantity),
                        "unit": ids.unit,
                        "unit_price": line.unit_price,
                        "taxes": [("add", [ids.tax])],
                    }
                    for line in sale.lines
                ],
            )
        ],
    }


def _sell(
    chunk: list[ErpSale], ids: BusinessIds, parties: dict[str, int], products: dict[str, int]
) -> dict[str, int]:
    pool = Pool()
    Sale, Party = pool.get("sale.sale"), pool.get("party.party")
    by_id = {p.id: p for p in Party.browse(sorted({parties[s.party_code] for s in chunk}))}
    sales = Sale.create(
        [_sale_values(s, by_id[parties[s.party_code]], ids, products) for s in chunk]
    )
    Sale.quote(sales)
    Sale.confirm(sales)
    return {s.key: r.id for s, r in zip(chunk, sales, strict=True)}


def _ship(chunk: list[ErpSale], sale_ids: dict[str, int]) -> None:
    pool = Pool()
    Sale, Shipment = pool.get("sale.sale"), pool.get("stock.shipment.out")
    by_day: dict[date, list[Any]] = {}
    for demo_sale in chunk:
        sale = Sale(sale_ids[demo_sale.key])
        if sale.state != "processing":
            raise RuntimeError(
                f"sale {demo_sale.key} is {sale.state!r} after confirm, not processing"
            )
        if demo_sale.shipped_on:
            by_day.setdefault(demo_sale.shipped_on, []).extend(sale.shipments)
    if not by_day:
        return
    dated: list[Any] = []
    for day, shipments in by_day.items():
        dated += [shipments, {"effective_date": day, "planned_date": day}]
    Shipment.write(*dated)
    # Each shipment's moves take the shipment's effective date when done.
    shipments = [s for day_shipments in by_day.values() for s in day_shipments]
    Shipment.assign_force(shipments)
    Shipment.pick(shipments)
    Shipment.pack(shipments)
    Shipment.do(shipments)


def seed_sales(
    dataset: DemoDataset,
    ids: BusinessIds,
    parties: dict[str, int],
    products: dict[str, int],
    runner: TransactionRunner,
    progress: Progress,
) -> dict[str, int]:
    sale_ids: dict[str, int] = {}
    total = len(dataset.erp_sales)
    for number, chunk in enumerate(batched(dataset.erp_sales, BATCH), start=1):
        sale_ids.update(runner.run(lambda chunk=chunk: _sell(chunk, ids, parties, products)))
        runner.run(lambda chunk=chunk: _ship(chunk, sale_ids))
        progress(f"sales {min(number * BATCH, total)}/{total} confirmed and shipped")
    return sale_ids


def _post(chunk: list[ErpSale], sale_ids: dict[str, int]) -> None:
    pool = Pool()
    Sale, Invoice = pool.get("sale.sale"), pool.get("account.invoice")
    sales = Sale.browse([sale_ids[s.key] for s in chunk])
    to_write: list[Any] = []
    for demo_sale, sale in zip(chunk, sales, strict=True):
        to_write += [list(sale.invoices), {"invoice_date": demo_sale.shipped_on}]
    Invoice.write(*to_write)
    Invoice.post([i for sale in sales for i in sale.invoices])


def post_invoices(
    dataset: DemoDataset, sale_ids: dict[str, int], runner: TransactionRunner, progress: Progress
) -> None:
    # Invoice numbers come from a strict sequence that must follow the invoice dates.
    shipped = sorted((s for s in dataset.erp_sales if s.shipped_on), key=lambda s: s.shipped_on)
    for number, chunk in enumerate(batched(shipped, BATCH), start=1):
        runner.run(lambda chunk=chunk: _post(chunk, sale_ids))
        progress(f"invoices {min(number * BATCH, len(shipped))}/{len(shipped)} posted")


def _pay(
    chunk: list[tuple[date, Decimal, Decimal, str]], payment_method: int, sale_ids: dict[str, int]
) -> None:
    pool = Pool()
    Sale, Line = pool.get("sale.sale"), pool.get("account.move.line")
    method = pool.get("account.invoice.payment.method")(payment_method)
    for day, share, cumulative, key in chunk:
        (invoice,) = Sale(sale_ids[key]).invoices
        settles = cumulative >= 1
        amount = invoice.amount_to_pay if settles else (invoice.total_amount * share).quantize(1)
        invoice.pay_invoice(amount, method, day)
        if settles:
            invoice = pool.get("account.invoice")(invoice.id)
            Line.reconcile(list(invoice.lines_to_pay) + list(invoice.payment_lines))


def record_payments(
    dataset: DemoDataset,
    ids: BusinessIds,
    sale_ids: dict[str, int],
    runner: TransactionRunner,
    progress: Progress,
) -> None:
    planned = []
    for sale in dataset.erp_sales:
        cumulative = Decimal(0)
        for payment in sale.payments:
            cumulative += payment.share
            planned.append((payment.on, payment.share, cumulative, sale.key))
    planned.sort(key=lambda p: p[0])
    for number, chunk in enumerate(batched(planned, BATCH), start=1):
        runner.run(lambda chunk=chunk: _pay(chunk, ids.payment_method, sale_ids))
        progress(f"payments {min(number * BATCH, len(planned))}/{len(planned)} recorded")


def seed(
    dataset: DemoDataset,
    ids: BusinessIds,
    runner: TransactionRunner,
    progress: Progress,
    bulk: bool = False,
) -> dict[str, int]:
    """Load everything; returns counts of what Tryton now holds.

    Parties and products always go through the ORM; with `bulk` the sales, shipments,
    invoices and payments are written as rows (bulk_seed.py), proved equal by a test.
    """
    parties = seed_parties(dataset, ids, runner)
    progress(f"parties {len(parties)} created")
    products = runner.run(lambda: seed_products(dataset, ids))
    progress(f"products {len(products)} created with their opening inventory")
    if bulk:
        # One transaction; Tryton may restart it once to lock the strict sequences.
        written = runner.run(lambda: seed_sales_bulk(dataset, Books(ids, parties, products)))
        sales = written.get("sale_sale", 0)
        progress(
            f"sales {sales}, shipments {written.get('stock_shipment_out', 0)}, account moves "
            f"{written.get('account_move', 0)} written as rows (bulk seeding)"
        )
    else:
        sale_ids = seed_sales(dataset, ids, parties, products, runner, progress)
        post_invoices(dataset, sale_ids, runner, progress)
        record_payments(dataset, ids, sale_ids, runner, progress)
        sales = len(sale_ids)
    return {"parties": len(parties), "products": len(products), "sales": sales}
