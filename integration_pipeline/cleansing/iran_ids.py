"""Iranian identifiers: national id (کد ملی) and national company id (شناسه ملی).

Both carry a check digit; a value that fails it was mistyped, so it must not be used to link
records. The generators exist for the demo data; the validators are what the cleansing uses.
"""

import random

_COMPANY_ID_WEIGHTS = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)


def national_id_check_digit(first_nine: str) -> int:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    remainder = total % 11
    return remainder if remainder < 2 else 11 - remainder


def is_valid_national_id(value: str) -> bool:
    """A person's 10-digit national id: digits, not all equal, check digit right."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    if len(set(value)) == 1:
        return False
    return national_id_check_digit(value[:9]) == int(value[9])


def make_national_id(rng: random.Random) -> str:
    while True:
        body = f"{rng.randrange(10**9):09d}"
        candidate = body + str(national_id_check_digit(body))
        if is_valid_national_id(candidate):
            return candidate


def company_id_check_digit(first_ten: str) -> int:
    offset = int(first_ten[9]) + 2
    total = sum((int(d) + offset) * w for d, w in zip(first_ten, _COMPANY_ID_WEIGHTS, strict=True))
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def is_valid_company_id(value: str) -> bool:
    """A legal entity's 11-digit national id (شناسه ملی) with its check digit."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    return company_id_check_digit(value[:10]) == int(value[10])


def make_company_id(rng: random.Random) -> str:
    body = f"{rng.randrange(10**10):010d}"
    return body + str(company_id_check_digit(body))
