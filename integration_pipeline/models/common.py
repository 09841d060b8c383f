"""Shared building blocks of the canonical records.

Canonical records are what both systems' rows become after extraction: strict types
(no silent coercion of "12" into 12), unknown fields rejected, and validation messages that
name the field and the value's problem.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

CURRENCY_CODES = frozenset({"IRR", "IRT", "USD", "EUR", "GBP", "AED"})


class CanonicalModel(BaseModel):
    """Base of every canonical record: strict, closed and immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceSystem(StrEnum):
    CRM = "crm"
    ERP = "erp"


def _check_currency(code: str) -> str:
    if code not in CURRENCY_CODES:
        raise ValueError(
            f"unknown currency {code!r}; expected one of {sorted(CURRENCY_CODES)} "
            "(IRT is the Toman, 10 Rial: declare which one a source uses)"
        )
    return code


CurrencyCode = Annotated[str, AfterValidator(_check_currency)]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Money = Annotated[Decimal, Field(max_digits=20, decimal_places=4)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=4)]
PositiveQuantity = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=4)]


class SourceRef(CanonicalModel):
    """Where a record came from: the system and that system's own id."""

    system: SourceSystem
    id: NonEmptyStr
