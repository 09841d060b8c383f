"""Sending an entity's pending outbox rows to the CRM: batch upserts by the entity's unique
property (idempotent: a resend after a crash updates, never duplicates)."""

import duckdb

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.spec import EntitySync
from integration_pipeline.syncs.outbox import Outcome, mark
from integration_pipeline.syncs.planning import ASSOCIATIONS


def ensure_target_properties(client: HubSpotClient, spec: EntitySync) -> list[str]:
    return client.ensure_properties(
        spec.target_object,
        [
            {
                "name": p.name,
                "label": p.label,
                "type": p.type,
                "fieldType": p.field_type,
                "groupName": "erp_integration",
                "hasUniqueValue": p.unique,
            }
            for p in spec.target_properties
        ],
    )


def send_pending(
    connection: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    spec: EntitySync,
    rows: list[dict],
    run_id: str,
) -> dict[str, int]:
    """Send the outbox `rows` (the entity's pending ones) and record each outcome."""
    if not rows:
        return {"sent": 0, "failed": 0}
    if spec.archives:
        return _archive(connection, client, spec, rows, run_id)
    links = {row["record_key"]: row["payload"].get(ASSOCIATIONS, {}) for row in rows}
    properties = {
        row["record_key"]: {k: v for k, v in row["payload"].items() if k != ASSOCIATIONS}
        for row in rows
    }
    if spec.id_property:  # upsert by the unique property: creates or updates, idempotently
        inputs = [
            {
                "id": row["record_key"],
                "idProperty": spec.id_property,
                "properties": properties[row["record_key"]],
            }
            for row in rows
        ]
        outcome = client.batch(spec.target_object, "upsert", inputs)
        by_key = {r["properties"].get(spec.id_property): r["id"] for r in outcome.results}
    else:  # the key is the record's id: update only
        inputs = [
            {"id": row["record_key"], "properties": properties[row["record_key"]]} for row in rows
        ]
        outcome = client.batch(spec.target_object, "update", inputs)
        by_key = {r["id"]: r["id"] for r in outcome.results}
    failures = {
        item["id"]: error.get("message", "refused") for item, error in outcome.failed_inputs
    }
    _associate(client, spec, by_key, links)
    return _record(connection, rows, by_key, failures, run_id)


def _record(
    connection: duckdb.DuckDBPyConnection,
    rows: list[dict],
    sent: dict[str, str],
    failures: dict[str, str],
    run_id: str,
) -> dict[str, int]:
    """Each outbox row's outcome: sent (with the CRM id `sent` gives its key) or failed."""
    outcomes = []
    for row in rows:
        key = row["record_key"]
        if key in sent:
            outcomes.append(Outcome(row["idempotency_key"], "sent", target_id=sent[key]))
        else:
            message = failures.get(key, "no result for this record in the CRM's answer")
            outcomes.append(Outcome(row["idempotency_key"], "failed", message=message))
    mark(connection, outcomes, run_id)
    sent_count = sum(o.status == "sent" for o in outcomes)
    return {"sent": sent_count, "failed": len(outcomes) - sent_count}


def _associate(
    client: HubSpotClient, spec: EntitySync, ids: dict[str, str], links: dict[str, dict]
) -> None:
    """Default associations of each written record (creating one that exists is a no-op)."""
    for association in spec.associations:
        inputs = [
            {"from": {"id": ids[key]}, "to": {"id": targets[association.to_object]}}
            for key, targets in links.items()
            if key in ids and association.to_object in targets
        ]
        for start in range(0, len(inputs), 1000):
            client.call(
                "POST",
                f"/crm/v4/associations/{spec.target_object}/{association.to_object}/batch/create",
                json={"inputs": inputs[start : start + 1000]},
            )


def _archive(
    connection: duckdb.DuckDBPyConnection,
    client: HubSpotClient,
    spec: EntitySync,
    rows: list[dict],
    run_id: str,
) -> dict[str, int]:
    """Archive the records (HubSpot answers 204; archiving an archived record is a no-op)."""
    outcome = client.batch(spec.target_object, "archive", [{"id": r["record_key"]} for r in rows])
    failures = {
        item["id"]: error.get("message", "refused") for item, error in outcome.failed_inputs
    }
    archived = {r["record_key"]: r["record_key"] for r in rows if r["record_key"] not in failures}
    return _record(connection, rows, archived, failures, run_id)
