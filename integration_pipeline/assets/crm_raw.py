"""Raw copies of the CRM's objects in the warehouse (schema `crm`), archived ones included,
landed by cursor after the first full read (warehouse/crm_landing.py)."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from integration_pipeline.assets.erp_raw import REMOTE_RETRY
from integration_pipeline.entities import crm_properties_written
from integration_pipeline.orchestration.reuse import latest_data_version
from integration_pipeline.orchestration.warm_checks import news_landed
from integration_pipeline.resources import HubSpotResource
from integration_pipeline.warehouse.crm_landing import CrmObject, land_crm_object
from integration_pipeline.warehouse.fingerprint import extract_version

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


class CrmExtractConfig(dg.Config):
    full_refresh: bool = Field(
        default=False, description="Read every record again instead of the ones changed."
    )
    overlap_minutes: float = Field(
        default=5.0, description="Re-read records changed this long before the newest held."
    )


def crm_asset_key(object_type: str) -> dg.AssetKey:
    return dg.AssetKey(["crm", object_type])


def crm_object(object_type: str) -> CrmObject:
    own, associations = CRM_OBJECTS[object_type]
    return CrmObject(
        object_type=object_type,
        properties=own + [p for p in crm_properties_written(object_type) if p not in own],
        associations=associations,
        linked_from=[
            other
            for other, (_, links) in CRM_OBJECTS.items()
            if object_type in links and other != object_type
        ],
    )


def crm_raw_asset(object_type: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=crm_asset_key(object_type),
        group_name="crm_extract",
        kinds={"hubspot", "duckdb"},
        retry_policy=REMOTE_RETRY,
        pool="crm",  # every CRM step shares one rate limit
        description=f"CRM {object_type} (active and archived) with their associations, "
        f"into crm.{object_type}: in full on the first run, then the records changed.",
    )
    def _extract(
        context: dg.AssetExecutionContext,
        config: CrmExtractConfig,
        crm: HubSpotResource,
        warehouse: DuckDBResource,
    ) -> dg.MaterializeResult:
        with crm.client() as client, warehouse.get_connection() as connection:
            report = land_crm_object(
                connection,
                client,
                crm_object(object_type),
                full_refresh=config.full_refresh,
                overlap=timedelta(minutes=config.overlap_minutes),
            )
            stats = client.stats
            # Hashed again even when nothing was read: the landings of the objects that link
            # to this one patch its rows' links.
            version = dg.DataVersion(extract_version(connection, f"crm.{object_type}"))
        if version.value != latest_data_version(context.instance, context.asset_key):
            news_landed(context)  # the checks after this step will run their GX suites
        context.log.info(
            f"crm.{object_type}: {report.mode}, {report.rows_read} read, "
            f"{report.rows_total} in all, {stats.requests} requests"
        )
        return dg.MaterializeResult(
            metadata={
                "mode": report.mode,
                "rows_read": report.rows_read,
                "rows": report.rows_total,
                "links_patched": report.links_patched,
                # re-read rows that differ only by the pipeline's own updates: no news
                "own_updates_read_back": report.echoes,
                "requests": stats.requests,
                "retries": stats.retries,
                "seconds": round(report.seconds, 3),
            },
            data_version=version,
        )

    return _extract


crm_raw_assets = [crm_raw_asset(name) for name in CRM_OBJECTS]
