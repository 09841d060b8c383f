"""Synthetic customer CSVs at any scale, with duplicates carrying the demo's dirt and the truth.

Names come from Faker's Persian and English pools (so many different people share a name, as
in life); every person gets a unique mobile, e-mail, valid national id, birth date, city and
postal code. A share of people appear again as a duplicate typed differently: Arabic letter
forms, dropped or spaced non-joiners, Persian digits, other phone formats, e-mail case,
a missing field.
"""

import csv
import random
from pathlib import Path

from faker import Faker

from integration_pipeline.cleansing.iran_ids import make_national_id
from integration_pipeline.cleansing.standardise import RECORD_COLUMNS
from integration_pipeline.sandbox.demo import dirt

COLUMNS = (*RECORD_COLUMNS, "entity")
CITIES = (
    "تهران",
    "مشهد",
    "اصفهان",
    "شیراز",
    "تبریز",
    "کرج",
    "قم",
    "اهواز",
    "رشت",
    "کرمان",
    "یزد",
    "ارومیه",
)
# Iranian mobile operators' prefixes after +989 (MCI 91x/990-994, Irancell 93x/90x, Rightel 92x).
MOBILE_PREFIXES = (
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "01",
    "02",
    "03",
    "05",
    "30",
    "33",
    "35",
    "36",
    "37",
    "38",
    "39",
    "90",
    "91",
    "92",
    "21",
    "22",
)
DOMAINS = ("gmail.com", "yahoo.com", "chmail.ir", "mail.ir", "outlook.com")


def _pools(seed: int) -> tuple[list[str], list[str], list[str], list[str]]:
    persian, english = Faker("fa_IR"), Faker("en_GB")
    persian.seed_instance(seed)
    english.seed_instance(seed)
    firsts = sorted(
        {persian.first_name() for _ in range(3000)} | {english.first_name() for _ in range(1500)}
    )
    lasts = sorted(
        {persian.last_name() for _ in range(3000)} | {english.last_name() for _ in range(1500)}
    )
    streets = sorted({f"خیابان {persian.last_name()}" for _ in range(2000)})
    latin = [f"u{i}" for i in range(len(firsts))]
    return firsts, lasts, streets, latin


def _variant(text: str, rng: random.Random) -> str:
    return (
        dirt.persian_text_variant(text, rng)
        if not text.isascii()
        else dirt.english_text_variant(text, rng)
    )


def write_customers(
    path: Path, rows: int, duplicate_share: float = 0.1, seed: int = 5
) -> tuple[int, int]:
    """Write about `rows` records (people, then a duplicate after a share of them) to `path`;
    returns (people, rows written)."""
    rng = random.Random(seed)
    firsts, lasts, streets, _ = _pools(seed)
    people = int(rows / (1 + duplicate_share))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        written = 0
        for person in range(people):
            first, last = rng.choice(firsts), rng.choice(lasts)
            phone = f"+989{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
            email = f"user{person}.{rng.randrange(1000)}@{rng.choice(DOMAINS)}"
            record = {
                "first_name": first,
                "last_name": last,
                "company": "",
                "email": email,
                "phone": phone,
                "street": f"{rng.choice(streets)}، پلاک {rng.randrange(1, 400)}",
                "city": rng.choice(CITIES),
                "postal_code": f"{rng.randrange(10**9, 10**10)}",
                "country": "IR",
                "national_id": make_national_id(rng),
                "birth_date": f"{rng.randrange(1950, 2005)}-{rng.randrange(1, 13):02d}-"
                f"{rng.randrange(1, 29):02d}",
            }
            writer.writerow([f"r{written}", *record.values(), person])
            written += 1
            if written < rows and rng.random() < duplicate_share:
                dup = dict(record)
                dup["first_name"] = _variant(first, rng)
                dup["last_name"] = _variant(last, rng)
                dup["phone"] = dirt.iran_phone_variant(phone, rng)
                dup["email"] = dirt.email_variant(email, rng)
                dup["postal_code"] = dirt.digits_variant(record["postal_code"], rng)
                dup["national_id"] = dirt.digits_variant(record["national_id"], rng)
                dropped = rng.choice(
                    ("email", "phone", "national_id", "street", "birth_date", None)
                )
                if dropped:
                    dup[dropped] = ""
                writer.writerow([f"r{written}", *dup.values(), person])
                written += 1
    return people, written
