"""The won-deals sensor against the real CRM sandbox: one run per batch of newly won deals,
a durable cursor, nothing again once synced, and an unreachable CRM keeps the cursor."""

import json

import dagster as dg
import pytest

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.orchestration.won_deals import won_deals_sensor
from integration_pipeline.resources import HubSpotResource
from integration_pipeline_tests.conftest import free_port

pytestmark = pytest.mark.slow

JOB = dg.define_asset_job("orders_flow_under_test", selection=dg.AssetSelection.all())


def _tick(sensor, crm_resource, cursor):
    context = dg.build_sensor_context(cursor=cursor, resources={"crm": crm_resource})
    result = sensor(context)
    return result, context.cursor


def test_newly_won_deals_start_one_run_and_the_cursor_holds(crm, demo_dataset, monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", crm.token)
    resource = HubSpotResource(base_url=crm.url, token_env_var="TEST_CRM_TOKEN")
    sensor = won_deals_sensor(JOB)
    won_before = {
        r.id
        for r in demo_dataset.crm
        if r.object_type == "deals" and r.properties["dealstage"] == "closedwon"
    }

    first, cursor = _tick(sensor, resource, None)
    assert isinstance(first, dg.RunRequest)  # the first tick sees every won deal not synced
    assert set(first.tags["won_deals"].split(",")) <= won_before
    again, same_cursor = _tick(sensor, resource, cursor)
    assert isinstance(again, dg.SkipReason) and same_cursor == cursor

    open_deals = [
        r.id
        for r in demo_dataset.crm
        if r.object_type == "deals" and r.properties["dealstage"] != "closedwon"
    ][:3]
    with HubSpotClient(crm.url, crm.token) as client:
        client.batch(
            "deals",
            "update",
            [{"id": d, "properties": {"dealstage": "closedwon"}} for d in open_deals],
        )
    batch, newer = _tick(sensor, resource, cursor)
    assert isinstance(batch, dg.RunRequest)
    assert sorted(batch.tags["won_deals"].split(",")) == sorted(open_deals)
    assert json.loads(newer)["modified_ms"] > json.loads(cursor)["modified_ms"]
    assert batch.run_key != first.run_key

    # The pipeline writes the outcome on the deals: they change, but start nothing new.
    with HubSpotClient(crm.url, crm.token) as client:
        client.ensure_properties(
            "deals",
            [
                {
                    "name": "erp_sync_status",
                    "label": "s",
                    "type": "string",
                    "fieldType": "text",
                    "groupName": "erp_integration",
                }
            ],
        )
        client.batch(
            "deals",
            "update",
            [{"id": d, "properties": {"erp_sync_status": "synced"}} for d in open_deals],
        )
    quiet, _ = _tick(sensor, resource, newer)
    assert isinstance(quiet, dg.SkipReason)


def test_an_unreachable_crm_keeps_the_cursor_and_says_why(monkeypatch):
    monkeypatch.setenv("TEST_CRM_TOKEN", "pat-x")
    resource = HubSpotResource(
        base_url=f"http://127.0.0.1:{free_port()}", token_env_var="TEST_CRM_TOKEN"
    )
    cursor = json.dumps({"modified_ms": 1_700_000_000_000, "record_id": 7})
    monkeypatch.setattr("integration_pipeline.connectors.hubspot.client.time.sleep", lambda _: None)
    result, kept = _tick(won_deals_sensor(JOB), resource, cursor)
    assert isinstance(result, dg.SkipReason) and "did not answer" in result.skip_message
    assert kept == cursor
