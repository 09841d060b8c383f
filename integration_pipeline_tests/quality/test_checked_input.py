"""A check's input, fingerprinted: the same rows in any order are the same input; a
repeated row, another column or other code is not."""

import pandas as pd

from integration_pipeline.quality.checked_input import checked_input


def test_the_same_rows_in_another_order_are_the_same_input():
    rows = pd.DataFrame({"key": ["a", "b", "c"]})
    shuffled = rows.iloc[[2, 0, 1]]
    assert checked_input(rows, "v1") == checked_input(shuffled, "v1")


def test_a_repeated_row_does_not_cancel_out():
    # Of the same length, and equal under an XOR of row hashes (a ^ a == b ^ b == 0).
    once_each = pd.DataFrame({"key": ["c", "a", "a"]})
    other = pd.DataFrame({"key": ["c", "b", "b"]})
    assert checked_input(once_each, "v1") != checked_input(other, "v1")


def test_other_columns_or_other_code_are_another_input():
    rows = pd.DataFrame({"key": ["a", "b"]})
    assert checked_input(rows, "v1") != checked_input(rows.rename(columns={"key": "id"}), "v1")
    assert checked_input(rows, "v1") != checked_input(rows, "v2")
