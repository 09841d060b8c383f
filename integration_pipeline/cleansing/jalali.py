"""Jalali (Solar Hijri) dates, which Iranian sources often give, to and from Gregorian."""

from datetime import date

import jdatetime

from integration_pipeline.cleansing.persian import ascii_digits


def jalali_to_gregorian(text: str) -> date:
    """ "1403/01/01", "۱۴۰۳-۰۱-۰۱" → date(2024, 3, 20). Raises ValueError when not a date."""
    parts = ascii_digits(text).strip().replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a Jalali date (expected YYYY/MM/DD)")
    year, month, day = (int(p) for p in parts)
    return jdatetime.date(year, month, day).togregorian()


def gregorian_to_jalali(value: date) -> str:
    return jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")


def jalali_month_label(value: date) -> str:
    """ "1403/01" for a month's label in Persian-facing reports."""
    return jdatetime.date.fromgregorian(date=value).strftime("%Y/%m")


def jalali_month_starts(first: date, last: date) -> list[date]:
    """The Gregorian first days of the Jalali months that have a day in [first, last]."""
    current = jdatetime.date.fromgregorian(date=first).replace(day=1)
    starts = []
    while (start := current.togregorian()) <= last:
        starts.append(start)
        year, month = (
            (current.year + 1, 1) if current.month == 12 else (current.year, current.month + 1)
        )
        current = jdatetime.date(year, month, 1)
    return starts
