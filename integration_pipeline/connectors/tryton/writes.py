"""Business writes to Tryton through its API, so that its rules run: parties, sales (quote →
confirm, which makes the shipment and the invoice), stock forecasts for planning.

Every write is idempotent by a key the caller chooses: a party by its code, a sale by its
`reference` (looked up before anything is created), a forecast by warehouse and period.
The credit-limit warning comes back as an outcome (`SaleStatus.ON_HOLD_CREDIT`), not a crash.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from integration_pipeline.connectors.tryton.forecast_writes import StockForecastWrites
from integration_pipeline.connectors.tryton.rpc import TrytonUserError, TrytonWarning
from integration_pipeline.connectors.tryton.session import TrytonSession

_SALE_FIELDS = ["reference", "number", "state", "shipment_state", "invoice_state", "party"]


@dataclass(frozen=True)
class AddressWrite:
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = "IR"


@dataclass(frozen=True)
class PartyWrite:
    code: str
    name: str
    active: bool = True
    contacts: tuple[tuple[str, str], ...] = ()  # (email|phone|mobile|website, value)
    address: AddressWrite | None = None
    national_id: str | None = None


@dataclass(frozen=True)
class SaleLineWrite:
    product_code: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class SaleWrite:
    reference: str  # "hubspot-deal:<id>": the idempotency key
    party_code: str
    sale_date: date
    lines: tuple[SaleLineWrite, ...]
    description: str | None = None
    # Set when the caller's stock policy says the sale must wait: it is quoted, not confirmed.
    hold_for_stock: str | None = None


class SaleStatus(StrEnum):
    SYNCED = "synced"
    ON_HOLD_CREDIT = "on_hold_credit"
    ON_HOLD_STOCK = "on_hold_stock"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SaleResult:
    reference: str
    status: SaleStatus
    sale_id: int | None = None
    number: str | None = None
    state: str | None = None
    shipment_state: str | None = None
    invoice_state: str | None = None
    created: bool = False
    message: str = ""


@dataclass
class TrytonWriter(StockForecastWrites):
    session: TrytonSession
    _party_ids: dict[str, int] = field(default_factory=dict)

    # -- lookups, read once per writer ------------------------------------------------------
    @cached_property
    def _countries(self) -> dict[str, int]:
        rows = self.session.model("country.country", "search_read", [], 0, None, None, ["code"])
        return {r["code"]: r["id"] for r in rows}

    @cached_property
    def _products(self) -> dict[str, dict[str, Any]]:
        """Salable products by code, with the unit and the customer taxes a sale line needs
        (Tryton takes them from the product's accounting category)."""
        rows = self.session.model(
            "product.product",
            "search_read",
            [["salable", "=", True]],
            0,
            None,
            None,
            ["code", "default_uom", "account_category"],
        )
        categories = sorted({r["account_category"] for r in rows if r["account_category"]})
        taxes = {
            c["id"]: c["customer_taxes"]
            for c in self.session.model("product.category", "read", categories, ["customer_taxes"])
        }
        return {
            r["code"]: {**r, "customer_taxes": taxes.get(r["account_category"], [])} for r in rows
        }

    def warehouse(self, code: str = "WH") -> int:
        (warehouse,) = self.session.model(
            "stock.location", "search", [["code", "=", code]], 0, 1, None
        )
        return warehouse

    # -- parties ----------------------------------------------------------------------------
    def find_parties(self, codes: list[str]) -> dict[str, int]:
        rows = self.session.model(
            "party.party",
            "search_read",
            [["code", "in", codes], ["active", "in", [True, False]]],
            0,
            None,
            None,
            ["code"],
        )
        found = {r["code"]: r["id"] for r in rows}
        self._party_ids.update(found)
        return found

    def upsert_parties(self, parties: list[PartyWrite]) -> dict[str, int]:
        """Create the parties whose code Tryton does not know (one batched call), update the
        name and active flag of the others, add contact values they lack. Returns code → id."""
        existing = self.find_parties([p.code for p in parties])
        new = [p for p in parties if p.code not in existing]
        if new:
            created = self.session.model(
                "party.party", "create", [self._party_values(p) for p in new]
            )
            self._party_ids.update({p.code: i for p, i in zip(new, created, strict=True)})
        for party in (p for p in parties if p.code in existing):
            self._update_party(existing[party.code], party)
        return {p.code: self._party_ids[p.code] for p in parties}

    def _party_values(self, party: PartyWrite) -> dict[str, Any]:
        values: dict[str, Any] = {"code": party.code, "name": party.name, "active": party.active}
        if party.contacts:
            mechanisms = [{"type": kind, "value": value} for kind, value in party.contacts]
            values["contact_mechanisms"] = [["create", mechanisms]]
        if party.address:
            values["addresses"] = [["create", [self._address_values(party.address)]]]
        if party.national_id:
            values["identifiers"] = [["create", [{"type": None, "code": party.national_id}]]]
        return values

    def _address_values(self, address: AddressWrite) -> dict[str, Any]:
        return {
            "street_unstructured": address.street,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": self._countries.get(address.country) if address.country else None,
        }

    def _update_party(self, party_id: int, party: PartyWrite) -> None:
        (current,) = self.session.model(
            "party.party", "read", [party_id], ["contact_mechanisms", "addresses"]
        )
        known = self.session.model(
            "party.contact_mechanism", "read", current["contact_mechanisms"], ["type", "value"]
        )
        have = {(m["type"], m["value"]) for m in known}
        values: dict[str, Any] = {"name": party.name, "active": party.active}
        if missing := [{"type": k, "value": v} for k, v in party.contacts if (k, v) not in have]:
            values["contact_mechanisms"] = [["create", missing]]
        if party.address and current["addresses"]:
            values["addresses"] = [
                ["write", current["addresses"][:1], self._address_values(party.address)]
            ]
        elif party.address:
            values["addresses"] = [["create", [self._address_values(party.address)]]]
        self.session.model("party.party", "write", [party_id], values)

    def deactivate_parties(self, codes: list[str]) -> dict[str, int]:
        """Set the parties inactive (Tryton keeps their history); returns code → id of those
        found. Deactivating an inactive party changes nothing."""
        found = self.find_parties(codes)
        if found:
            self.session.model("party.party", "write", sorted(found.values()), {"active": False})
        return found

    def update_party_names(self, names: dict[str, str]) -> dict[str, int]:
        """Rename parties by code, in one call; returns code → id of those found."""
        found = self.find_parties(list(names))
        pairs: list[Any] = []
        for code, party_id in found.items():
            pairs += [[party_id], {"name": names[code]}]
        if pairs:
            self.session.model("party.party", "write", *pairs)
        return found

    def replace_party(self, duplicate_id: int, kept_id: int) -> None:
        """Tryton's own party replacement: the duplicate's sales, invoices and other records
        move to the kept party, the duplicate is deactivated with `replaced_by` set. Tryton
        warns when names or tax ids differ (they do for duplicates typed differently); the
        caller decided they are one customer, so the warning is accepted."""
        wizard, _, _ = self.session.call("wizard.party.replace.create", self.session.context)
        data = {"ask": {"source": duplicate_id, "destination": kept_id}}
        try:
            for _ in range(3):  # one warning per similarity rule (name, tax identifier)
                try:
                    self.session.call(
                        "wizard.party.replace.execute",
                        wizard,
                        data,
                        "replace",
                        self.session.context,
                    )
                    return
                except TrytonWarning as warning:
                    self.session.accept_warning(warning.key)
            raise TrytonUserError("UserError", "the party replacement kept warning")
        finally:
            self.session.call("wizard.party.replace.delete", wizard, self.session.context)

    # -- sales ------------------------------------------------------------------------------
    def find_sales(self, references: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.session.model(
            "sale.sale",
            "search_read",
            [["reference", "in", references]],
            0,
            None,
            None,
            _SALE_FIELDS,
        )
        return {r["reference"]: r for r in rows}

    def place_sale(self, sale: SaleWrite) -> SaleResult:
        """Create (unless a sale with this reference exists), quote and confirm one sale."""
        return self.place_sales([sale])[0]

    def place_sales(self, sales: list[SaleWrite]) -> list[SaleResult]:
        """Like `place_sale` for many: one lookup, one batched create, one quote call, one
        confirm call; when the batch confirm meets a warning or an error, the sales of the
        batch are confirmed one by one so that each gets its own outcome."""
        existing = self.find_sales([s.reference for s in sales])
        refused: dict[str, SaleResult] = {}
        new = []
        for sale in sales:
            if sale.reference in existing:
                continue
            try:
                new.append((sale, self._sale_values(sale)))
            except LookupError as error:
                refused[sale.reference] = SaleResult(
                    sale.reference, SaleStatus.REJECTED, message=str(error)
                )
        created_ids: dict[str, int] = {}
        if new:
            ids = self.session.model("sale.sale", "create", [values for _, values in new])
            created_ids = {s.reference: i for (s, _), i in zip(new, ids, strict=True)}
        sale_ids = {**{r: row["id"] for r, row in existing.items()}, **created_ids}
        to_quote = [sale_ids[r] for r, row in existing.items() if row["state"] == "draft"]
        to_quote += list(created_ids.values())
        to_confirm = to_quote + [
            sale_ids[r] for r, row in existing.items() if row["state"] == "quotation"
        ]
        # Held for stock: quoted, not confirmed (a sale confirmed already stays as it is).
        messages: dict[int, tuple[SaleStatus, str]] = {
            sale_ids[s.reference]: (SaleStatus.ON_HOLD_STOCK, s.hold_for_stock)
            for s in sales
            if s.hold_for_stock and sale_ids.get(s.reference) in to_confirm
        }
        to_confirm = [i for i in to_confirm if i not in messages]
        if to_quote:
            messages.update(self._press("quote", to_quote))
        pending = [i for i in to_confirm if i not in messages]  # a refused quote: no confirm
        if pending:
            messages.update(self._press("confirm", pending))
        return self._results(sales, sale_ids, set(created_ids.values()), messages, refused)

    def _press(self, button: str, sale_ids: list[int]) -> dict[int, tuple[SaleStatus, str]]:
        """Press a sale button for all ids at once; when Tryton refuses, press it per id to
        learn which ones it refuses. Returns the refused ids with their outcome."""
        try:
            self.session.model("sale.sale", button, sale_ids)
            return {}
        except (TrytonWarning, TrytonUserError) as refusal:
            if len(sale_ids) == 1:
                return {sale_ids[0]: _outcome(refusal)}
        refused: dict[int, tuple[SaleStatus, str]] = {}
        for sale_id in sale_ids:
            refused.update(self._press(button, [sale_id]))
        return refused

    def _results(
        self,
        sales: list[SaleWrite],
        sale_ids: dict[str, int],
        created: set[int],
        messages: dict[int, tuple[SaleStatus, str]],
        refused: dict[str, SaleResult],
    ) -> list[SaleResult]:
        rows = {}
        if sale_ids:
            read = self.session.model("sale.sale", "read", list(sale_ids.values()), _SALE_FIELDS)
            rows = {r["id"]: r for r in read}
        results = []
        for sale in sales:
            if sale.reference in refused:
                results.append(refused[sale.reference])
                continue
            row = rows[sale_ids[sale.reference]]
            status, message = messages.get(row["id"], (SaleStatus.SYNCED, ""))
            if row["state"] == "cancelled":
                status, message = SaleStatus.REJECTED, "the ERP sale was cancelled"
            results.append(
                SaleResult(
                    reference=sale.reference,
                    status=status,
                    sale_id=row["id"],
                    number=row["number"],
                    state=row["state"],
                    shipment_state=row["shipment_state"],
                    invoice_state=row["invoice_state"],
                    created=row["id"] in created,
                    message=message,
                )
            )
        return results

    def _sale_values(self, sale: SaleWrite) -> dict[str, Any]:
        party_id = self._party_ids.get(sale.party_code) or self.find_parties([sale.party_code]).get(
            sale.party_code
        )
        if party_id is None:
            raise LookupError(f"no ERP party with code {sale.party_code!r}")
        lines = []
        for line in sale.lines:
            product = self._products.get(line.product_code)
            if product is None:
                raise LookupError(f"no salable ERP product with code {line.product_code!r}")
            # Over RPC no on-change runs: unit, price and taxes go explicitly.
            lines.append(
                {
                    "type": "line",
                    "product": product["id"],
                    "quantity": float(line.quantity),
                    "unit": product["default_uom"],
                    "unit_price": line.unit_price,
                    "taxes": [["add", product["customer_taxes"]]],
                }
            )
        (party,) = self.session.model("party.party", "read", [party_id], ["addresses"])
        if not party["addresses"]:
            raise LookupError(f"ERP party {sale.party_code!r} has no address to ship to")
        address = party["addresses"][0]
        values: dict[str, Any] = {
            "party": party_id,
            "invoice_address": address,
            "shipment_address": address,
            "sale_date": sale.sale_date,
            "reference": sale.reference,
            "lines": [["create", lines]],
        }
        if sale.description:
            values["description"] = sale.description
        return values

    # -- planning ---------------------------------------------------------------------------


def _outcome(refusal: TrytonWarning | TrytonUserError) -> tuple[SaleStatus, str]:
    # Tryton's credit-limit warning is the one refusal a payment can clear by itself.
    # Its key ends with the field name whatever the user's language.
    if isinstance(refusal, TrytonWarning) and refusal.key.endswith("credit_limit_amount"):
        return SaleStatus.ON_HOLD_CREDIT, refusal.message
    return SaleStatus.REJECTED, f"{refusal.kind}: {refusal.message}"
