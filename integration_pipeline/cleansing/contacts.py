"""E-mail addresses and phone numbers in one form each, or None when they cannot be one.

A value that is not valid is reported (None here, a quarantine row upstream), never guessed
into a different address: a "fixed" e-mail that reaches the wrong person is worse than none.
"""

import re

import phonenumbers

from integration_pipeline.cleansing.persian import ascii_digits

_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


def normalize_email(value: str | None) -> str | None:
    """Trimmed, `mailto:` dropped, lower case (HubSpot and most providers treat addresses
    case-insensitively); None unless it is one syntactically valid address."""
    if value is None:
        return None
    text = ascii_digits(value).strip().removeprefix("mailto:").strip().lower()
    if not text or ".." in text or not _EMAIL.match(text):
        return None
    return text


def normalize_phone(value: str | None, region: str = "IR") -> str | None:
    """E.164 (`+989121234567`) from the ways people write a number: +98 / 0098 / 0 prefixes,
    spaces, dashes, brackets, Persian or Arabic-Indic digits. None unless libphonenumber
    judges the result a valid number."""
    if value is None:
        return None
    text = ascii_digits(value).strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164)
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
