"""The canonical product and its stock level."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from integration_pipeline.models.common import (
    CanonicalModel,
    CurrencyCode,
    NonEmptyStr,
    NonNegativeMoney,
    SourceRef,
)

ProductCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


class Product(CanonicalModel):
    source: SourceRef
    code: ProductCode
    name: NonEmptyStr
    unit: NonEmptyStr = "u"
    list_price: NonNegativeMoney
    cost_price: NonNegativeMoney
    currency: CurrencyCode
    salable: bool = True
    active: bool = True
    updated_at: datetime


class StockLevel(CanonicalModel):
    """On-hand and forecast quantity of one product in one warehouse, at a moment."""

    product_code: ProductCode
    warehouse: NonEmptyStr
    # On hand can be negative in an ERP that allows over-shipping; keep what the ERP says.
    on_hand: Annotated[Decimal, Field(max_digits=16, decimal_places=4)]
    forecast: Annotated[Decimal, Field(max_digits=16, decimal_places=4)]
    as_of: datetime
