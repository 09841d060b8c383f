"""What the bulk seeding needs to know of the books, read once through Tryton's ORM.

Accounts, journals, locations, periods and sequences come from the records the company
setup made, asked the way Tryton's own business methods ask (`account_receivable_used`,
`Period.find`, `Invoice._number_sequence`), so the bulk rows point where the ORM's would.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from trytond.pool import Pool
from trytond.transaction import Transaction

from integration_pipeline.sandbox.tryton.business_setup import BusinessIds


@dataclass(frozen=True)
class PartyBooks:
    id: int
    address: int
    receivable: int
    customer_location: int


@dataclass(frozen=True)
class ProductBooks:
    id: int
    revenue: int
    cost_price: Decimal


class Books:
    """The company's reference records and numbering, for one seeding transaction."""

    def __init__(self, ids: BusinessIds, parties: dict[str, int], products: dict[str, int]):
        pool = Pool()
        self.ids = ids
        self.today: date = pool.get("ir.date").today()
        company = pool.get("company.company")(ids.company)
        self._company = company
        self._currency = company.currency
        tax = pool.get("account.tax")(ids.tax)
        self.tax_rate: Decimal = tax.rate
        self.tax_account: int = tax.invoice_account.id
        self.tax_description: str = tax.description
        warehouse = pool.get("stock.location")(ids.warehouse)
        self.output: int = warehouse.output_location.id
        self.storage: int = warehouse.storage_location.id
        method = pool.get("account.invoice.payment.method")(ids.payment_method)
        self.payment_journal: int = method.journal.id
        self.cash_account = method.debit_account
        probe = pool.get("account.invoice")(type="out", company=company)
        probe.set_journal()
        self.revenue_journal: int = probe.journal.id
        self._term = pool.get("account.invoice.payment_term")(ids.payment_term)
        self.parties = {
            party.code: PartyBooks(
                party.id,
                party.addresses[0].id,
                party.account_receivable_used.id,
                party.customer_location.id,
            )
            for party in pool.get("party.party").browse(list(parties.values()))
        }
        self.products = {
            product.code: ProductBooks(
                product.id, product.account_revenue_used.id, product.cost_price
            )
            for product in pool.get("product.product").browse(list(products.values()))
        }
        self._cost_prices = {p.id: p.cost_price for p in self.products.values()}
        self._party_required = cache(
            lambda account: pool.get("account.account")(account).party_required
        )
        self._sequences = _Sequences(company)

    def cost_price(self, product: int) -> Decimal:
        return self._cost_prices[product]

    def invoice_sequence(self, day: date) -> int:
        return self._sequences.invoice_sequence(day).id

    def round(self, amount: Decimal) -> Decimal:
        return self._currency.round(amount)

    def party_on(self, account: int, party: int) -> int | None:
        """The party a move line carries: only on accounts that require one."""
        return party if self._party_required(account) else None

    def cash_account_on(self, day: date) -> int:
        return self.cash_account.current(date=day).id

    def maturities(self, total: Decimal, day: date) -> list[tuple[date, Decimal]]:
        return self._term.compute(total, self._currency, day)

    def period(self, day: date) -> int:
        return self._sequences.period(day).id

    def open_journal_periods(self, used: set[tuple[int, int]]) -> None:
        """Open the journal periods the moves are in, as posting a move through the ORM
        does (Move.check_journal_period_modify)."""
        JournalPeriod = Pool().get("account.journal.period")
        existing = {(jp.journal.id, jp.period.id) for jp in JournalPeriod.search([])}
        JournalPeriod.create(
            [{"journal": j, "period": p, "state": "open"} for j, p in sorted(used - existing)]
        )

    def numbers(self, kind: str, days: list[date]) -> list[str]:
        """Numbers for records of `kind` dated `days`, in order, from Tryton's sequences
        (which store where they stand, as when the ORM numbers a record)."""
        return list(self._sequences.numbers(kind, days))


class _Sequences:
    def __init__(self, company: Any) -> None:
        pool = Pool()
        self._company = company
        self._fixed = {
            "sale": pool.get("sale.configuration")(1).get_multivalue(
                "sale_sequence", company=company.id
            ),
            "shipment": pool.get("stock.configuration")(1).get_multivalue(
                "shipment_out_sequence", company=company.id
            ),
            "reconciliation": pool.get("account.configuration")(1).get_multivalue(
                "reconciliation_sequence", company=company.id
            ),
        }
        self.period = cache(lambda day: pool.get("account.period").find(company, date=day))
        self.invoice_sequence = cache(self._find_invoice_sequence)

    def _find_invoice_sequence(self, day: date) -> Any:
        invoice = Pool().get("account.invoice")(
            type="out",
            company=self._company,
            invoice_date=day,
            accounting_date=None,
            sequence_type_cache="invoice",
        )
        return invoice._number_sequence()[0]

    def _sequence(self, kind: str, day: date) -> Any:
        if kind in self._fixed:
            return self._fixed[kind]
        if kind == "invoice":
            return self.invoice_sequence(day)
        if kind == "move":
            return self.period(day).move_sequence_used
        raise ValueError(f"no sequence for {kind!r}")

    def numbers(self, kind: str, days: list[date]) -> Iterator[str]:
        # One get_many per run of the same sequence keeps Tryton's order across years.
        index = 0
        while index < len(days):
            sequence = self._sequence(kind, days[index])
            end = index + 1
            while end < len(days) and self._sequence(kind, days[end]) == sequence:
                end += 1
            with Transaction().set_context(date=days[index]):
                yield from sequence.get_many(end - index)
            index = end
