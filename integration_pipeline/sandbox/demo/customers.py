"""True customers: who really exists, before any system mistypes them."""

import random
from collections.abc import Callable
from datetime import date, timedelta

import phonenumbers
from faker import Faker

from integration_pipeline.cleansing.iran_ids import make_company_id, make_national_id
from integration_pipeline.sandbox.demo.dirt import ZWNJ
from integration_pipeline.sandbox.demo.records import DemoConfig, TrueCustomer

FA_CITIES = [
    ("تهران", "1"),
    ("مشهد", "9"),
    ("اصفهان", "8"),
    ("شیراز", "7"),
    ("تبریز", "5"),
    ("کرج", "3"),
    ("قم", "3"),
    ("اهواز", "6"),
    ("کرمانشاه", "6"),
    ("رشت", "4"),
]
FA_STREETS = ["ولیعصر", "انقلاب", "آزادی", "شریعتی", "مطهری", "فردوسی", "طالقانی", "کارگر"]
FA_COMPANY_FORMS = ["{} گستر", "صنایع {}", "بازرگانی {}", "{} پخش", "تولیدی {}", "نوین{}ساز"]
FA_LEGAL_SUFFIXES = ["سهامی خاص", "سهامی عام", "مسئولیت محدود"]
EN_CITIES = ["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Dubai", "Istanbul"]
FA_MOBILE_PREFIXES = ["912", "919", "935", "936", "901", "990", "921"]


def _persian_company_name(fa: Faker, rng: random.Random) -> str:
    form = rng.choice(FA_COMPANY_FORMS)
    core = fa.last_name()
    # "نوین‌ساز"-style compounds carry a zero-width non-joiner, as Persian typing rules ask.
    name = (
        form.replace("{}", f"{ZWNJ}{core}{ZWNJ}") if form.startswith("نوین") else form.format(core)
    )
    return f"شرکت {name} ({rng.choice(FA_LEGAL_SUFFIXES)})"


def _valid(make: Callable[[], str]) -> str:
    """Draw until libphonenumber accepts the number, as the ERP (Tryton) will check it."""
    while True:
        number = make()
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _iran_mobile(rng: random.Random) -> str:
    return _valid(lambda: f"+98{rng.choice(FA_MOBILE_PREFIXES)}{rng.randrange(10**7):07d}")


def _iran_landline(rng: random.Random) -> str:
    return _valid(lambda: f"+9821{rng.randrange(2 * 10**7, 9 * 10**7)}")


def _uk_mobile(rng: random.Random) -> str:
    return _valid(lambda: f"+447{rng.randrange(100, 999)}{rng.randrange(10**6):06d}")


def make_true_customers(config: DemoConfig, rng: random.Random) -> list[TrueCustomer]:
    fa, en = Faker("fa_IR"), Faker("en_GB")
    fa.seed_instance(config.seed)
    en.seed_instance(config.seed)
    start = config.as_of - timedelta(days=config.history_days)
    customers = []
    for number in range(1, config.customers + 1):
        locale = "fa" if rng.random() < 0.6 else "en"
        kind = "company" if rng.random() < 0.55 else "person"
        handle = en.user_name().replace(".", "")[:16] + str(rng.randrange(10, 99))
        first = last = None
        birth = None
        if locale == "fa":
            city, postal_prefix = rng.choice(FA_CITIES)
            street = f"خیابان {rng.choice(FA_STREETS)}، پلاک {rng.randrange(1, 400)}"
            postal = f"{postal_prefix}{rng.randrange(10**8, 10**9):09d}"
            country = "IR"
        else:
            city = rng.choice(EN_CITIES)
            street = en.street_address().replace("\n", ", ")
            postal = en.postcode()
            country = (
                "GB" if city not in ("Dubai", "Istanbul") else ("AE" if city == "Dubai" else "TR")
            )
        if kind == "company":
            name = _persian_company_name(fa, rng) if locale == "fa" else en.company()
            domain = (
                f"{en.domain_word()}{rng.randrange(10, 99)}.{'ir' if locale == 'fa' else 'com'}"
            )
            email = f"{rng.choice(['info', 'sales', 'office'])}@{domain}"
            phone = _iran_landline(rng) if locale == "fa" else _uk_mobile(rng)
            national_id = make_company_id(rng)
        else:
            first = fa.first_name() if locale == "fa" else en.first_name()
            last = fa.last_name() if locale == "fa" else en.last_name()
            name = f"{first} {last}"
            email = f"{handle}@{rng.choice(['gmail.com', 'yahoo.com', 'chmail.ir', 'outlook.com'])}"
            phone = _iran_mobile(rng) if locale == "fa" else _uk_mobile(rng)
            national_id = make_national_id(rng)
            birth = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
        presence = rng.random()
        customers.append(
            TrueCustomer(
                entity_id=f"E{number:06d}",
                kind=kind,
                locale=locale,
                name=name,
                first_name=first,
                last_name=last,
                email=email.lower(),
                phone=phone,
                street=street,
                city=city,
                postal_code=postal,
                country=country,
                national_id=national_id,
                birth_date=birth,
                acquired_on=start + timedelta(days=rng.randrange(config.history_days - 30)),
                in_crm=presence < 0.85,
                in_erp=presence >= 0.15,
                churned=rng.random() < 0.2,
            )
        )
    return customers
