"""Value transforms a field mapping names: a staged value → the string the CRM stores
(HubSpot keeps every property value as a string), or None to clear it."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def _quantity(value: Any) -> str | None:
    if value is None:
        return None
    number = Decimal(str(value)).normalize()
    return format(number, "f") if number != number.to_integral() else str(int(number))


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


TRANSFORMS: dict[str, Callable[[Any], str | None]] = {
    "text": _text,
    "quantity": _quantity,
    "amount": _quantity,  # money in the ERP's currency: exact decimals, no float rounding
    "date": _date,
}


def apply_transform(name: str, value: Any) -> str | None:
    try:
        return TRANSFORMS[name](value)
    except KeyError as unknown:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(TRANSFORMS)}") from unknown
