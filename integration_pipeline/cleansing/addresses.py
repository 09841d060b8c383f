"""Addresses: postal codes, countries and cities in one form each."""

import re

from integration_pipeline.cleansing.persian import ascii_digits, matching_key, normalize_persian

_COUNTRIES = {
    "ir": "IR",
    "irn": "IR",
    "iran": "IR",
    "ایران": "IR",
    "islamic republic of iran": "IR",
    "جمهوری اسلامی ایران": "IR",
    "gb": "GB",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "de": "DE",
    "germany": "DE",
    "ae": "AE",
    "uae": "AE",
    "united arab emirates": "AE",
    "tr": "TR",
    "turkey": "TR",
    "türkiye": "TR",
}
# The same city as people write it in either script.
_CITIES = {
    "tehran": "تهران",
    "tabriz": "تبریز",
    "isfahan": "اصفهان",
    "esfahan": "اصفهان",
    "shiraz": "شیراز",
    "mashhad": "مشهد",
    "karaj": "کرج",
    "qom": "قم",
    "ahvaz": "اهواز",
    "rasht": "رشت",
    "kerman": "کرمان",
    "yazd": "یزد",
}
_STREET_ABBREVIATIONS = {
    "خ.": "خیابان ",
    "خ ": "خیابان ",
    "ک.": "کوچه ",
    "پ.": "پلاک ",
    "st.": "street ",
}
_NON_DIGITS = re.compile(r"\D")


def normalize_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 from a code or a name (English or Persian); None when unknown."""
    if not value:
        return None
    text = normalize_persian(value).casefold().strip(" .")
    if len(text) == 2 and text.isascii() and text.isalpha():
        return text.upper()
    return _COUNTRIES.get(text)


def normalize_postal_code(value: str | None, country: str | None = "IR") -> str | None:
    """Iranian postal codes are 10 digits, often written 5-5 or in Persian digits; None when
    the digits do not make one. Other countries: trimmed, upper case, one space."""
    if not value:
        return None
    text = ascii_digits(value).strip()
    if country == "IR":
        digits = _NON_DIGITS.sub("", text)
        return digits if len(digits) == 10 else None
    return " ".join(text.upper().split()) or None


def city_key(value: str | None) -> str:
    """«تهران», "Tehran", " TEHRAN " → one key."""
    if not value:
        return ""
    text = normalize_persian(value).casefold().strip(" .")
    return matching_key(_CITIES.get(text, text))


def normalize_street(value: str | None) -> str | None:
    if not value:
        return None
    text = normalize_persian(value)
    lowered = text.casefold()
    for short, full in _STREET_ABBREVIATIONS.items():
        if lowered.startswith(short):
            text = full + text[len(short) :]
            lowered = text.casefold()
    return " ".join(text.split()) or None
