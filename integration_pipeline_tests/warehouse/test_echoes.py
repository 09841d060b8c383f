"""The pipeline's own updates, read back, keep a landed table's data version; any other change
moves it (warehouse/echoes.py). The landings against the real CRM and ERP are tested in
test_crm_landing.py and test_erp_landing.py."""

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from integration_pipeline.connectors.hubspot.landing import SCHEMA, to_arrow
from integration_pipeline.syncs.outbox import Outcome, add_planned, mark
from integration_pipeline.syncs.planning import PlannedWrite
from integration_pipeline.warehouse.arrow_load import replace_table, transaction
from integration_pipeline.warehouse.echoes import (
    SentUpdate,
    crm_source,
    is_echo,
    merge_with_echoes,
    settle,
)
from integration_pipeline.warehouse.fingerprint import ensure_offsets, extract_version

HELD_AT = datetime(2026, 12, 1, 9, 0)
STAMPS = frozenset({"updated_at"})
HELD = {"name": "Kavir", "phone": "+982188881234", "updated_at": HELD_AT}


def _sent(after: timedelta, **values) -> SentUpdate:
    return SentUpdate(values, HELD_AT + after)


@pytest.mark.parametrize(
    ("incoming", "sent", "echo"),
    [
        # the value the pipeline sent, and a new change stamp
        ({"name": "Kavir Steel"}, [_sent(timedelta(minutes=1), name="Kavir Steel")], True),
        # the latest of two sends is what the record holds
        (
            {"name": "B"},
            [_sent(timedelta(minutes=1), name="A"), _sent(timedelta(minutes=2), name="B")],
            True,
        ),
        # HubSpot gives numbers back as it likes them: 12.0 for 12
        ({"phone": "12.0"}, [_sent(timedelta(minutes=1), phone="12")], True),
        # another field changed as well: news
        (
            {"name": "Kavir Steel", "phone": "+989121234567"},
            [_sent(timedelta(minutes=1), name="Kavir Steel")],
            False,
        ),
        # someone changed the field the pipeline had written
        ({"name": "Kavir Co"}, [_sent(timedelta(minutes=1), name="Kavir Steel")], False),
        # sent before the held copy last changed: the copy had it already
        ({"name": "Kavir Steel"}, [_sent(-timedelta(minutes=1), name="Kavir Steel")], False),
        # only the stamp moved, and the pipeline sent nothing: someone touched the record
        ({}, [], False),
    ],
)
def test_a_row_read_back_is_an_echo_only_of_values_the_pipeline_sent_since(incoming, sent, echo):
    changed = HELD | incoming | {"updated_at": HELD_AT + timedelta(minutes=3)}
    assert is_echo(HELD, changed, sent, HELD_AT, STAMPS) is echo


def _company(name: str, phone: str, modified: str) -> dict:
    return {
        "id": "101",
        "properties": {"name": name, "phone": phone, "hs_lastmodifieddate": modified},
        "createdAt": "2026-11-01T08:00:00Z",
        "updatedAt": modified,
        "archived": False,
    }


def _land(connection: duckdb.DuckDBPyConnection, record: dict):
    with transaction(connection):
        merged = merge_with_echoes(
            connection, "crm.companies", [to_arrow([record])], crm_source("companies")
        )
        settle(connection, "crm.companies", merged)
    return merged


def _send(connection: duckdb.DuckDBPyConnection, key: str, name: str) -> None:
    """An update of company 101 planned and marked sent, as the apply step does."""
    write = PlannedWrite(f"customer_fields_to_crm:101:{key}", "101", "update", {"name": name})
    add_planned(connection, "customer_fields_to_crm", "crm", "companies", [write], "run-1")
    mark(connection, [Outcome(write.idempotency_key, "sent", target_id="101")], "run-1")


def test_an_echo_keeps_the_tables_version_until_news_moves_it(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_offsets(connection)
    replace_table(
        connection,
        "crm.companies",
        SCHEMA,
        [to_arrow([_company("Kavir", "+982188881234", "2026-12-01T09:00:00Z")])],
    )
    landed = extract_version(connection, "crm.companies")

    _send(connection, "a", "Kavir Steel")
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    merged = _land(connection, _company("Kavir Steel", "+982188881234", now))
    assert (merged.rows, merged.echoes, merged.news) == (1, 1, 0)
    assert extract_version(connection, "crm.companies") == landed
    (name,) = connection.execute("SELECT properties ->> 'name' FROM crm.companies").fetchone()
    assert name == "Kavir Steel", "the echo is landed all the same"

    # Read again unchanged: nothing new, the version still stands.
    assert _land(connection, _company("Kavir Steel", "+982188881234", now)).news == 0
    assert extract_version(connection, "crm.companies") == landed

    # Someone changes the phone: news, and the version is the content's own again.
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    merged = _land(connection, _company("Kavir Steel", "+989121234567", later))
    assert (merged.echoes, merged.news) == (0, 1)
    moved = extract_version(connection, "crm.companies")
    assert moved != landed
    replace_table(
        connection,
        "crm.fresh",
        SCHEMA,
        [to_arrow([_company("Kavir Steel", "+989121234567", later)])],
    )
    assert moved.split("-", 1)[1] == extract_version(connection, "crm.fresh").split("-", 1)[1]
