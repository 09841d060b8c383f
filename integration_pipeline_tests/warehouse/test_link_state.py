"""The matcher's last records and pairs, kept in the warehouse under a signature."""

import duckdb
import pandas as pd

from integration_pipeline.warehouse.link_state import keep_link, last_link, signature


def test_kept_records_and_pairs_come_back_under_their_signature_only(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert last_link(connection, "any") is None  # nothing kept yet
    hashes = pd.Series([2**64 - 1, 7], index=["crm:a", "erp:b"], dtype="uint64")
    pairs = pd.DataFrame(
        {"unique_id_l": ["crm:a"], "unique_id_r": ["erp:b"], "match_probability": [0.97]}
    )
    model = {"link_type": "dedupe_only", "comparisons": [1, 2]}
    kept_as = signature(model, 0.9, "code-1")
    keep_link(connection, kept_as, hashes, pairs)

    back_hashes, back_pairs = last_link(connection, signature(dict(model), 0.9, "code-1"))
    assert back_hashes.to_dict() == hashes.to_dict()  # the largest 64-bit hash intact
    assert back_pairs.to_dict("records") == pairs.to_dict("records")
    assert last_link(connection, signature(model, 0.95, "code-1")) is None
    assert last_link(connection, signature(model, 0.9, "code-2")) is None

    keep_link(connection, kept_as, hashes.iloc[:1], pairs.iloc[:0])  # replaced, not added
    back_hashes, back_pairs = last_link(connection, kept_as)
    assert list(back_hashes.index) == ["crm:a"] and back_pairs.empty
