"""Search keys: a record's values and a query in any spelling meet on the same key."""

import pandas as pd

from integration_pipeline.analytics.customer_search import query_keys, record_keys, search_rows


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": "erp:C1",
                "company": "شركت پارس كالا",  # Arabic yeh and kaf
                "first_name": None,
                "last_name": None,
                "email": "Info@ParsKala.IR",
                "phone": "0098 21 8888 1234",
                "national_id": "۱۰۱۰۰۳۸۹۶۷۸",
            },
            {
                "id": "crm:companies:7",
                "company": None,
                "first_name": "Sara",
                "last_name": "Ahmadi",
                "email": "sara.ahmadi gmail.com",  # not an e-mail: found as typed
                "phone": None,
                "national_id": None,
            },
        ]
    )


def test_every_spelling_of_a_customer_finds_its_keys():
    id_map = pd.DataFrame({"unique_id": ["erp:C1", "crm:companies:7"], "golden_id": ["g1", "g2"]})
    rows = search_rows(record_keys(_records()), id_map)
    keys = dict(zip(rows["key"], rows["golden_id"], strict=True))
    for query in (
        "شرکت پارس کالا",  # Persian yeh and kaf
        "پارس\u200cکالا",  # zero-width non-joiner, no legal form
        "info@parskala.ir",
        "+982188881234",
        "021 8888 1234",
        "10100389678",
    ):
        assert any(keys.get(k) == "g1" for k in query_keys(query)), query
    assert any(keys.get(k) == "g2" for k in query_keys("sara ahmadi"))
    assert any(keys.get(k) == "g2" for k in query_keys(" Sara.Ahmadi gmail.com"))


def test_an_empty_query_has_no_keys():
    assert query_keys("   ") == set()
