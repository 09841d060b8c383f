"""The CRM sandbox answers bad requests as HubSpot does: status and error body."""

import httpx
import pytest

from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.crm.process import start_crm
from integration_pipeline_tests.conftest import free_port

pytestmark = pytest.mark.slow


def _post(crm, path: str, body, raw: bytes | None = None) -> httpx.Response:
    url = f"{crm.url}{path}"
    if raw is not None:
        return httpx.post(
            url, content=raw, headers={**crm.headers(), "Content-Type": "application/json"}
        )
    return httpx.post(url, json=body, headers=crm.headers())


def _error(response: httpx.Response, status: int, category: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["category"] == category
    assert body["correlationId"] and body["message"]
    return body


def test_malformed_json(crm):
    _error(
        _post(crm, "/crm/v3/objects/contacts", None, raw=b'{"properties": '),
        400,
        "VALIDATION_ERROR",
    )


def test_unknown_property(crm):
    body = _error(
        _post(crm, "/crm/v3/objects/contacts", {"properties": {"shoe_size": "42"}}),
        400,
        "VALIDATION_ERROR",
    )
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert body["errors"][0]["context"]["propertyName"] == ["shoe_size"]


def test_wrong_value_types(crm):
    _error(
        _post(crm, "/crm/v3/objects/contacts", {"properties": {"firstname": {"a": 1}}}),
        400,
        "VALIDATION_ERROR",
    )
    body = _error(
        _post(crm, "/crm/v3/objects/deals", {"properties": {"amount": "lots"}}),
        400,
        "VALIDATION_ERROR",
    )
    assert body["errors"][0]["code"] == "INVALID_DECIMAL"


def test_oversized_batch(crm):
    inputs = [{"properties": {"firstname": f"n{i}"}} for i in range(101)]
    body = _error(
        _post(crm, "/crm/v3/objects/contacts/batch/create", {"inputs": inputs}),
        400,
        "VALIDATION_ERROR",
    )
    assert "100" in body["message"]


def test_unknown_object_type(crm):
    response = httpx.get(f"{crm.url}/crm/v3/objects/spaceships", headers=crm.headers())
    assert "Unable to infer object type" in _error(response, 400, "VALIDATION_ERROR")["message"]


def test_missing_record(crm):
    response = httpx.get(f"{crm.url}/crm/v3/objects/contacts/123", headers=crm.headers())
    _error(response, 404, "OBJECT_NOT_FOUND")


def test_wrong_token(crm):
    response = httpx.get(
        f"{crm.url}/crm/v3/objects/contacts", headers={"Authorization": "Bearer wrong"}
    )
    _error(response, 401, "INVALID_AUTHENTICATION")


def test_partial_batch_failure_is_207_and_keeps_good_rows(crm):
    inputs = [
        {"properties": {"email": "new.one@example.com"}},
        {"properties": {"email": "bad@example.com", "shoe_size": "42"}},
        {"properties": {"email": "new.two@example.com"}},
    ]
    response = _post(crm, "/crm/v3/objects/contacts/batch/create", {"inputs": inputs})
    assert response.status_code == 207
    body = response.json()
    assert body["numErrors"] == 1 and len(body["results"]) == 2
    assert body["errors"][0]["context"] == {"inputIndex": ["1"]}


def test_duplicate_unique_value_conflicts(crm):
    first = _post(crm, "/crm/v3/objects/contacts", {"properties": {"email": "x@example.com"}})
    assert first.status_code == 201
    _error(
        _post(crm, "/crm/v3/objects/contacts", {"properties": {"email": "X@example.com"}}),
        409,
        "CONFLICT",
    )


def test_state_survives_a_restart(crm, demo_files):
    created = _post(crm, "/crm/v3/objects/companies", {"properties": {"name": "Durable Co"}})
    assert created.status_code == 201
    processes.stop(crm.pid)
    port = free_port()
    pid = start_crm(crm.folder, port, crm.token, demo_files)
    try:
        again = httpx.get(
            f"http://127.0.0.1:{port}/crm/v3/objects/companies/"
            f"{created.json()['id']}?properties=name",
            headers=crm.headers(),
        )
        assert again.json()["properties"]["name"] == "Durable Co"
    finally:
        processes.stop(pid)
