"""Near-real-time orders: a sensor polls the CRM for deals changed since its cursor and
starts one run of the orders flow for each batch of newly won deals still to be synced.

The cursor (last-modified, id) only moves forward after a successful read, and it is stored
by Dagster with the tick, so a daemon restart neither misses a deal nor runs one twice (the
run key is the cursor's position). The pipeline's own writes to the deals (erp_* status)
change them again; those deals already show `synced`, so they start nothing: no ping-pong.
"""

import json

import dagster as dg

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.errors import HubSpotError
from integration_pipeline.connectors.hubspot.extract import Cursor, changed_since
from integration_pipeline.resources import HubSpotResource

DONE = {"synced"}


def won_deals_to_sync(
    client: HubSpotClient, cursor: Cursor | None
) -> tuple[list[str], Cursor | None]:
    """Won deals changed after `cursor` whose ERP sale is not (yet) synced; the new cursor."""
    wanted, newest = [], cursor
    for deal in changed_since(client, "deals", cursor, ["dealstage", "erp_sync_status"]):
        newest = max(newest, Cursor.of(deal, "deals")) if newest else Cursor.of(deal, "deals")
        properties = deal["properties"]
        if (
            properties.get("dealstage") == "closedwon"
            and properties.get("erp_sync_status") not in DONE
        ):
            wanted.append(deal["id"])
    return wanted, newest


def _load(cursor: str | None) -> Cursor | None:
    return Cursor(**json.loads(cursor)) if cursor else None


def won_deals_sensor(job, interval_seconds: int = 10) -> dg.SensorDefinition:
    """`job`: the asset job to start (the orders flow)."""

    @dg.sensor(
        name="won_deals",
        job=job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="A deal moved to closed-won in the CRM starts the orders flow within "
        "seconds (one run per batch of deals).",
    )
    def _sensor(context: dg.SensorEvaluationContext, crm: HubSpotResource):
        cursor = _load(context.cursor)
        try:
            with crm.client() as client:
                deals, newest = won_deals_to_sync(client, cursor)
        except HubSpotError as error:  # the cursor stays where it was
            position = cursor.as_iso() if cursor else "the beginning"
            return dg.SkipReason(f"the CRM did not answer ({error}); will retry from {position}")
        if newest is not None and newest != cursor:
            context.update_cursor(
                json.dumps({"modified_ms": newest.modified_ms, "record_id": newest.record_id})
            )
        if not deals:
            return dg.SkipReason("no newly won deal to sync")
        return dg.RunRequest(
            run_key=f"won-deals-{newest.modified_ms}-{newest.record_id}",
            tags={"won_deals": ",".join(deals[:50]), "won_deal_count": str(len(deals))},
        )

    return _sensor
