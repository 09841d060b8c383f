"""Canonical records: what CRM and ERP rows become before they are compared or written."""

from integration_pipeline.models.common import SourceRef, SourceSystem
from integration_pipeline.models.customer import (
    Address,
    Contact,
    ContactKind,
    Customer,
    CustomerKind,
    Identifier,
    IdentifierKind,
)
from integration_pipeline.models.invoice import Invoice, InvoiceState, Payment
from integration_pipeline.models.order import Order, OrderLine, OrderState
from integration_pipeline.models.product import Product, StockLevel

__all__ = [
    "Address",
    "Contact",
    "ContactKind",
    "Customer",
    "CustomerKind",
    "Identifier",
    "IdentifierKind",
    "Invoice",
    "InvoiceState",
    "Order",
    "OrderLine",
    "OrderState",
    "Payment",
    "Product",
    "SourceRef",
    "SourceSystem",
    "StockLevel",
]
