"""Amounts with their declared currency. Iranians quote prices in toman (10 rial) while the
books are kept in rial; a source declares which it uses, and amounts move as rial."""

from decimal import Decimal
from enum import StrEnum

from integration_pipeline.cleansing.persian import ascii_digits


class Currency(StrEnum):
    IRR = "IRR"  # rial, the legal unit and the ERP's currency
    TOMAN = "TOMAN"  # 10 rial, no ISO code; how prices are spoken and often typed


_TO_RIAL = {Currency.IRR: Decimal(1), Currency.TOMAN: Decimal(10)}


def parse_amount(text: str | int | Decimal) -> Decimal:
    """ "۱۲٬۵۰۰٬۰۰۰", "12,500,000", "12500000.00" → Decimal. Raises ValueError otherwise."""
    if isinstance(text, int | Decimal):
        return Decimal(text)
    cleaned = ascii_digits(text).replace("٬", "").replace(",", "").replace("٫", ".").strip()
    try:
        return Decimal(cleaned)
    except ArithmeticError as error:
        raise ValueError(f"{text!r} is not an amount") from error


def to_rial(amount: str | int | Decimal, currency: Currency | str) -> Decimal:
    return parse_amount(amount) * _TO_RIAL[Currency(currency)]
