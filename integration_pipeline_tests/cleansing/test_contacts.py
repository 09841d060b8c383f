"""E-mails and phones: one form each, or None."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integration_pipeline.cleansing.contacts import is_mobile, normalize_email, normalize_phone
from integration_pipeline.sandbox.demo import dirt

MOBILES = st.integers(min_value=0, max_value=9_999_999).map(lambda n: f"+98912{n:07d}")


@given(MOBILES, st.randoms())
def test_every_way_of_writing_an_iranian_mobile_gives_its_e164(e164, rng):
    assert normalize_phone(dirt.iran_phone_variant(e164, rng)) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "09121234567",
        "+98 912 123 4567",
        "0098 912 123 4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "(0912) 123-4567",
        "989121234567",
    ],
)
def test_iranian_mobile_forms(typed):
    assert normalize_phone(typed) == "+989121234567"


def test_landlines_other_countries_and_rubbish():
    assert normalize_phone("021 8888 1234") == "+982188881234"
    assert not is_mobile("+982188881234") and is_mobile("+989121234567")
    assert normalize_phone("020 7946 0018", region="GB") == "+442079460018"
    assert normalize_phone("12") is None and normalize_phone("not a phone") is None
    assert normalize_phone("") is None and normalize_phone(None) is None


@given(st.emails(), st.randoms())
def test_valid_addresses_survive_the_demo_variants(email, rng):
    email = email.lower()
    if normalize_email(email) is None:  # hypothesis' RFC forms go beyond what we accept
        return
    assert normalize_email(dirt.email_variant(email, rng)) == email


def test_invalid_addresses_are_refused_not_guessed():
    rng = random.Random(3)
    for _ in range(50):
        assert normalize_email(dirt.invalid_email("sara.ahmadi@example.ir", rng)) is None
    assert normalize_email(" mailto:Sara@Example.IR ") == "sara@example.ir"
    assert normalize_email("a..b@example.ir") is None and normalize_email(None) is None
