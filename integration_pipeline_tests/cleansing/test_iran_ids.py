import random

from hypothesis import given
from hypothesis import strategies as st

from integration_pipeline.cleansing.iran_ids import (
    is_valid_company_id,
    is_valid_national_id,
    make_company_id,
    make_national_id,
)


def test_known_national_ids():
    # Published examples of valid codes (persian-tools' test suites).
    assert is_valid_national_id("0076229645")
    assert is_valid_national_id("1583250689")
    assert not is_valid_national_id("0076229646")  # wrong check digit
    assert not is_valid_national_id("1111111111")  # all equal digits pass the sum, not the rule
    assert not is_valid_national_id("007622964")  # too short
    assert not is_valid_national_id("۰۰۷۶۲۲۹۶۴۵")  # Persian digits: normalise first


def test_company_id_shape():
    assert not is_valid_company_id("1234567890")  # 10 digits: a person's id, not a company's
    assert not is_valid_company_id("1010021584a")


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_ids_are_valid(seed):
    rng = random.Random(seed)
    assert is_valid_national_id(make_national_id(rng))
    assert is_valid_company_id(make_company_id(rng))


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_caught(seed, shift):
    # Body digits are not always protected (remainders 1 and 10 share check digit 1);
    # the check digit itself always is.
    value = make_national_id(random.Random(seed))
    wrong = value[:9] + str((int(value[9]) + shift) % 10)
    assert not is_valid_national_id(wrong)
