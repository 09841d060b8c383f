"""The canonical order (a won CRM deal, an ERP sale) with its lines."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from integration_pipeline.models.common import (
    CanonicalModel,
    CurrencyCode,
    NonEmptyStr,
    NonNegativeMoney,
    PositiveQuantity,
    SourceRef,
)
from integration_pipeline.models.product import ProductCode


class OrderState(StrEnum):
    DRAFT = "draft"
    QUOTATION = "quotation"
    CONFIRMED = "confirmed"
    PROCESSING = "processing"
    DONE = "done"
    CANCELLED = "cancelled"


class OrderLine(CanonicalModel):
    """Derived amounts are properties, not fields: a JSON round trip stays exact."""

    product_code: ProductCode
    quantity: PositiveQuantity
    unit_price: NonNegativeMoney
    description: str | None = None

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


class Order(CanonicalModel):
    source: SourceRef
    # The CRM deal id an ERP sale was made from: ERP reference "hubspot-deal:<id>".
    reference: str | None = None
    customer: SourceRef
    order_date: date
    currency: CurrencyCode
    state: OrderState
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    number: NonEmptyStr | None = None
    updated_at: datetime

    @model_validator(mode="after")
    def _customer_differs_from_order(self) -> "Order":
        if self.customer == self.source:
            raise ValueError("customer must reference a customer record, not the order itself")
        return self

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))
