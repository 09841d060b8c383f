"""Checks between extract and staging for customers: set-level rules that must hold."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.orchestration.reuse import (
    CHECKED_INPUT,
    CODE_VERSION,
    carried_verdict,
    current_check_context,
)
from integration_pipeline.quality.checked_input import checked_input
from integration_pipeline.quality.gx_runner import run_suite


@dg.asset_check(
    asset=dg.AssetKey(["staging", "erp_customers"]),
    blocking=True,
    description="Every ERP customer has a unique party id and code, and a name (GX suite).",
)
def erp_customer_keys(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as connection:
        frame = connection.execute(
            "SELECT erp_party_id, erp_party_code, name FROM staging.erp_customers"
        ).df()
    # The suite reads the ids and codes, and of the name only whether there is one: a run
    # that renamed parties keeps the verdict.
    read = checked_input(
        frame[["erp_party_id", "erp_party_code"]].assign(named=frame["name"].notna()),
        CODE_VERSION,
    )
    context = current_check_context()
    carried = context and carried_verdict(context.instance, context.check_specs[0].key, read)
    if carried:
        return carried

    outcomes = run_suite(
        frame,
        "erp_customer_keys",
        [
            ("ExpectColumnValuesToBeUnique", {"column": "erp_party_id"}),
            ("ExpectColumnValuesToBeUnique", {"column": "erp_party_code"}),
            ("ExpectColumnValuesToNotBeNull", {"column": "erp_party_code"}),
            ("ExpectColumnValuesToNotBeNull", {"column": "name"}),
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
            CHECKED_INPUT: read,
        },
    )
