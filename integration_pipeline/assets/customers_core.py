"""Customers across both systems: records in one form, matched into golden customers with
an id map (golden id ↔ CRM ids ↔ ERP ids), and the duplicates found reported."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.analytics.customer360_sql import CRM_CUSTOMER_FACTS
from integration_pipeline.assets.crm_raw import crm_asset_key
from integration_pipeline.orchestration.reuse import (
    CODE_VERSION,
    reuse_check_when_unchanged,
    reuse_when_unchanged,
    versioned_by_content,
)
from integration_pipeline.resources import HubSpotResource, TrytonErp
from integration_pipeline.warehouse.arrow_load import table_exists, write_table
from integration_pipeline.warehouse.customer_field_decisions import compare_fields
from integration_pipeline.warehouse.customer_links_sql import CUSTOMER_LINKS
from integration_pipeline.warehouse.customer_records_sql import CUSTOMER_RECORDS
from integration_pipeline.warehouse.fingerprint import fingerprints
from integration_pipeline.warehouse.linkage_model import keep_model, todays_model
from integration_pipeline.warehouse.row_memo import memoised

CRM_CUSTOMER_FACTS_KEY = dg.AssetKey(["core", "crm_customer_facts"])
CUSTOMER_ID_MAP_KEY = dg.AssetKey(["core", "customer_id_map"])


class MatchConfig(dg.Config):
    threshold: float = 0.9  # match probability from which two records are one customer


@dg.asset(
    key=["staging", "customer_records"],
    group_name="customers",
    kinds={"duckdb"},
    deps=[
        dg.AssetKey(["staging", "erp_customers"]),
        crm_asset_key("companies"),
        crm_asset_key("contacts"),
    ],
    description="Every customer record of the ERP and the CRM in one shape, as typed.",
)
@reuse_when_unchanged
def staging_customer_records(warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        connection.execute(CUSTOMER_RECORDS)
        counts = dict(
            connection.execute(
                "SELECT system, count(*) FROM staging.customer_records GROUP BY 1"
            ).fetchall()
        )
        version = fingerprints(connection, "staging.customer_records")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={"rows": sum(counts.values())}
        | {f"{system}_records": n for system, n in sorted(counts.items())},
    )


@dg.asset(
    key=["core", "customers"],
    group_name="customers",
    # The customer view the CRM and support read: refreshed by the 15-minute incremental runs.
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=35)),
    kinds={"splink", "duckdb"},
    deps=[dg.AssetKey(["staging", "customer_records"])],
    description="Golden customers (core.customers) and the id map (core.customer_id_map): "
    "records standardised (Persian text, digits, e-mails, E.164 phones, postal codes, national "
    "ids), matched within and across the systems with Splink (records once one customer stay "
    "together: core.customer_links), merged field by field.",
)
@reuse_when_unchanged
def core_customers(
    context: dg.AssetExecutionContext, config: MatchConfig, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    # Imported here: Splink (relinking, link_state) costs every run that loads the code
    # ~0.3 s (`python -X importtime`).
    from integration_pipeline.cleansing.golden import golden_records, with_synced_fields
    from integration_pipeline.cleansing.known_links import keep_known_links
    from integration_pipeline.cleansing.relinking import match
    from integration_pipeline.cleansing.standardise import profile_of, standardised_rows
    from integration_pipeline.warehouse.link_state import keep_link, last_link, signature

    with warehouse.get_connection() as connection:
        records = connection.execute("SELECT * FROM staging.customer_records").df()
        model = todays_model(connection, len(records))
        # Only the records that changed since the last run are standardised again.
        standard = memoised(
            connection, "core.standardised_records", CODE_VERSION, records, standardised_rows
        )
        known = (
            connection.execute(
                "SELECT 'crm:' || crm_record, 'erp:' || erp_party_code FROM core.customer_links"
            ).fetchall()
            if table_exists(connection, "core", "customer_links")
            else []
        )
        last = (
            last_link(connection, signature(model, config.threshold, CODE_VERSION))
            if model
            else None
        )
    profile = profile_of(records, standard)
    standard[["system", "record_id", "updated_at"]] = records[["system", "record_id", "updated_at"]]
    matching = match(standard, model=model, last=last, threshold=config.threshold)
    matcher = "today's model" if model else "trained now"
    context.log.info(
        f"{len(records)} records standardised; {matching.compared} matched again ({matcher})"
    )
    clusters = keep_known_links(matching.clusters, list(standard["unique_id"]), known)
    golden, id_map = golden_records(standard, clusters)
    with warehouse.get_connection() as connection:
        if model is None:
            keep_model(connection, matching.model, len(records))
        if last is None or matching.compared:  # else the state kept is this one already
            keep_link(
                connection,
                signature(matching.model, config.threshold, CODE_VERSION),
                matching.hashes,
                matching.pairs,
            )
        write_table(connection, "core.customer_id_map", id_map)
        connection.execute(CUSTOMER_LINKS)
        pending = compare_fields(connection).decisions.writes
        golden = with_synced_fields(
            golden, id_map, standard, [(*w.pair, w.field) for w in pending if w.to == "crm"]
        )
        write_table(connection, "core.customers", golden)
        version = fingerprints(
            connection, "core.customers", "core.customer_id_map", "core.customer_links"
        )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "rows": len(golden),
            "records": len(records),
            "matcher": matcher,
            "records_matched_again": matching.compared,
            "duplicates_within_crm": int((golden["crm_records"] > 1).sum()),
            "duplicates_within_erp": int((golden["erp_records"] > 1).sum()),
            "in_both_systems": int(
                ((golden["crm_records"] > 0) & (golden["erp_records"] > 0)).sum()
            ),
            "invalid_emails": profile.invalid.get("email", 0),
            "invalid_phones": profile.invalid.get("phone", 0),
            "invalid_national_ids": profile.invalid.get("national_id", 0),
        },
    )


@dg.asset(
    key=CUSTOMER_ID_MAP_KEY,
    group_name="customers",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["core", "customers"])],
    description="Which records are one customer (core.customer_id_map, and the pairs ever "
    "linked, core.customer_links), as the golden customers step wrote them: versioned by that "
    "alone, so the steps that read nothing else of the customers skip a run that only renamed "
    "some.",
)
@reuse_when_unchanged
def core_customer_id_map(warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        return versioned_by_content(connection, "core.customer_id_map", "core.customer_links")


@dg.asset(
    key=CRM_CUSTOMER_FACTS_KEY,
    group_name="customers",
    kinds={"duckdb"},
    deps=[CUSTOMER_ID_MAP_KEY, crm_asset_key("companies"), crm_asset_key("contacts")],
    description="What the analytics read of each golden customer's CRM records (owner, "
    "lifecycle stage, created; the company of each contact): a name edited, or a property the "
    "syncs write, moves none of the marts.",
)
@reuse_when_unchanged
def core_crm_customer_facts(warehouse: DuckDBResource) -> dg.MaterializeResult:
    with warehouse.get_connection() as connection:
        connection.execute(CRM_CUSTOMER_FACTS)
        return versioned_by_content(
            connection, "core.crm_customer_facts", "core.crm_contact_companies"
        )


@dg.asset_check(
    asset=CUSTOMER_ID_MAP_KEY,
    blocking=True,
    description="Every active customer record of both systems is in the id map exactly once, "
    "and every golden customer has at least one record.",
)
@reuse_check_when_unchanged
def customer_id_map_complete(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as connection:
        missing, repeated, empty = connection.execute(
            """
            SELECT
              (SELECT count(*) FROM staging.customer_records r
               WHERE r.id NOT IN (SELECT unique_id FROM core.customer_id_map)),
              (SELECT count(*) FROM (SELECT unique_id FROM core.customer_id_map
                                     GROUP BY 1 HAVING count(*) > 1)),
              (SELECT count(*) FROM core.customers g
               WHERE g.golden_id NOT IN (SELECT golden_id FROM core.customer_id_map))
            """
        ).fetchone()
    return dg.AssetCheckResult(
        passed=missing == repeated == empty == 0,
        metadata={
            "records_missing": missing,
            "records_repeated": repeated,
            "golden_without_records": empty,
        },
    )


class MergeConfig(dg.Config):
    apply: bool = False  # plan and report only, unless set: merging cannot be undone


@dg.asset(
    key=["core", "customer_merges"],
    group_name="customers",
    kinds={"hubspot", "tryton", "duckdb"},
    deps=[CUSTOMER_ID_MAP_KEY],
    description="Duplicates found within one system, planned as merges there (CRM merge, "
    "Tryton party replacement) and carried out only when configured (`apply: true`).",
)
@reuse_when_unchanged
def core_customer_merges(
    context: dg.AssetExecutionContext,
    config: MergeConfig,
    warehouse: DuckDBResource,
    crm: HubSpotResource,
    erp: TrytonErp,
) -> dg.MaterializeResult:
    import pandas as pd

    from integration_pipeline.cleansing.merge_plan import plan_merges

    with warehouse.get_connection() as connection:
        id_map = connection.execute(
            "SELECT golden_id, system, record_id FROM core.customer_id_map"
        ).df()
    merges = plan_merges(id_map)
    outcomes = ["planned"] * len(merges)
    if config.apply and merges:
        outcomes = _apply_merges(merges, crm, erp)
    rows = pd.DataFrame(
        [
            vars(m) | {"status": s, "run_id": context.run_id}
            for m, s in zip(merges, outcomes, strict=True)
        ],
        columns=["golden_id", "system", "object_type", "kept", "duplicate", "status", "run_id"],
    )
    with warehouse.get_connection() as connection:
        write_table(connection, "core.customer_merges", rows)
    counts = rows.groupby(["system", "status"]).size()
    return dg.MaterializeResult(
        metadata={"rows": len(rows), "applied": config.apply}
        | {f"{system}_{status}": int(n) for (system, status), n in counts.items()}
    )


def _apply_merges(merges: list, crm: HubSpotResource, erp: TrytonErp) -> list[str]:
    from integration_pipeline.connectors.hubspot.errors import HubSpotError
    from integration_pipeline.connectors.tryton.rpc import TrytonError

    outcomes = []
    writer = erp.writer() if any(m.system == "erp" for m in merges) else None
    with crm.client() as client:
        for merge in merges:
            try:
                if merge.system == "crm":
                    client.merge(merge.object_type, merge.kept, merge.duplicate)
                else:
                    ids = writer.find_parties([merge.kept, merge.duplicate])
                    writer.replace_party(ids[merge.duplicate], ids[merge.kept])
                outcomes.append("merged")
            except (HubSpotError, TrytonError, KeyError) as error:
                outcomes.append(f"failed: {error}")
    return outcomes
