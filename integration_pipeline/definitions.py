"""The one Definitions object of the code location.

Loads fast: heavy libraries (Great Expectations) are imported inside the checks that use them.
"""

import dagster as dg

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customer_fields import customer_fields_compare
from integration_pipeline.assets.customers_core import (
    core_crm_customer_facts,
    core_customer_id_map,
    core_customer_merges,
    core_customers,
    customer_id_map_complete,
    staging_customer_records,
)
from integration_pipeline.assets.erp_balances import (
    staging_erp_party_credit,
    staging_erp_stock_levels,
)
from integration_pipeline.assets.erp_planning import erp_stock_forecasts
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.marts import mart_assets
from integration_pipeline.assets.staging import staging_erp_customers, staging_erp_party_codes
from integration_pipeline.entities import ENTITY_SYNCS
from integration_pipeline.orchestration.alerts import run_failure_alert
from integration_pipeline.orchestration.reuse import with_code_version
from integration_pipeline.orchestration.stock_moves import stock_moves_sensor
from integration_pipeline.orchestration.won_deals import won_deals_sensor
from integration_pipeline.quality.customer_checks import erp_customer_keys
from integration_pipeline.resources import build_resources
from integration_pipeline.syncs.factory import build_sync

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.groups(
        "erp_extract", "crm_extract", "customers", "stock", "orders", "invoices", "analytics"
    ),
    description="Extract the ERP and the CRM into the warehouse; stage customers, credit and "
    "stock, with checks; run every entity sync; build the marts (360 view, KPIs, forecasts).",
)

entity_syncs = [build_sync(spec) for spec in ENTITY_SYNCS]
sync_jobs = {job.name: job for _, job, _ in entity_syncs}

# Every night: the main job with every ERP table and CRM object read in full rather than by
# cursor (whatever an incremental read could miss, such as a CRM link removed between two
# unchanged records, is corrected) and every reconcile check.
nightly_full_sync = dg.ScheduleDefinition(
    name="nightly_full_sync",
    job=main_job,
    cron_schedule="0 2 * * *",
    run_config={
        "ops": {
            asset.op.name: {"config": {"full_refresh": True}}
            for asset in [*erp_raw_assets, *crm_raw_assets]
        }
    },
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The main job with a full read of every ERP table and CRM object, and every "
    "reconcile check.",
)

# The marts and the forecast written to Tryton follow their inputs by themselves while the
# daemon runs (`make ui`): their automation conditions are evaluated by this sensor.
analytics_automation = dg.AutomationConditionSensorDefinition(
    "analytics_automation",
    target=dg.AssetSelection.groups("analytics"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
)
# Won deals to ERP sales, their status and tasks back on the deals: what the won-deals
# sensor starts, so it is kept short. It refreshes the deals, their line items and tasks, the
# ERP's sales and stock levels (the stock gate), and runs the three order syncs in one
# process (no start-up per step). Golden customers and new ERP parties are taken as the
# last customers run left them (every 15 minutes with the schedules on, and in the main job):
# a deal of a customer that is not in the ERP yet is held back until then.
orders_flow = dg.define_asset_job(
    "orders_flow",
    selection=(
        dg.AssetSelection.groups("orders")
        | dg.AssetSelection.assets(
            dg.AssetKey(["crm", "deals"]),
            dg.AssetKey(["crm", "line_items"]),
            dg.AssetKey(["crm", "tasks"]),
            dg.AssetKey(["erp", "erp_sale_sale"]),
        )
        | dg.AssetSelection.assets(dg.AssetKey(["staging", "erp_stock_levels"])).upstream()
    ),
    executor_def=dg.in_process_executor,
    description="Won deals → confirmed ERP sales → status and tasks on the deals.",
)

defs = dg.Definitions(
    # Code versions let Dagster derive data versions, by which unchanged steps are skipped
    # (orchestration/reuse.py).
    assets=with_code_version(
        [
            *erp_raw_assets,
            *crm_raw_assets,
            staging_erp_customers,
            staging_erp_party_codes,
            staging_erp_stock_levels,
            staging_erp_party_credit,
            staging_customer_records,
            core_customers,
            core_customer_id_map,
            core_crm_customer_facts,
            core_customer_merges,
            customer_fields_compare,
            *mart_assets,
            erp_stock_forecasts,
            *(asset for assets, _, _ in entity_syncs for asset in assets),
        ]
    ),
    asset_checks=[erp_customer_keys, customer_id_map_complete],
    jobs=[main_job, orders_flow, *sync_jobs.values()],
    sensors=[
        won_deals_sensor(orders_flow),
        stock_moves_sensor(sync_jobs["sync_stock"]),
        run_failure_alert,
        analytics_automation,
    ],
    schedules=[*(schedule for _, _, schedule in entity_syncs), nightly_full_sync],
    resources=build_resources(),
)
