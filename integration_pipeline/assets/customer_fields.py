"""The two-way customer field sync's comparison: for each linked pair, which side changed
which field since the last sync (syncs/two_way.py); the writes it decides are staged for
the entity syncs `customer_fields_to_erp` and `customer_fields_to_crm`, conflicts go to
quality.conflicts, and the baseline moves on."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import crm_asset_key
from integration_pipeline.assets.erp_raw import erp_asset_key
from integration_pipeline.orchestration.reuse import reuse_when_unchanged
from integration_pipeline.warehouse.arrow_load import write_table
from integration_pipeline.warehouse.customer_fields_sql import BASELINE, CONFLICTS, CUSTOMER_FIELDS

COMPARE_KEY = dg.AssetKey(["sync", "customer_fields", "compare"])


@dg.asset(
    key=COMPARE_KEY,
    group_name="customers",
    kinds={"duckdb"},
    deps=[
        dg.AssetKey(["core", "customer_id_map"]),
        crm_asset_key("companies"),
        erp_asset_key("party_party"),
    ],
    description="Customer fields changed on one side since the last sync go to the other; "
    "changed on both, the owner wins and the other value is kept in quality.conflicts.",
)
@reuse_when_unchanged
def customer_fields_compare(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    import pandas as pd

    from integration_pipeline.quality.quarantine import mask
    from integration_pipeline.warehouse.customer_field_decisions import compare_fields

    with warehouse.get_connection() as connection:
        comparison = compare_fields(connection)
        decisions, baseline = comparison.decisions, comparison.baseline
        for system, key_of in (("erp", lambda p: p[1]), ("crm", lambda p: p[0].split(":")[1])):
            rows: dict[str, dict] = {}
            for write in (w for w in decisions.writes if w.to == system):
                rows.setdefault(key_of(write.pair), {"key": key_of(write.pair)})[write.field] = (
                    write.value
                )
            frame = pd.DataFrame(list(rows.values()), columns=["key", *CUSTOMER_FIELDS])
            write_table(connection, f"sync.customer_fields_to_{system}_decided", frame)
        if decisions.conflicts:
            connection.executemany(
                f"INSERT INTO {CONFLICTS} VALUES ('customers', ?, ?, ?, ?, ?, ?, ?, now())",
                [
                    [*c.pair, c.field, c.owner, c.kept, c.overruled, context.run_id]
                    for c in decisions.conflicts
                ],
            )
        # Only the baselines that moved are written (one statement): a row at a time for
        # every pair took seconds at 10,000 customers.
        moved = [
            (*pair, field, *seen)
            for (pair, field), seen in decisions.baselines.items()
            if baseline.get((*pair, field)) != seen
        ]
        if moved:
            frame = pd.DataFrame(
                moved, columns=["crm_record", "erp_record", "field", "crm_value", "erp_value"]
            )
            connection.register("moved_baselines", frame)
            connection.execute(
                f"INSERT OR REPLACE INTO {BASELINE} SELECT *, now() FROM moved_baselines"
            )
            connection.unregister("moved_baselines")
    sample = "\n".join(
        f"| {mask(c.pair[0])} | {c.field} | {c.owner} | {mask(c.kept)} | {mask(c.overruled)} |"
        for c in decisions.conflicts[:5]
    )
    return dg.MaterializeResult(
        metadata={
            "rows": comparison.pairs,  # the linked pairs compared
            "to_erp": sum(1 for w in decisions.writes if w.to == "erp"),
            "to_crm": sum(1 for w in decisions.writes if w.to == "crm"),
            "conflicts": len(decisions.conflicts),
            "conflict_sample": dg.MetadataValue.md(
                "| CRM record | field | owner | kept | overruled |\n|---|---|---|---|---|\n"
                + sample
                if sample
                else "no conflicts"
            ),
        }
    )
