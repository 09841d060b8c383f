"""The one Definitions object of the code location.

Loads fast: heavy libraries (Great Expectations) are imported inside the checks that use them.
"""

import dagster as dg

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.quality.customer_checks import erp_customer_keys
from integration_pipeline.resources import build_resources

main_job = dg.define_asset_job(
    "main",
    selection=dg.AssetSelection.groups("erp_extract", "crm_extract", "customers"),
    description="Extract the ERP and the CRM into the warehouse and stage customers, with checks.",
)

defs = dg.Definitions(
    assets=[*erp_raw_assets, *crm_raw_assets, staging_erp_customers],
    asset_checks=[erp_customer_keys],
    jobs=[main_job],
    resources=build_resources(),
)
