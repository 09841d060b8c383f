"""Names, addresses, amounts and Jalali dates."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integration_pipeline.cleansing.addresses import (
    city_key,
    normalize_country,
    normalize_postal_code,
    normalize_street,
)
from integration_pipeline.cleansing.jalali import (
    gregorian_to_jalali,
    jalali_month_label,
    jalali_to_gregorian,
)
from integration_pipeline.cleansing.money import Currency, parse_amount, to_rial
from integration_pipeline.cleansing.names import company_key, person_key


@pytest.mark.parametrize(
    "variant",
    [
        "شرکت بازرگانی ظفری (مسئولیت محدود)",
        "شركت بازرگاني ظفري",
        "بازرگانی ظفری سهامی خاص",
        " بازرگانی  ظفری ",
    ],
)
def test_company_names_without_legal_forms(variant):
    assert company_key(variant) == company_key("بازرگانی ظفری")


def test_english_company_names_and_people():
    assert company_key("Pars Trading Co., Ltd.") == company_key("PARS TRADING") == "parstrading"
    assert company_key("Kavir GmbH") == company_key("kavir")
    assert person_key("آقای علي", "كريمي") == person_key("علی", "کریمی")
    assert person_key("Dr. Sara", "Ahmadi") == person_key("sara", "AHMADI")


def test_countries_postal_codes_cities_streets():
    assert {normalize_country(v) for v in ("IR", "ir", "Iran", "ایران", "IRN")} == {"IR"}
    assert normalize_country("Atlantis") is None
    assert normalize_postal_code("۱۲۰۱۰-۷۱۳۶۴") == "1201071364"
    assert normalize_postal_code("12345") is None
    assert normalize_postal_code("sw1a 1aa", "GB") == "SW1A 1AA"
    assert city_key("Tehran") == city_key(" تهران ") == city_key("TEHRAN")
    assert normalize_street("خ. انقلاب، پلاك ۲۷۵") == "خیابان انقلاب، پلاک 275"


@given(st.integers(min_value=0, max_value=10**15))
def test_toman_is_ten_rial(amount):
    assert to_rial(amount, Currency.TOMAN) == to_rial(amount, Currency.IRR) * 10


def test_amounts_as_typed():
    assert parse_amount("۱۲٬۵۰۰٬۰۰۰") == Decimal(12_500_000)
    assert parse_amount("12,500,000.50") == Decimal("12500000.50")
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount("twelve")


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_jalali_round_trip(day):
    assert jalali_to_gregorian(gregorian_to_jalali(day)) == day


def test_known_jalali_dates():
    assert jalali_to_gregorian("1403/01/01") == date(2024, 3, 20)
    assert jalali_to_gregorian("۱۴۰۳-۰۱-۰۱") == date(2024, 3, 20)
    assert jalali_month_label(date(2024, 3, 20)) == "1403/01"
    with pytest.raises(ValueError, match="not a Jalali date"):
        jalali_to_gregorian("yesterday")
