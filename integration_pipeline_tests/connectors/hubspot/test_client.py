"""The HubSpot connector against the real CRM sandbox server (faults made by the server)."""

import time

import duckdb
import httpx
import pytest

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.errors import HubSpotAuthError, HubSpotUnavailable
from integration_pipeline.connectors.hubspot.extract import (
    Cursor,
    archived_since,
    changed_since,
    with_associations,
)
from integration_pipeline.connectors.hubspot.landing import to_arrow
from integration_pipeline_tests.conftest import serve_crm

pytestmark = pytest.mark.slow


def _client(crm, **options) -> HubSpotClient:
    return HubSpotClient(crm.url, crm.token, **options)


def test_full_extraction_with_associations_lands_in_duckdb(crm, demo_dataset, tmp_path):
    with _client(crm) as client:
        records = [
            r for page in client.pages("companies", ["name", "city"], ["contacts"]) for r in page
        ]
    expected = {r.id for r in demo_dataset.crm if r.object_type == "companies"}
    assert {r["id"] for r in records} == expected
    table = to_arrow(records)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.register("incoming", table)
        connection.execute("CREATE TABLE crm_companies AS SELECT * FROM incoming")
        rows, linked = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE json_array_length(associations->'$.contacts')"
            " > 0) FROM crm_companies"
        ).fetchone()
    assert rows == len(expected) and linked == len(expected)


def test_incremental_is_strictly_greater_and_sees_deletes(crm, demo_dataset):
    with _client(crm) as client:
        everything = list(changed_since(client, "contacts", None, ["email"]))
        cursor = max(Cursor.of(r, "contacts") for r in everything)
        assert list(changed_since(client, "contacts", cursor, ["email"])) == []  # no re-emit
        time.sleep(0.01)
        changed = [everything[0]["id"], everything[3]["id"]]
        outcome = client.batch(
            "contacts", "update", [{"id": i, "properties": {"jobtitle": "buyer"}} for i in changed]
        )
        assert not outcome.errors
        again = list(changed_since(client, "contacts", cursor, ["email"]))
        assert sorted(r["id"] for r in again) == sorted(changed)
        linked = with_associations(client, "contacts", again, ["companies"])
        expected_links = {
            r.id: [i for t, i in r.associations if t == "companies"]
            for r in demo_dataset.crm
            if r.id in changed
        }
        assert {
            r["id"]: [a["id"] for a in r["associations"]["companies"]["results"]] for r in linked
        } == expected_links
        client.batch("contacts", "archive", [{"id": changed[0]}])
        deleted = list(archived_since(client, "contacts", cursor.as_iso(), ["email"]))
        assert [r["id"] for r in deleted] == [changed[0]]


def test_windows_re_split_past_the_search_cap(tmp_path, demo_files, demo_dataset):
    # A cap of 20 (HubSpot's is 10,000) forces many windows over the demo's records.
    for server in serve_crm(tmp_path / "crm", demo_files, "--search-cap", "20"):
        with HubSpotClient(server.url, server.token) as client:
            found = list(changed_since(client, "line_items", None, ["name"], cap=20, page_size=10))
    expected = [r.id for r in demo_dataset.crm if r.object_type == "line_items"]
    assert len(expected) > 2 * 20  # more than two windows of the cap
    assert sorted(r["id"] for r in found) == sorted(expected)  # all, each once


def test_batch_writes_split_and_return_per_record_errors(crm):
    inputs = [
        {"properties": {"firstname": f"Batch {i}", "email": f"batch{i}@example.com"}}
        for i in range(230)
    ]
    inputs[7]["properties"]["shoe_size"] = "42"
    inputs[150]["properties"]["email"] = "batch0@example.com"  # duplicate unique value
    with _client(crm) as client:
        outcome = client.batch("contacts", "create", inputs)
        assert client.stats.requests == 3  # 100 + 100 + 30
    assert len(outcome.results) == 228 and len(outcome.errors) == 2
    rows = outcome.quarantine_rows("customers", run_id="run-1")
    assert sorted((r["key"], r["rule"]) for r in rows) == [
        ("batch0@example.com", "CONFLICT"),
        ("batch7@example.com", "VALIDATION_ERROR"),
    ]
    assert all(r["reason"] and r["run_id"] == "run-1" for r in rows)
    assert len(outcome.results) + len(rows) == len(inputs)  # every input accounted for


def test_governor_keeps_429s_away(tmp_path, demo_files):
    for server in serve_crm(tmp_path / "crm", demo_files, "--requests-per-10s", "20"):
        with HubSpotClient(server.url, server.token, requests_per_10s=20) as client:
            for _ in range(30):
                client.call("GET", "/crm/v3/objects/products", params={"limit": 1})
            assert client.stats.throttled == 0
            assert client.stats.paced_s > 0


def test_retries_ride_out_injected_faults(tmp_path, demo_files, demo_dataset):
    for server in serve_crm(tmp_path / "crm", demo_files, "--error-rate", "0.3"):
        with HubSpotClient(server.url, server.token, backoff_base_s=0.01) as client:
            records = [
                r for page in client.pages("deals", ["dealname"], page_size=10) for r in page
            ]
            assert client.stats.retries > 0
    assert len(records) == sum(1 for r in demo_dataset.crm if r.object_type == "deals")


def test_timeouts_are_retried_then_reported(tmp_path, demo_files):
    for server in serve_crm(tmp_path / "crm", demo_files, "--timeout-rate", "1.0"):
        client = HubSpotClient(
            server.url, server.token, timeout_s=0.3, max_retries=2, backoff_base_s=0.01
        )
        with client, pytest.raises(HubSpotUnavailable, match="Timeout"):
            client.call("GET", "/crm/v3/objects/deals")
        assert client.stats.requests == 3


def test_retry_after_is_honoured(tmp_path, demo_files):
    options = ("--searches-per-s", "1", "--retry-after-header")
    for server in serve_crm(tmp_path / "crm", demo_files, *options):
        # Search answers carry no rate-limit headers, and the client believes in a bigger
        # budget: only the server's 429 and its Retry-After can pace it.
        with HubSpotClient(server.url, server.token, searches_per_s=100) as client:
            started = time.monotonic()
            for _ in range(3):
                client.search("products", {"limit": 1})
            assert client.stats.throttled == 2 and client.stats.retries == 2
            assert time.monotonic() - started >= 2  # waited as told, once per 429


def test_wrong_token_fails_once_without_retrying(crm):
    client = HubSpotClient(crm.url, "wrong-token")
    with client, pytest.raises(HubSpotAuthError):
        client.call("GET", "/crm/v3/objects/contacts")
    assert client.stats.requests == 1 and client.stats.retries == 0


def test_custom_properties_are_created_once(crm):
    definition = {
        "name": "erp_party_id",
        "label": "ERP party id",
        "type": "string",
        "fieldType": "text",
        "groupName": "companyinformation",
    }
    with _client(crm) as client:
        assert client.ensure_properties("companies", [definition]) == ["erp_party_id"]
        assert client.ensure_properties("companies", [definition]) == []
    listed = httpx.get(f"{crm.url}/crm/v3/properties/companies/erp_party_id", headers=crm.headers())
    assert listed.status_code == 200
