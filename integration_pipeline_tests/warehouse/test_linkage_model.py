"""The matcher's model is used again the same day on a like population, trained anew else."""

import duckdb

from integration_pipeline.warehouse.linkage_model import MODEL, keep_model, todays_model

TRAINED = {"link_type": "dedupe_only", "comparisons": [{"output_column_name": "email_std"}]}


def test_todays_model_on_a_like_population_is_used_again():
    connection = duckdb.connect()
    assert todays_model(connection, 1000) is None  # nothing trained yet
    keep_model(connection, TRAINED, 1000)
    assert todays_model(connection, 1050) == TRAINED
    assert todays_model(connection, 1200) is None  # grew by 20 %: train anew
    keep_model(connection, {**TRAINED, "link_type": "link_only"}, 1200)
    assert connection.execute(f"SELECT count(*) FROM {MODEL}").fetchone() == (1,)
    assert todays_model(connection, 1200)["link_type"] == "link_only"


def test_yesterdays_model_is_not_used():
    connection = duckdb.connect()
    keep_model(connection, TRAINED, 1000)
    connection.execute(f"UPDATE {MODEL} SET trained_at = trained_at - INTERVAL 1 DAY")
    assert todays_model(connection, 1000) is None
