"""The canonical customer: a company or a person, with contacts, addresses and identifiers."""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from integration_pipeline.models.common import CanonicalModel, NonEmptyStr, SourceRef

# Deliberately simple: full validation belongs to the cleansing stage; the model only refuses
# values that cannot be an address at all.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (expected name@domain.tld)")
    return value.lower()


def _check_e164(value: str) -> str:
    if not _E164.match(value):
        raise ValueError(
            f"{value!r} is not an E.164 phone number (expected + then 7-15 digits, "
            "e.g. +989121234567); normalise it in the cleansing stage first"
        )
    return value


Email = Annotated[str, AfterValidator(_check_email)]
E164Phone = Annotated[str, AfterValidator(_check_e164)]


class CustomerKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MOBILE = "mobile"
    WEBSITE = "website"


class IdentifierKind(StrEnum):
    IR_NATIONAL_ID = "ir_national_id"  # کد ملی, 10 digits with a check digit
    IR_NATIONAL_COMPANY_ID = "ir_national_company_id"  # شناسه ملی, 11 digits
    IR_ECONOMIC_CODE = "ir_economic_code"  # کد اقتصادی
    VAT = "vat"


class Contact(CanonicalModel):
    kind: ContactKind
    value: NonEmptyStr

    @model_validator(mode="after")
    def _value_matches_kind(self) -> "Contact":
        if self.kind is ContactKind.EMAIL:
            _check_email(self.value)
        elif self.kind in (ContactKind.PHONE, ContactKind.MOBILE):
            _check_e164(self.value)
        return self


class Address(CanonicalModel):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "IR"


class Identifier(CanonicalModel):
    kind: IdentifierKind
    value: Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{4,32}$")]


class Customer(CanonicalModel):
    """One customer as a source system knows it (before golden-record merging)."""

    source: SourceRef
    kind: CustomerKind
    name: NonEmptyStr
    first_name: str | None = None
    last_name: str | None = None
    email: Email | None = None
    phone: E164Phone | None = None
    contacts: tuple[Contact, ...] = ()
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    birth_date: date | None = None
    active: bool = True
    updated_at: datetime

    @model_validator(mode="after")
    def _person_fields_only_for_people(self) -> "Customer":
        if self.kind is CustomerKind.COMPANY and (self.first_name or self.last_name):
            raise ValueError("a company has no first_name/last_name; use name")
        if self.kind is CustomerKind.COMPANY and self.birth_date is not None:
            raise ValueError("a company has no birth_date")
        return self
