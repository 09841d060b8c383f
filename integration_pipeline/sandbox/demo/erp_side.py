"""The ERP side of the demo: products, parties as ERP users typed them, two years of sales."""

import math
import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from integration_pipeline.sandbox.demo import dirt
from integration_pipeline.sandbox.demo.records import (
    DemoConfig,
    DemoProduct,
    ErpParty,
    ErpSale,
    Payment,
    SaleLine,
    TrueCustomer,
)

PRODUCT_NAMES = [
    ("پمپ صنعتی", "Industrial pump"),
    ("شیر کنترل", "Control valve"),
    ("کابل برق", "Power cable"),
    ("موتور الکتریکی", "Electric motor"),
    ("تابلو برق", "Switchboard"),
    ("لوله فولادی", "Steel pipe"),
    ("فیلتر هوا", "Air filter"),
    ("گیربکس", "Gearbox"),
    ("سنسور دما", "Temperature sensor"),
    ("اینورتر", "Inverter"),
    ("کمپرسور", "Compressor"),
    ("بلبرینگ", "Bearing"),
]
SIZES = ["S", "M", "L", "XL", "100", "250", "500"]
RIAL_STEP = Decimal(1000)


def _round_rial(amount: float) -> Decimal:
    return (Decimal(amount) / RIAL_STEP).quantize(Decimal(1)) * RIAL_STEP


def make_products(
    config: DemoConfig, rng: random.Random
) -> list[tuple[str, str, Decimal, Decimal]]:
    """(code, name, list price, cost price) in Rial."""
    products = []
    for number in range(1, config.products + 1):
        fa_name, en_name = PRODUCT_NAMES[(number - 1) % len(PRODUCT_NAMES)]
        size = SIZES[(number - 1) // len(PRODUCT_NAMES) % len(SIZES)]
        name = f"{fa_name} / {en_name} {size}"
        list_price = _round_rial(10 ** rng.uniform(6.7, 8.7))
        cost = _round_rial(float(list_price) * rng.uniform(0.55, 0.8))
        products.append((f"P-{number:04d}", name, list_price, cost))
    return products


def _party_variant(
    customer: TrueCustomer, code: str, rng: random.Random, credit_limit: Decimal | None
) -> ErpParty:
    text_variant = (
        dirt.persian_text_variant if customer.locale == "fa" else dirt.english_text_variant
    )
    name = text_variant(customer.name, rng)
    if customer.kind == "company" and customer.locale == "fa" and rng.random() < 0.4:
        # ERP users often leave out the legal form, or the leading «شرکت».
        name = name.split(" (")[0].removeprefix("شرکت ").strip() or name
    contacts: list[tuple[str, str]] = []
    if rng.random() > 0.1:
        email = customer.email
        email = (
            dirt.invalid_email(email, rng)
            if rng.random() < 0.04
            else dirt.email_variant(email, rng)
        )
        contacts.append(("email", email))
    if rng.random() > 0.1:
        phone = customer.phone
        phone = dirt.iran_phone_variant(phone, rng) if phone.startswith("+98") else phone
        contacts.append(("mobile" if customer.kind == "person" else "phone", phone))
    national_id = customer.national_id if rng.random() < 0.7 else None
    if national_id and customer.locale == "fa":
        national_id = dirt.digits_variant(national_id, rng)
    return ErpParty(
        code=code,
        name=name,
        kind=customer.kind,
        contacts=tuple(contacts),
        street=customer.street if rng.random() > 0.15 else None,
        city=customer.city,
        postal_code=dirt.digits_variant(customer.postal_code, rng)
        if customer.locale == "fa"
        else customer.postal_code,
        country=customer.country,
        national_id=national_id,
        credit_limit=credit_limit,
    )


def _payments(invoiced_on: date, as_of: date, rng: random.Random) -> tuple[Payment, ...]:
    roll = rng.random()
    if roll < 0.65:
        plan = [(invoiced_on + timedelta(days=rng.randrange(3, 30)), Decimal(1))]
    elif roll < 0.8:
        plan = [(invoiced_on + timedelta(days=rng.randrange(45, 120)), Decimal(1))]
    elif roll < 0.9:
        first = invoiced_on + timedelta(days=rng.randrange(10, 40))
        plan = [(first, Decimal("0.5"))]
        if rng.random() < 0.5:
            plan.append((first + timedelta(days=rng.randrange(20, 90)), Decimal("0.5")))
    else:
        plan = []
    return tuple(Payment(on=day, share=share) for day, share in plan if day < as_of)


def _order_days(
    customer: TrueCustomer, as_of: date, orders_per_year: float, rng: random.Random
) -> list[date]:
    """A customer buys at its own pace (a Poisson process: a few buy often, most rarely) from
    the day it was acquired; a churned one stops 4 to 13 months before `as_of`. The pace and
    the silence are what the churn model has to learn from, as with real customers."""
    per_year = rng.lognormvariate(math.log(orders_per_year), 0.8)
    stop = rng.randrange(120, 400) if customer.churned else 2
    last_day = as_of - timedelta(days=stop)
    day = min(customer.acquired_on, last_day - timedelta(days=1))
    days = []
    while day <= last_day:
        days.append(day)
        day += timedelta(days=max(1, round(rng.expovariate(per_year / 365))))
    return days


def make_sales(
    customers: list[tuple[TrueCustomer, str]],
    products: list[tuple[str, str, Decimal, Decimal]],
    config: DemoConfig,
    rng: random.Random,
) -> list[ErpSale]:
    """Sales of each ERP customer over the history, in date order."""
    weights = [1 / (rank + 1) for rank in range(len(products))]  # a few best sellers
    sales = []
    for customer, party_code in customers:
        for sale_date in _order_days(customer, config.as_of, config.orders_per_year, rng):
            chosen = rng.choices(products, weights=weights, k=rng.randrange(1, 4))
            lines = tuple(
                SaleLine(
                    code, rng.randrange(1, 11), _round_rial(float(price) * rng.uniform(0.9, 1))
                )
                for code, _, price, _ in dict.fromkeys(chosen)
            )
            shipped = sale_date + timedelta(days=rng.randrange(1, 6))
            shipped_on = shipped if shipped < config.as_of and rng.random() > 0.03 else None
            payments = _payments(shipped_on, config.as_of, rng) if shipped_on else ()
            sales.append(ErpSale("", party_code, sale_date, lines, shipped_on, payments))
    sales.sort(key=lambda s: (s.sale_date, s.party_code))
    return [
        ErpSale(f"S{n:07d}", s.party_code, s.sale_date, s.lines, s.shipped_on, s.payments)
        for n, s in enumerate(sales, start=1)
    ]


def make_stocked_products(
    products: list[tuple[str, str, Decimal, Decimal]], sales: list[ErpSale], rng: random.Random
) -> list[DemoProduct]:
    shipped = Counter()
    for sale in sales:
        if sale.shipped_on:
            for line in sale.lines:
                shipped[line.product_code] += line.quantity
    stocked = []
    for code, name, list_price, cost in products:
        # Some products end nearly sold out, so the stock gate has something to hold.
        final = rng.randrange(0, 4) if rng.random() < 0.15 else rng.randrange(20, 200)
        stocked.append(DemoProduct(code, name, list_price, cost, shipped[code] + final, final))
    return stocked


def make_parties(
    customers: list[TrueCustomer], rng: random.Random
) -> tuple[list[ErpParty], list[tuple[TrueCustomer, str]]]:
    """ERP parties (some customers twice: a duplicate typed by another clerk)."""
    parties: list[ErpParty] = []
    links: list[tuple[TrueCustomer, str]] = []
    for customer in (c for c in customers if c.in_erp):
        copies = 2 if rng.random() < 0.04 else 1
        limit = None
        if rng.random() < 0.4:
            limit = _round_rial(10 ** rng.uniform(8, 9.5))
        for _ in range(copies):
            code = f"C{len(parties) + 1:06d}"
            parties.append(_party_variant(customer, code, rng, limit))
            links.append((customer, code))
    return parties, links
