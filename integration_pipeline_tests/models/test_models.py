"""Canonical records: strict, closed, JSON round-trip safe, with messages that say what to fix."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from integration_pipeline.models import (
    Address,
    Contact,
    ContactKind,
    Customer,
    CustomerKind,
    Identifier,
    IdentifierKind,
    Invoice,
    InvoiceState,
    Order,
    OrderLine,
    OrderState,
    Payment,
    Product,
    SourceRef,
    SourceSystem,
    StockLevel,
)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CRM = SourceRef(system=SourceSystem.CRM, id="10000001")
ERP = SourceRef(system=SourceSystem.ERP, id="C000001")


def _customer(**changes) -> Customer:
    values = dict(
        source=CRM,
        kind=CustomerKind.PERSON,
        name="علی کریمی",
        first_name="علی",
        last_name="کریمی",
        email="Ali.Karimi@Example.com",
        phone="+989121234567",
        contacts=(Contact(kind=ContactKind.MOBILE, value="+989121234567"),),
        addresses=(
            Address(street="خیابان ولیعصر، پلاک ۱۲", city="تهران", postal_code="1234567890"),
        ),
        identifiers=(Identifier(kind=IdentifierKind.IR_NATIONAL_ID, value="0076229645"),),
        birth_date=date(1985, 3, 21),
        updated_at=NOW,
    )
    values.update(changes)
    return Customer(**values)


RECORDS = [
    _customer(),
    Customer(source=ERP, kind=CustomerKind.COMPANY, name="Pars Industrial Ltd", updated_at=NOW),
    Product(
        source=ERP,
        code="P-0001",
        name="پمپ صنعتی",
        list_price=Decimal("71270000"),
        cost_price=Decimal("50000000"),
        currency="IRR",
        updated_at=NOW,
    ),
    StockLevel(
        product_code="P-0001",
        warehouse="WH",
        on_hand=Decimal("12"),
        forecast=Decimal("9.5"),
        as_of=NOW,
    ),
    Order(
        source=SourceRef(system=SourceSystem.CRM, id="30000001"),
        reference="hubspot-deal:30000001",
        customer=CRM,
        order_date=date(2026, 11, 2),
        currency="IRR",
        state=OrderState.CONFIRMED,
        lines=(
            OrderLine(product_code="P-0001", quantity=Decimal(2), unit_price=Decimal("100.50")),
        ),
        updated_at=NOW,
    ),
    Invoice(
        source=SourceRef(system=SourceSystem.ERP, id="87"),
        number="2026-0087",
        customer=ERP,
        invoice_date=date(2026, 11, 3),
        due_date=date(2026, 12, 3),
        currency="IRR",
        state=InvoiceState.POSTED,
        total=Decimal("4950000"),
        payments=(Payment(payment_date=date(2026, 11, 10), amount=Decimal("2000000")),),
        updated_at=NOW,
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_json_round_trip(record):
    assert type(record).model_validate_json(record.model_dump_json()) == record


def test_email_is_lowercased_and_totals_are_computed():
    assert _customer().email == "ali.karimi@example.com"
    assert RECORDS[4].total == Decimal("201.00")
    assert RECORDS[5].amount_due == Decimal("2950000")


def test_strict_types_refuse_silent_coercion():
    with pytest.raises(ValidationError):
        OrderLine(product_code="P-1", quantity="2", unit_price=Decimal(1))  # a string, not a number


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        _customer(nickname="Ali")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "ali.example.com"}, "is not an e-mail address"),
        ({"phone": "09121234567"}, "is not an E.164 phone number"),
        ({"kind": CustomerKind.COMPANY}, "a company has no first_name"),
        ({"name": ""}, "at least 1 character"),
    ],
)
def test_validation_messages_say_what_is_wrong(changes, message):
    with pytest.raises(ValidationError, match=message):
        _customer(**changes)


def test_business_rules():
    with pytest.raises(ValidationError, match="greater than 0"):
        OrderLine(product_code="P-1", quantity=Decimal(-1), unit_price=Decimal(1))
    with pytest.raises(ValidationError, match="unknown currency 'XYZ'"):
        Product.model_validate({**RECORDS[2].model_dump(), "currency": "XYZ"})
    with pytest.raises(ValidationError, match="exceed the invoice total"):
        Invoice.model_validate({**RECORDS[5].model_dump(), "total": Decimal(1)})
    with pytest.raises(ValidationError, match="at least 1 item"):
        Order.model_validate({**RECORDS[4].model_dump(), "lines": ()})


def test_records_are_immutable():
    with pytest.raises(ValidationError):
        RECORDS[0].name = "other"
