"""Persian text normalisation: properties that hold for any text, and the known variants."""

from hypothesis import given
from hypothesis import strategies as st

from integration_pipeline.cleansing.persian import (
    ZWNJ,
    ascii_digits,
    matching_key,
    normalize_persian,
)
from integration_pipeline.sandbox.demo import dirt

PERSIAN_ALPHABET = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكۀةأإ ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩" + ZWNJ + "ًٌٍَُِّْ"
persian_text = st.text(alphabet=PERSIAN_ALPHABET + "abcXYZ019 \t", max_size=40)


@given(persian_text)
def test_normalising_twice_changes_nothing(text):
    once = normalize_persian(text)
    assert normalize_persian(once) == once
    assert matching_key(matching_key(text)) == matching_key(text)


@given(persian_text)
def test_the_result_has_no_arabic_forms_no_marks_and_ascii_digits(text):
    result = normalize_persian(text)
    assert not set(result) & set("يكةأإ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩ًٌٍَُِّْ")
    assert "  " not in result and result == result.strip()
    assert not result.startswith(ZWNJ) and not result.endswith(ZWNJ)


@given(st.integers(min_value=0, max_value=10**12))
def test_digits_of_every_script_read_the_same(number):
    text = str(number)
    assert ascii_digits(dirt.to_digits(text, dirt.PERSIAN_DIGITS)) == text
    assert ascii_digits(dirt.to_digits(text, dirt.ARABIC_INDIC_DIGITS)) == text


@given(st.sampled_from(["علی کریمی", "شرکت نمونه‌ای صنعت", "می‌خواهم", "کیان"]), st.randoms())
def test_every_typing_variant_of_the_demo_dirt_has_one_matching_key(text, rng):
    assert matching_key(dirt.persian_text_variant(text, rng)) == matching_key(text)


def test_known_spellings():
    assert normalize_persian(" علي  كريمي ") == "علی کریمی"
    assert normalize_persian("مُحَمَّد") == "محمد"
    assert normalize_persian("می \u200c خواهم") == "می\u200cخواهم"
    assert matching_key("نمونه ای") == matching_key("نمونه‌ای") == matching_key("نمونهای")
