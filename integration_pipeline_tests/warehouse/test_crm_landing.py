"""CRM objects landed by cursor against the real CRM sandbox end up the same as a full read:
changed properties, new records and their links (also on the records they point at),
archived records with the links they keep — while reading only what changed."""

import json
from datetime import timedelta

import duckdb
import pytest

from integration_pipeline.assets.crm_raw import crm_object
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.syncs.outbox import Outcome, add_planned, mark
from integration_pipeline.syncs.planning import PlannedWrite
from integration_pipeline.warehouse.crm_landing import SMALL_OBJECT_ROWS, land_crm_object
from integration_pipeline.warehouse.fingerprint import extract_version

pytestmark = pytest.mark.slow

OBJECTS = ("companies", "contacts", "deals", "line_items")


def _land_one(connection, client, object_type: str, full: bool = False):
    return land_crm_object(
        connection, client, crm_object(object_type), full_refresh=full, overlap=timedelta(0)
    )


def _land(connection, client, full: bool) -> dict:
    return {name: _land_one(connection, client, name, full) for name in OBJECTS}


def _table(connection, name: str) -> list[tuple]:
    rows = connection.execute(
        f"SELECT id, properties, associations, archived FROM crm.{name} ORDER BY id"
    ).fetchall()
    return [
        (
            row_id,
            json.loads(properties),
            {k: sorted(v) for k, v in json.loads(links).items() if v},
            archived,
        )
        for row_id, properties, links, archived in rows
    ]


def test_an_incremental_landing_equals_a_full_read(crm, tmp_path):
    incremental = duckdb.connect(str(tmp_path / "incremental.duckdb"))
    incremental.execute("CREATE SCHEMA crm")
    with HubSpotClient(crm.url, crm.token) as client:
        first = _land(incremental, client, full=False)
        assert {r.mode for r in first.values()} == {"full"}, "nothing landed yet: a full read"

        company = incremental.execute("SELECT min(id) FROM crm.companies").fetchone()[0]
        contact = incremental.execute(
            "SELECT max(id) FROM crm.contacts WHERE NOT archived"
        ).fetchone()[0]
        deal = incremental.execute("SELECT min(id) FROM crm.deals").fetchone()[0]
        client.call(
            "PATCH",
            f"/crm/v3/objects/companies/{company}",
            json={"properties": {"name": "Sepahan Steel (renamed)"}},
        )
        item = client.call(
            "POST",
            "/crm/v3/objects/line_items",
            json={"properties": {"name": "extra", "quantity": "2", "price": "1000"}},
        )
        client.call(
            "PUT", f"/crm/v4/objects/line_items/{item['id']}/associations/default/deals/{deal}"
        )
        client.call("DELETE", f"/crm/v3/objects/contacts/{contact}")
        # An archived company keeps its links to its (live) people.
        archived_company = incremental.execute("SELECT max(id) FROM crm.companies").fetchone()[0]
        client.call("DELETE", f"/crm/v3/objects/companies/{archived_company}")

        second = _land(incremental, client, full=False)
        # Nothing changed since the second read began: nothing is read.
        third = _land(incremental, client, full=False)
        full = duckdb.connect(str(tmp_path / "full.duckdb"))
        full.execute("CREATE SCHEMA crm")
        _land(full, client, full=True)

    assert {r.mode for r in second.values()} == {"incremental"}
    assert second["line_items"].rows_read < first["line_items"].rows_read
    assert {name: r.rows_read for name, r in third.items()} == dict.fromkeys(OBJECTS, 0)
    for name in OBJECTS:
        assert _table(incremental, name) == _table(full, name), name
    links = json.loads(
        incremental.execute(f"SELECT associations FROM crm.deals WHERE id = {deal}").fetchone()[0]
    )
    assert item["id"] in links["line_items"]


def test_a_small_object_nothing_links_to_is_listed_whole_every_time(crm, tmp_path):
    """Products: one page of the list endpoint, not a search (the 5-a-second search budget is
    the large objects')."""
    connection = duckdb.connect(str(tmp_path / "small.duckdb"))
    connection.execute("CREATE SCHEMA crm")

    def land(client):
        return _land_one(connection, client, "products")

    with HubSpotClient(crm.url, crm.token) as client:
        first = land(client)
        product = connection.execute("SELECT min(id) FROM crm.products").fetchone()[0]
        client.call(
            "PATCH",
            f"/crm/v3/objects/products/{product}",
            json={"properties": {"name": "Renamed product"}},
        )
        second = land(client)
    assert first.mode == second.mode == "full"
    assert 0 < second.rows_read == first.rows_read <= SMALL_OBJECT_ROWS
    (properties,) = connection.execute(
        f"SELECT properties FROM crm.products WHERE id = {product}"
    ).fetchone()
    assert json.loads(properties)["name"] == "Renamed product"


def test_the_pipelines_own_update_read_back_keeps_the_tables_version(crm, tmp_path):
    """No ping-pong: the company the pipeline renamed is read back and landed, but it is not
    news for the steps after the extract; a change made by someone else is."""
    connection = duckdb.connect(str(tmp_path / "echo.duckdb"))
    connection.execute("CREATE SCHEMA crm")

    def land(client):
        return _land_one(connection, client, "companies")

    with HubSpotClient(crm.url, crm.token) as client:
        land(client)
        landed = extract_version(connection, "crm.companies")
        (renamed, touched) = [
            str(row_id)
            for (row_id,) in connection.execute(
                "SELECT id FROM crm.companies WHERE NOT archived ORDER BY id LIMIT 2"
            ).fetchall()
        ]
        # As the apply step sends: planned in the outbox, sent, marked sent.
        write = PlannedWrite("customer_fields_to_crm:echo", renamed, "update", {"name": "Kavir"})
        add_planned(connection, "customer_fields_to_crm", "crm", "companies", [write], "run-1")
        client.call(
            "PATCH", f"/crm/v3/objects/companies/{renamed}", json={"properties": write.payload}
        )
        mark(connection, [Outcome(write.idempotency_key, "sent", target_id=renamed)], "run-1")

        echoed = land(client)
        assert (echoed.rows_read, echoed.echoes) == (1, 1)
        assert extract_version(connection, "crm.companies") == landed
        (name,) = connection.execute(
            f"SELECT properties ->> 'name' FROM crm.companies WHERE id = {renamed}"
        ).fetchone()
        assert name == "Kavir"

        client.call(
            "PATCH",
            f"/crm/v3/objects/companies/{touched}",
            json={"properties": {"phone": "+982144445555"}},
        )
        news = land(client)
    assert (news.rows_read, news.echoes) == (1, 0)
    assert extract_version(connection, "crm.companies") != landed
