"""Finding a golden customer by name (any spelling variant the cleansing handles), e-mail,
phone or national id: every record's values as matching keys, and a query turned into the
same keys."""

import duckdb
import pandas as pd

from integration_pipeline.cleansing.contacts import normalize_email, normalize_phone
from integration_pipeline.cleansing.names import company_key, person_key
from integration_pipeline.cleansing.persian import ascii_digits

SEARCH_TABLE = "marts.customer_search"


def query_keys(text: str) -> set[str]:
    """The keys a query may match: as a name (person or company), an e-mail, a phone, an id."""
    # The text itself too: an e-mail typed wrongly in a system is found as it was typed.
    keys = {
        company_key(text),
        person_key(text, None),
        normalize_email(text) or text.strip().lower(),
    }
    keys.add(normalize_phone(text) or "")
    digits = ascii_digits(text).strip()
    if digits.isdigit():
        keys.add(digits)
    return {k for k in keys if k}


def record_keys(records: pd.DataFrame) -> pd.DataFrame:
    """The search keys of each record of staging.customer_records: one row per (record, key),
    with the record's index."""
    rows = records.astype(object).where(records.notna(), None)  # NaN is not text
    index, ids, keys = [], [], []
    for position, r in zip(rows.index, rows.itertuples(index=False), strict=True):
        candidates = (
            company_key(r.company) if r.company else "",
            person_key(r.first_name, r.last_name) if (r.first_name or r.last_name) else "",
            (normalize_email(r.email) or r.email.strip().lower()) if r.email else "",
            normalize_phone(r.phone) or "",
            ascii_digits(r.national_id).strip() if r.national_id else "",
        )
        for key in dict.fromkeys(k for k in candidates if k):
            index.append(position)
            ids.append(r.id)
            keys.append(key)
    return pd.DataFrame({"id": ids, "key": keys}, index=index, dtype=object)


def search_rows(keys: pd.DataFrame, id_map: pd.DataFrame) -> pd.DataFrame:
    """`keys`: `record_keys` of the records; `id_map`: core.customer_id_map. One row per
    (golden_id, key)."""
    merged = keys.merge(id_map[["unique_id", "golden_id"]], left_on="id", right_on="unique_id")
    # Sorted by code point, as Python sorts text (a set of tuples took 0.14 s at 10,000
    # customers, this 0.07 s).
    rows = merged[["golden_id", "key"]].drop_duplicates().sort_values(["golden_id", "key"])
    return rows.reset_index(drop=True)


def find_customers(connection: duckdb.DuckDBPyConnection, text: str) -> pd.DataFrame:
    """The customer 360 rows the query names: exact keys first; else names containing it."""
    keys = sorted(query_keys(text))
    if not keys:
        return connection.execute("SELECT * FROM marts.customer_360 LIMIT 0").df()
    marks = ", ".join("?" for _ in keys)
    found = connection.execute(
        f"SELECT * FROM marts.customer_360 WHERE golden_id IN "
        f"(SELECT golden_id FROM {SEARCH_TABLE} WHERE key IN ({marks})) ORDER BY name",
        keys,
    ).df()
    if len(found):
        return found
    name_key = company_key(text)
    if len(name_key) < 3:
        return found
    return connection.execute(
        f"SELECT * FROM marts.customer_360 WHERE golden_id IN (SELECT golden_id FROM "
        f"{SEARCH_TABLE} WHERE contains(key, ?)) ORDER BY name LIMIT 20",
        [name_key],
    ).df()
