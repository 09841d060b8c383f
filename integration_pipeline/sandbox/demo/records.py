"""The demo dataset's record types: plain, frozen data with no behaviour."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DEFAULT_ORDERS_PER_YEAR = 1.5


@dataclass(frozen=True)
class DemoConfig:
    seed: int = 42
    customers: int = 200
    products: int = 30
    as_of: date = field(default_factory=lambda: date.today().replace(day=1))
    history_days: int = 730
    # A customer's buying pace is drawn around this median (orders a year); the benchmarks
    # raise it for an order history denser than the demo's.
    orders_per_year: float = DEFAULT_ORDERS_PER_YEAR


@dataclass(frozen=True)
class TrueCustomer:
    """One real-world customer: the ground truth the dirty records are made from."""

    entity_id: str
    kind: str  # company | person
    locale: str  # fa | en
    name: str
    first_name: str | None
    last_name: str | None
    email: str
    phone: str  # E.164
    street: str
    city: str
    postal_code: str
    country: str
    national_id: str  # person: کد ملی; company: شناسه ملی
    birth_date: date | None
    acquired_on: date
    in_crm: bool
    in_erp: bool
    churned: bool


@dataclass(frozen=True)
class CrmRecord:
    """A CRM object as the HubSpot sandbox stores it: string properties, numeric string id."""

    object_type: str
    id: str
    properties: dict[str, str]
    associations: tuple[tuple[str, str], ...] = ()  # (to object type, to id)


@dataclass(frozen=True)
class ErpParty:
    code: str
    name: str
    kind: str
    contacts: tuple[tuple[str, str], ...]  # (type email|phone|mobile, value as typed)
    street: str | None
    city: str | None
    postal_code: str | None
    country: str
    national_id: str | None
    credit_limit: Decimal | None
    active: bool = True


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    list_price: Decimal
    cost_price: Decimal
    initial_stock: int
    final_on_hand: int


@dataclass(frozen=True)
class SaleLine:
    product_code: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Payment:
    on: date
    share: Decimal  # of the invoice total; the shares of one invoice sum to at most 1


@dataclass(frozen=True)
class ErpSale:
    key: str
    party_code: str
    sale_date: date
    lines: tuple[SaleLine, ...]
    shipped_on: date | None
    payments: tuple[Payment, ...]
    reference: str | None = None  # "hubspot-deal:<id>" when a CRM deal was won for it


@dataclass(frozen=True)
class MarketingSpend:
    month: date
    channel: str
    amount: Decimal


@dataclass(frozen=True)
class GroundTruth:
    system: str  # crm | erp
    object_type: str  # companies | contacts | party
    record_id: str
    entity_id: str


@dataclass
class DemoDataset:
    config: DemoConfig
    currency: str
    customers: list[TrueCustomer]
    crm: list[CrmRecord]
    erp_parties: list[ErpParty]
    products: list[DemoProduct]
    erp_sales: list[ErpSale]
    marketing_spend: list[MarketingSpend]
    ground_truth: list[GroundTruth]
