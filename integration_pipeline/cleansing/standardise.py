"""Customer records in one form before matching: every field through its normaliser, with a
profile of what was missing or invalid. Works on pandas frames with the audit command's
columns (`RECORD_COLUMNS`); values that repeat (cities, names) are normalised once."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pandas as pd

from integration_pipeline.cleansing.addresses import (
    city_key,
    normalize_country,
    normalize_postal_code,
    normalize_street,
)
from integration_pipeline.cleansing.contacts import normalize_email, normalize_phone
from integration_pipeline.cleansing.iran_ids import is_valid_company_id, is_valid_national_id
from integration_pipeline.cleansing.jalali import jalali_to_gregorian
from integration_pipeline.cleansing.names import (
    company_key,
    display_name,
    name_part_key,
    person_key,
)
from integration_pipeline.cleansing.persian import ascii_digits, matching_key

RECORD_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "street",
    "city",
    "postal_code",
    "country",
    "national_id",
    "birth_date",
)
# The standardised columns the matcher compares.
MATCH_COLUMNS = (
    "first_name_std",
    "last_name_std",
    "full_name_std",
    "email_std",
    "phone_std",
    "street_std",
    "city_std",
    "postal_code_std",
    "national_id_std",
    "birth_date_std",
)


@dataclass
class Profile:
    rows: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    invalid: dict[str, int] = field(default_factory=dict)


def _cached(function: Callable) -> Callable:
    """For columns whose values repeat (names, cities, streets); per-person values (e-mail,
    phone, ids) are not cached: a cache of a million unique values only costs memory."""
    return lru_cache(maxsize=50_000)(function)


def _digits(value: str | None) -> str | None:
    if value is None:
        return None
    digits = "".join(c for c in ascii_digits(value) if c.isdigit())
    return digits or None


def standard_national_id(value: str | None, country: str | None) -> str | None:
    """Digits only; an Iranian id (10-digit person, 11-digit company) must pass its check
    digit — a mistyped id must not link two customers. Other countries: digits as given."""
    digits = _digits(value)
    if digits is None or country != "IR":
        return digits
    return digits if is_valid_national_id(digits) or is_valid_company_id(digits) else None


def standard_birth_date(value: str | None) -> str | None:
    """ISO date from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, or a Jalali date (year < 1500)."""
    if not value:
        return None
    text = ascii_digits(str(value)).strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        year = int(text[:4])
        if year < 1500:
            return jalali_to_gregorian(text).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    series = frame[name].astype(object)
    return series.where(series.notna() & (series.astype(str).str.strip() != ""), None)


def standardise(frame: pd.DataFrame, default_country: str = "IR") -> tuple[pd.DataFrame, Profile]:
    """Add the `*_std` columns (None where a value is missing or invalid) and profile them."""
    out = standardised_rows(frame, default_country)
    return out, profile_of(frame, out)


# Each profiled input field and the standardised column it becomes.
PROFILED = {
    "first_name": "first_name_std",
    "last_name": "last_name_std",
    "email": "email_std",
    "street": "street_std",
    "city": "city_std",
    "birth_date": "birth_date_std",
    "phone": "phone_std",
    "postal_code": "postal_code_std",
    "national_id": "national_id_std",
}


def profile_of(frame: pd.DataFrame, out: pd.DataFrame) -> Profile:
    """What was missing in `frame` and what its standardised form `out` found invalid."""
    profile = Profile(rows=len(frame))
    for source, target in PROFILED.items():
        _count(profile, source, _column(frame, source), out[target])
    return profile


def standardised_rows(frame: pd.DataFrame, default_country: str = "IR") -> pd.DataFrame:
    """The `*_std` and display columns of each record, row by row (same index as `frame`),
    text or None."""
    out = pd.DataFrame({"unique_id": frame["id"].astype(str)}, index=frame.index)
    country = _column(frame, "country").map(_cached(normalize_country))
    out["country_std"] = country.fillna(default_country)
    maps: dict[str, tuple[str, Callable]] = {
        "first_name_std": ("first_name", _cached(lambda v: name_part_key(v) or None)),
        "last_name_std": ("last_name", _cached(lambda v: name_part_key(v) or None)),
        "email_std": ("email", normalize_email),
        "street_std": (
            "street",
            _cached(lambda v: matching_key(normalize_street(v) or "") or None),
        ),
        "city_std": ("city", _cached(lambda v: city_key(v) or None)),
        "birth_date_std": ("birth_date", standard_birth_date),
    }
    for target, (source, function) in maps.items():
        out[target] = _column(frame, source).map(function, na_action="ignore").astype(object)
    # One name to compare across systems that split it differently (Tryton keeps one name;
    # HubSpot contacts have first and last): the company's without its legal form, else the
    # person's whole name.
    company = _column(frame, "company").map(_cached(lambda v: company_key(v) or None))
    person = [
        person_key(first, last) or None
        for first, last in zip(
            _column(frame, "first_name"), _column(frame, "last_name"), strict=True
        )
    ]
    out["full_name_std"] = company.where(company.notna(), pd.Series(person, index=frame.index))
    # Shown to people (golden records): readable forms, not matching keys.
    shown = _cached(display_name)
    out["display_name"] = [
        shown(c) if c is not None else shown(f"{f or ''} {l or ''}")
        for c, f, l in zip(  # noqa: E741
            _column(frame, "company"),
            _column(frame, "first_name"),
            _column(frame, "last_name"),
            strict=True,
        )
    ]
    out["street_display"] = _column(frame, "street").map(
        _cached(normalize_street), na_action="ignore"
    )
    out["city_display"] = _column(frame, "city").map(_cached(display_name), na_action="ignore")
    phone = normalize_phone
    out["phone_std"] = [
        phone(v, c) if v is not None else None
        for v, c in zip(_column(frame, "phone"), out["country_std"], strict=True)
    ]
    postal = normalize_postal_code
    out["postal_code_std"] = [
        postal(v, c) if v is not None else None
        for v, c in zip(_column(frame, "postal_code"), out["country_std"], strict=True)
    ]
    national = standard_national_id
    out["national_id_std"] = [
        national(str(v), c) if v is not None else None
        for v, c in zip(_column(frame, "national_id"), out["country_std"], strict=True)
    ]
    # Text or None throughout, whether derived now or read back (warehouse/row_memo.py).
    for name in out.columns:
        out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def _count(profile: Profile, name: str, raw: pd.Series, standard: pd.Series) -> None:
    missing = int(raw.isna().sum())
    profile.missing[name] = missing
    profile.invalid[name] = int((raw.notna() & standard.isna()).sum())
