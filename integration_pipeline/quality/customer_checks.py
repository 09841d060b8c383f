"""Checks between extract and staging for customers: set-level rules that must hold."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.orchestration.reuse import reuse_check_when_unchanged
from integration_pipeline.quality.gx_runner import run_suite


@dg.asset_check(
    asset=dg.AssetKey(["staging", "erp_customers"]),
    blocking=True,
    description="Every ERP customer has a unique party id and code, and a name (GX suite).",
)
@reuse_check_when_unchanged
def erp_customer_keys(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    import great_expectations as gx

    with warehouse.get_connection() as connection:
        frame = connection.execute(
            "SELECT erp_party_id, erp_party_code, name FROM staging.erp_customers"
        ).df()
    outcomes = run_suite(
        frame,
        "erp_customer_keys",
        [
            gx.expectations.ExpectColumnValuesToBeUnique(column="erp_party_id"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="erp_party_code"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="erp_party_code"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="name"),
        ],
    )
    failed = [o for o in outcomes if not o.success]
    return dg.AssetCheckResult(
        passed=not failed,
        metadata={
            "rows": len(frame),
            "failed_expectations": [
                f"{o.expectation}({o.column}): {o.unexpected_count}" for o in failed
            ],
        },
    )
