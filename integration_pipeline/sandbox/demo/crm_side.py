"""The CRM side of the demo: companies, contacts, products, deals and line items.

Ids follow HubSpot's shape (numeric strings); each object type has its own range so a test
reading an id knows what it is.
"""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from integration_pipeline.sandbox.demo import dirt
from integration_pipeline.sandbox.demo.records import (
    CrmRecord,
    DemoConfig,
    DemoProduct,
    ErpSale,
    TrueCustomer,
)

ID_BASE = {
    "companies": 10_000_000,
    "contacts": 20_000_000,
    "deals": 30_000_000,
    "line_items": 40_000_000,
    "products": 50_000_000,
}
OWNER_IDS = ["101", "102", "103", "104", "105"]
OPEN_STAGES = [
    ("appointmentscheduled", "0.2"),
    ("qualifiedtobuy", "0.4"),
    ("presentationscheduled", "0.6"),
    ("decisionmakerboughtin", "0.8"),
    ("contractsent", "0.9"),
]


def iso(day: date) -> str:
    """HubSpot's datetime format: UTC, milliseconds, Z."""
    return (
        datetime.combine(day, time(9, 0), UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class CrmBuilder:
    def __init__(self, config: DemoConfig, rng: random.Random) -> None:
        self.config = config
        self.rng = rng
        self.records: list[CrmRecord] = []
        self._counters = dict.fromkeys(ID_BASE, 0)
        self._emails: set[str] = set()  # HubSpot keeps contact e-mails unique (case-blind)

    def next_id(self, object_type: str) -> str:
        self._counters[object_type] += 1
        return str(ID_BASE[object_type] + self._counters[object_type])

    def add(
        self,
        object_type: str,
        properties: dict[str, str],
        associations: tuple[tuple[str, str], ...] = (),
    ) -> str:
        record_id = self.next_id(object_type)
        self.records.append(CrmRecord(object_type, record_id, properties, associations))
        return record_id

    def _phone(self, customer: TrueCustomer) -> str:
        if customer.phone.startswith("+98"):
            return dirt.iran_phone_variant(customer.phone, self.rng)
        return customer.phone

    def _text(self, customer: TrueCustomer, text: str) -> str:
        variant = (
            dirt.persian_text_variant if customer.locale == "fa" else dirt.english_text_variant
        )
        return variant(text, self.rng)

    def _email(self, customer: TrueCustomer) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return ""
        if roll < 0.09:
            email = dirt.invalid_email(customer.email, self.rng)
        else:
            email = dirt.email_variant(customer.email, self.rng)
        if email.strip().lower() in self._emails:
            # The CRM refuses a second contact with the same e-mail: the second rep left it
            # out, or typed a slip of the finger.
            email = "" if self.rng.random() < 0.5 else dirt.typo_email(customer.email, self.rng)
            if email.strip().lower() in self._emails:
                email = ""
        if email:
            self._emails.add(email.strip().lower())
        return email

    def customer_records(self, customer: TrueCustomer, lifecycle: str) -> list[tuple[str, str]]:
        """The CRM records of one customer: [(object type, id)] that stand for it."""
        rng = self.rng
        created = iso(customer.acquired_on - timedelta(days=rng.randrange(5, 90)))
        common = {
            "city": self._text(customer, customer.city),
            "address": self._text(customer, customer.street) if rng.random() > 0.1 else "",
            "zip": customer.postal_code if rng.random() > 0.1 else "",
            "country": customer.country,
            "phone": self._phone(customer) if rng.random() > 0.08 else "",
            "lifecyclestage": lifecycle,
            "hubspot_owner_id": rng.choice(OWNER_IDS),
            "createdate": created,
            "ir_national_id": dirt.digits_variant(customer.national_id, rng)
            if rng.random() < 0.5
            else "",
        }
        if customer.kind == "company":
            company_id = self.add(
                "companies",
                {
                    **common,
                    "name": self._text(customer, customer.name),
                    "domain": customer.email.split("@")[1],
                },
            )
            # The person sales talk to at the company: not a customer record of its own.
            self.add(
                "contacts",
                {
                    "firstname": "",
                    "lastname": "",
                    "email": self._email(customer),
                    "lifecyclestage": lifecycle,
                    "createdate": created,
                    "hubspot_owner_id": common["hubspot_owner_id"],
                },
                (("companies", company_id),),
            )
            return [("companies", company_id)]
        contact_id = self.add(
            "contacts",
            {
                **common,
                "firstname": self._text(customer, customer.first_name or ""),
                "lastname": self._text(customer, customer.last_name or ""),
                "email": self._email(customer),
                "date_of_birth": customer.birth_date.isoformat() if customer.birth_date else "",
            },
        )
        return [("contacts", contact_id)]

    def deal(
        self,
        owner_record: tuple[str, str],
        name: str,
        stage: str,
        probability: str,
        close: date,
        created: date,
        lines: list[tuple[DemoProduct, int, Decimal]],
        product_ids: dict[str, str],
    ) -> str:
        amount = sum((price * qty for _, qty, price in lines), Decimal(0))
        deal_id = self.add(
            "deals",
            {
                "dealname": name,
                "pipeline": "default",
                "dealstage": stage,
                "hs_deal_stage_probability": probability,
                "amount": str(amount),
                "deal_currency_code": "IRR",
                "closedate": iso(close),
                "createdate": iso(created),
                "hubspot_owner_id": self.rng.choice(OWNER_IDS),
            },
            (owner_record,),
        )
        for product, qty, price in lines:
            self.add(
                "line_items",
                {
                    "name": product.name,
                    "hs_product_id": product_ids[product.code],
                    "hs_sku": product.code,
                    "quantity": str(qty),
                    "price": str(price),
                    "amount": str(price * qty),
                },
                (("deals", deal_id),),
            )
        return deal_id


def build_crm(
    config: DemoConfig,
    rng: random.Random,
    customers: list[TrueCustomer],
    products: list[DemoProduct],
    sales_by_entity: dict[str, list[ErpSale]],
) -> tuple[list[CrmRecord], dict[str, list[tuple[str, str]]], dict[str, str]]:
    """CRM records, the CRM records of each entity, and deal references for ERP sales."""
    crm = CrmBuilder(config, rng)
    product_ids = {
        p.code: crm.add("products", {"name": p.name, "hs_sku": p.code, "price": str(p.list_price)})
        for p in products
    }
    by_code = {p.code: p for p in products}
    records_of: dict[str, list[tuple[str, str]]] = {}
    sale_references: dict[str, str] = {}
    for customer in (c for c in customers if c.in_crm):
        sales = sales_by_entity.get(customer.entity_id, [])
        lifecycle = "customer" if sales else rng.choice(["lead", "opportunity"])
        records = crm.customer_records(customer, lifecycle)
        if rng.random() < 0.05:  # a second rep typed the same customer in again
            records += crm.customer_records(customer, lifecycle)
        records_of[customer.entity_id] = records
        owner = records[0]
        for sale in sales:
            if rng.random() < 0.6:  # won deals entered before the integration existed
                lines = [
                    (by_code[line.product_code], line.quantity, line.unit_price)
                    for line in sale.lines
                ]
                deal_id = crm.deal(
                    owner,
                    f"Order {sale.key}",
                    "closedwon",
                    "1.0",
                    sale.sale_date,
                    sale.sale_date - timedelta(days=20),
                    lines,
                    product_ids,
                )
                sale_references[sale.key] = f"hubspot-deal:{deal_id}"
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            stage, probability = rng.choice(OPEN_STAGES)
            picked = rng.sample(products, k=rng.randrange(1, 3))
            lines = [(p, rng.randrange(1, 8), p.list_price) for p in picked]
            created = config.as_of - timedelta(days=rng.randrange(5, 90))
            close = config.as_of + timedelta(days=rng.randrange(1, 120))
            crm.deal(
                owner,
                f"Opportunity {customer.entity_id}",
                stage,
                probability,
                close,
                created,
                lines,
                product_ids,
            )
        if rng.random() < 0.3:
            lost_on = config.as_of - timedelta(days=rng.randrange(10, config.history_days))
            picked = [(rng.choice(products), rng.randrange(1, 5), Decimal(0))]
            lines = [(p, q, p.list_price) for p, q, _ in picked]
            crm.deal(
                owner,
                f"Lost {customer.entity_id}",
                "closedlost",
                "0.0",
                lost_on,
                lost_on - timedelta(days=30),
                lines,
                product_ids,
            )
    return crm.records, records_of, sale_references


def attach_references(sales: list[ErpSale], references: dict[str, str]) -> list[ErpSale]:
    return [replace(s, reference=references.get(s.key)) for s in sales]
