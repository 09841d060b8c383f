"""Staging: raw rows shaped into one row per customer (cleansing proper comes later)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import erp_asset_key
from integration_pipeline.connectors.tryton.tables import tables_of
from integration_pipeline.orchestration.reuse import reuse_when_unchanged, versioned_by_content
from integration_pipeline.warehouse.fingerprint import fingerprints
from integration_pipeline.warehouse.staging_sql import STAGING_ERP_CUSTOMERS


@dg.asset(
    key=["staging", "erp_customers"],
    group_name="customers",
    kinds={"duckdb"},
    deps=[erp_asset_key(t) for t in tables_of("customers")],
    description="One row per ERP customer party: first e-mail, phone, address and national id, "
    "as typed (not yet normalised).",
)
@reuse_when_unchanged
def staging_erp_customers(warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
        connection.execute(STAGING_ERP_CUSTOMERS)
        rows, missing_email, missing_phone = connection.execute(
            "SELECT count(*), count(*) - count(email_raw), count(*) - count(phone_raw) "
            "FROM staging.erp_customers"
        ).fetchone()
        version = fingerprints(connection, "staging.erp_customers")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={"rows": rows, "missing_email": missing_email, "missing_phone": missing_phone},
    )


@dg.asset(
    key=["staging", "erp_party_codes"],
    group_name="customers",
    kinds={"duckdb"},
    deps=[erp_asset_key("party_party")],
    description="Each ERP party's id and code: what the invoices and the 360 view read of the "
    "parties, versioned apart from their names (a rename moves neither).",
)
@reuse_when_unchanged
def staging_erp_party_codes(warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS staging")
        connection.execute(
            "CREATE OR REPLACE TABLE staging.erp_party_codes AS "
            "SELECT id AS party_id, code FROM erp.party_party"
        )
        return versioned_by_content(connection, "staging.erp_party_codes")
