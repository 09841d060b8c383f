"""The business data a Tryton company needs before it can sell, ship and invoice.

Runs inside the seeding process (trytond in-process through proteus), after trytond-admin
created the database. Follows Tryton's own test tools (trytond/modules/*/tests/tools.py).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from proteus import Model
from proteus.config import get_config
from trytond.modules.account.tests.tools import create_chart, create_tax, get_accounts
from trytond.modules.account_invoice.tests.tools import set_fiscalyear_invoice_sequences
from trytond.modules.company.tests.tools import create_company

COMPANY_NAME = "شرکت نمونه صنعت پارس"
COUNTRIES = {"IR": "Iran", "GB": "United Kingdom", "AE": "United Arab Emirates", "TR": "Türkiye"}
VAT_RATE = Decimal("0.10")  # Iran's VAT rate


@dataclass(frozen=True)
class BusinessIds:
    """Ids of the records the seeding refers to."""

    company: int
    currency: int
    tax: int
    category: int
    payment_term: int
    payment_method: int
    unit: int
    warehouse: int
    storage: int
    countries: dict[str, int]


def _currency(code: str):
    Currency = Model.get("currency.currency")
    # The Rial has no minor unit in practice: round to whole Rials.
    currency = Currency(name="Iranian Rial", symbol="﷼", code=code, rounding=Decimal(1), digits=0)
    currency.save()
    return currency


def _employee(company) -> None:
    Party, Employee, User = (
        Model.get("party.party"),
        Model.get("company.employee"),
        Model.get("res.user"),
    )
    party = Party(name="مدیر سیستم / Administrator")
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    admin = User(get_config().user)
    admin.employees.append(employee)
    admin.employee = employee
    admin.save()
    get_config()._context = User.get_preferences(True, {})


def _fiscal_years(company, first_year: int, last_year: int) -> None:
    FiscalYear, Sequence, SequenceType = (
        Model.get("account.fiscalyear"),
        Model.get("ir.sequence.strict"),
        Model.get("ir.sequence.type"),
    )
    (move_type,) = SequenceType.find([("name", "=", "Account Move")], limit=1)
    for year in range(first_year, last_year + 1):
        move_sequence = Sequence(name=f"Moves {year}", sequence_type=move_type, company=company)
        move_sequence.save()
        fiscal_year = FiscalYear(
            name=str(year),
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 31),
            company=company,
            move_sequence=move_sequence,
        )
        set_fiscalyear_invoice_sequences(fiscal_year)
        fiscal_year.save()
        fiscal_year.click("create_period")


def _payment_term():
    PaymentTerm = Model.get("account.invoice.payment_term")
    term = PaymentTerm(name="Net 30")
    line = term.lines.new(type="remainder")
    line.relativedeltas.new(days=30)
    term.save()
    return term


def _payment_method(company, cash_account):
    Journal, Method = Model.get("account.journal"), Model.get("account.invoice.payment.method")
    (journal,) = Journal.find([("type", "=", "cash")], limit=1)
    method = Method(
        name="Bank transfer",
        journal=journal,
        company=company,
        credit_account=cash_account,
        debit_account=cash_account,
    )
    method.save()
    return method


def set_up_company(first_year: int, last_year: int) -> BusinessIds:
    Party = Model.get("party.party")
    currency = _currency("IRR")
    company_party = Party(name=COMPANY_NAME)
    company_party.save()
    create_company(party=company_party, currency=currency)
    (company,) = Model.get("company.company").find()
    _employee(company)
    create_chart(company)
    accounts = get_accounts(company)
    _fiscal_years(company, first_year, last_year)

    tax = create_tax(VAT_RATE, company)
    tax.name = tax.description = "VAT 10%"
    tax.save()
    Category = Model.get("product.category")
    category = Category(name="Goods", accounting=True)
    category.account_expense = accounts["expense"]
    category.account_revenue = accounts["revenue"]
    category.customer_taxes.append(tax)
    category.save()

    Country = Model.get("country.country")
    countries = {code: Country(name=name, code=code) for code, name in COUNTRIES.items()}
    Country.save(list(countries.values()))
    Location, ModelData = Model.get("stock.location"), Model.get("ir.model.data")
    (warehouse,) = Location.find([("code", "=", "WH")])
    (storage,) = Location.find([("code", "=", "STO")])
    return BusinessIds(
        company=company.id,
        currency=currency.id,
        tax=tax.id,
        category=category.id,
        payment_term=_payment_term().id,
        payment_method=_payment_method(company, accounts["cash"]).id,
        unit=ModelData.get_id("product.uom_unit", get_config().context),
        warehouse=warehouse.id,
        storage=storage.id,
        countries={code: c.id for code, c in countries.items()},
    )
