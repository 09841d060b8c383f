"""Row-wise results kept between runs, on a real DuckDB: only changed rows are computed, the
result is the one a full computation gives (order and index included), and the kept table
follows the current rows and the computation's version."""

import duckdb
import pandas as pd
import pytest

from integration_pipeline.analytics.customer_search import record_keys
from integration_pipeline.cleansing.standardise import standardised_rows
from integration_pipeline.warehouse.row_memo import memoised


@pytest.fixture
def connection():
    with duckdb.connect() as connection:
        connection.execute("CREATE SCHEMA core")
        yield connection


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["crm:1", "crm:2", "erp:3", "erp:4"],
            "first_name": ["Sara", None, None, "علی"],
            "last_name": ["Ahmadi", None, None, "رضایی"],
            "company": [None, "Acme Ltd", "شرکت نمونه", None],
            "email": ["Sara@Example.com", None, "info@namoone.ir", "ali@x"],
            "phone": ["0912 123 4567", "+44 20 7946 0018", None, "۰۹۱۲۱۲۳۴۵۶۷"],
            "street": [None, "1 High St", "خیابان انقلاب", None],
            "city": ["تهران", "London", "Tehran", None],
            "postal_code": [None, "SW1A 1AA", None, None],
            "country": ["IR", "GB", "IR", None],
            "national_id": [None, None, None, "0013542419"],
            "birth_date": ["1370/01/01", None, None, "1990-05-01"],
        },
        index=[10, 11, 12, 13],  # not 0..n: the index must come back as given
    )


class Counted:
    def __init__(self, function):
        self.function, self.rows = function, []

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        self.rows.append(list(frame["id"]))
        return self.function(frame)


def test_only_the_changed_rows_are_computed_and_the_result_is_a_full_computations(connection):
    records = _records()
    compute = Counted(standardised_rows)
    first = memoised(connection, "core.standard", "v1", records, compute)
    assert compute.rows == [["crm:1", "crm:2", "erp:3", "erp:4"]]
    pd.testing.assert_frame_equal(first, standardised_rows(records))

    records.loc[12, "company"] = "Renamed company"
    again = memoised(connection, "core.standard", "v1", records, compute)
    assert compute.rows[-1] == ["erp:3"]
    pd.testing.assert_frame_equal(again, standardised_rows(records))
    # The table holds the current rows' results only: the renamed row's old one is gone.
    held = connection.execute("SELECT count(*), count(DISTINCT _row_hash) FROM core.standard")
    assert held.fetchall() == [(4, 4)]

    unchanged = memoised(connection, "core.standard", "v1", records, compute)
    assert compute.rows[-1] == []
    pd.testing.assert_frame_equal(unchanged, standardised_rows(records))


def test_another_version_computes_everything_and_the_table_follows_the_current_rows(connection):
    records = _records()
    compute = Counted(standardised_rows)
    memoised(connection, "core.standard", "v1", records, compute)
    memoised(connection, "core.standard", "v2", records, compute)
    assert compute.rows[-1] == ["crm:1", "crm:2", "erp:3", "erp:4"]

    fewer = records.drop(index=[11, 13])
    memoised(connection, "core.standard", "v2", fewer, compute)
    assert compute.rows[-1] == []
    kept = connection.execute("SELECT count(*), min(_version) FROM core.standard").fetchall()
    assert kept == [(2, "v2")]


def test_several_output_rows_per_input_row(connection):
    records = _records()
    first = memoised(connection, "core.keys", "v1", records, record_keys)
    again = memoised(connection, "core.keys", "v1", records, record_keys)
    expected = record_keys(records)
    assert len(expected) > len(records)
    for result in (first, again):
        pd.testing.assert_frame_equal(result, expected)


def test_no_rows(connection):
    empty = _records().iloc[0:0]
    result = memoised(connection, "core.standard", "v1", empty, standardised_rows)
    assert result.empty and list(result.columns) == list(standardised_rows(empty).columns)
