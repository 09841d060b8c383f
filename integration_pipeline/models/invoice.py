"""The canonical customer invoice with its payments."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from integration_pipeline.models.common import (
    CanonicalModel,
    CurrencyCode,
    NonEmptyStr,
    NonNegativeMoney,
    SourceRef,
)


class InvoiceState(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    POSTED = "posted"
    PAID = "paid"
    CANCELLED = "cancelled"


class Payment(CanonicalModel):
    payment_date: date
    amount: NonNegativeMoney = Field(gt=0)


class Invoice(CanonicalModel):
    source: SourceRef
    number: NonEmptyStr | None = None
    customer: SourceRef
    order: SourceRef | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    currency: CurrencyCode
    state: InvoiceState
    total: NonNegativeMoney
    payments: tuple[Payment, ...] = ()
    updated_at: datetime

    @model_validator(mode="after")
    def _payments_within_total(self) -> "Invoice":
        if self.amount_paid > self.total:
            raise ValueError(
                f"payments ({self.amount_paid}) exceed the invoice total ({self.total})"
            )
        if self.state is InvoiceState.POSTED and self.invoice_date is None:
            raise ValueError("a posted invoice needs an invoice_date")
        return self

    @property
    def amount_paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid
