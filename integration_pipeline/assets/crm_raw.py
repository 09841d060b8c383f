"""Raw copies of the CRM's objects in the warehouse (schema `crm`), archived ones included."""

import itertools
import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import REMOTE_RETRY
from integration_pipeline.batching import batched
from integration_pipeline.connectors.hubspot.landing import SCHEMA, to_arrow
from integration_pipeline.entities import crm_properties_written
from integration_pipeline.resources import HubSpotResource
from integration_pipeline.warehouse.arrow_load import replace_table

LANDING_ROWS = 5_000  # records per Arrow batch written to DuckDB
# Each object type's own properties the pipeline reads, and the types it reads links to.
CRM_OBJECTS = {
    "companies": (
        [
            "name",
            "domain",
            "phone",
            "address",
            "city",
            "zip",
            "country",
            "ir_national_id",
            "lifecyclestage",
            "hubspot_owner_id",
        ],
        ["contacts"],
    ),
    "contacts": (
        [
            "firstname",
            "lastname",
            "email",
            "phone",
            "mobilephone",
            "address",
            "city",
            "zip",
            "country",
            "ir_national_id",
            "lifecyclestage",
            "date_of_birth",
            "hubspot_owner_id",
        ],
        ["companies"],
    ),
    "deals": (
        [
            "dealname",
            "dealstage",
            "pipeline",
            "amount",
            "closedate",
            "hs_deal_stage_probability",
            "deal_currency_code",
            "hubspot_owner_id",
        ],
        ["companies", "contacts", "line_items"],
    ),
    "line_items": (["name", "hs_product_id", "hs_sku", "quantity", "price", "amount"], []),
    # Written by the syncs only: their properties come from the specs.
    "tasks": ([], ["deals"]),
    "invoices": ([], ["companies", "deals"]),
    "products": (["name", "hs_sku", "price"], []),
}


def crm_asset_key(object_type: str) -> dg.AssetKey:
    return dg.AssetKey(["crm", object_type])


def crm_raw_asset(object_type: str) -> dg.AssetsDefinition:
    own, associations = CRM_OBJECTS[object_type]
    properties = own + [p for p in crm_properties_written(object_type) if p not in own]

    @dg.asset(
        key=crm_asset_key(object_type),
        group_name="crm_extract",
        kinds={"hubspot", "duckdb"},
        retry_policy=REMOTE_RETRY,
        pool="crm",  # every CRM step shares one rate limit
        description=f"CRM {object_type} (active and archived) with their associations, "
        f"into crm.{object_type}.",
    )
    def _extract(
        context: dg.AssetExecutionContext, crm: HubSpotResource, warehouse: DuckDBResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        with crm.client() as client:
            active = itertools.chain.from_iterable(
                client.pages(object_type, properties, associations)
            )
            archived = itertools.chain.from_iterable(
                client.pages(object_type, properties, associations, archived=True)
            )
            batches = (
                to_arrow(page) for page in batched(itertools.chain(active, archived), LANDING_ROWS)
            )
            with warehouse.get_connection() as connection:
                rows = replace_table(connection, f"crm.{object_type}", SCHEMA, batches)
            stats = client.stats
        context.log.info(f"crm.{object_type}: {rows} rows, {stats.requests} requests")
        return dg.MaterializeResult(
            metadata={
                "rows": rows,
                "requests": stats.requests,
                "retries": stats.retries,
                "seconds": round(time.monotonic() - started, 3),
            }
        )

    return _extract


crm_raw_assets = [crm_raw_asset(name) for name in CRM_OBJECTS]
