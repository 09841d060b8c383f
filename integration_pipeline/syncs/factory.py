"""The factory: an `EntitySync` spec → the Dagster assets, checks, job and schedule of its sync.

staged  (rows from the spec's SQL; row rules → quarantine; blocking GX checks: unique
         keys, share of bad rows)
  → plan   (writes for the records whose target values differ, into the outbox)
  → apply  (pending outbox rows sent; a dry run reports them instead; reconcile check)
"""

import json
import os
from collections import Counter
from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.erp_raw import REMOTE_RETRY
from integration_pipeline.entities.spec import EntitySync, parameter_values
from integration_pipeline.orchestration.reuse import (
    CHECKED_INPUT,
    CODE_VERSION,
    carried_verdict,
    reuse_when_unchanged,
    reused,
    with_step_config,
)
from integration_pipeline.quality.checked_input import checked_input
from integration_pipeline.resources import HubSpotResource, TrytonErp
from integration_pipeline.warehouse.arrow_load import write_table
from integration_pipeline.warehouse.fingerprint import fingerprint


class ApplyConfig(dg.Config):
    dry_run: bool = False  # plan everything, write nothing, report what would be written


def _key(spec: EntitySync, stage: str) -> dg.AssetKey:
    return dg.AssetKey(["sync", spec.name, stage])


def _staged_asset(spec: EntitySync) -> dg.AssetsDefinition:
    key = _key(spec, "staged")
    checks = [
        dg.AssetCheckSpec(
            f"{spec.name}_keys_unique",
            asset=key,
            blocking=True,
            description="Every record that passed the row rules has a key, and only one row (GX).",
        ),
        dg.AssetCheckSpec(
            f"{spec.name}_bad_share",
            asset=key,
            blocking=True,
            description=f"At most {spec.max_bad_share:.0%} of the rows break a "
            "row rule (those go to quality.quarantine).",
        ),
    ]

    @dg.asset(
        key=key,
        group_name=spec.group,
        kinds={"duckdb"},
        check_specs=checks,
        deps=[dg.AssetKey(list(k)) for k in spec.upstream],
        description=f"{spec.name}: {spec.description} Staged rows that pass the row rules.",
    )
    @reuse_when_unchanged
    def _staged(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
        from integration_pipeline.quality.quarantine import quarantine
        from integration_pipeline.syncs.planning import bad_rows_of_frame

        with warehouse.get_connection() as connection:
            frame = connection.execute(
                spec.staging_sql, parameter_values(spec, dict(os.environ)) or None
            ).df()
            bad = bad_rows_of_frame(spec, frame)
            bad_keys = {b.key for b in bad}
            good = frame[~frame["key"].isin(bad_keys) & frame["key"].notna()]
            quarantine(connection, spec.name, [vars(b) for b in bad], context.run_id)
            write_table(connection, f"sync.{spec.name}_staged", good)
            # Its content is its data version: the plan runs again only when the rows moved.
            version = fingerprint(connection, f"sync.{spec.name}_staged") + fingerprint(
                connection,
                "(SELECT entity, record_key, rule, field, value_masked, message "
                "FROM quality.quarantine)",
                "entity = ?",
                (spec.name,),
            )
        keys_check = dg.AssetCheckKey(key, f"{spec.name}_keys_unique")
        keys_read = checked_input(good[["key"]], CODE_VERSION)  # what the suite reads
        keys_verdict = carried_verdict(context.instance, keys_check, keys_read) or _keys_verdict(
            spec, good, keys_read
        )
        share = len(bad_keys) / len(frame) if len(frame) else 0.0
        yield dg.MaterializeResult(
            data_version=dg.DataVersion(version),
            metadata={
                "rows": len(good),
                "quarantined": len(bad),
                "quarantine_sample": dg.MetadataValue.md(_sample(bad)),
            },
            check_results=[
                keys_verdict,
                dg.AssetCheckResult(
                    check_name=f"{spec.name}_bad_share",
                    passed=share <= spec.max_bad_share,
                    metadata={"bad_share": round(share, 4), "quarantined": len(bad)},
                ),
            ],
        )

    return _staged


def _keys_verdict(spec: EntitySync, good, keys_read: str) -> dg.AssetCheckResult:
    """Every staged row has a key, and only one row (a GX suite; no rows, nothing to break)."""
    if good.empty:  # common: the two-way field syncs stage only the fields that moved
        return dg.AssetCheckResult(
            check_name=f"{spec.name}_keys_unique",
            passed=True,
            metadata={"failed_expectations": [], "rows": 0, CHECKED_INPUT: keys_read},
        )
    from integration_pipeline.quality.gx_runner import run_suite

    outcomes = run_suite(
        good[["key"]],
        f"{spec.name}_keys",
        [
            ("ExpectColumnValuesToNotBeNull", {"column": "key"}),
            ("ExpectColumnValuesToBeUnique", {"column": "key"}),
        ],
    )
    failed = [f"{o.expectation}: {o.unexpected_count}" for o in outcomes if not o.success]
    return dg.AssetCheckResult(
        check_name=f"{spec.name}_keys_unique",
        passed=not failed,
        metadata={"failed_expectations": failed, CHECKED_INPUT: keys_read},
    )


def _sample(bad: list, limit: int = 5) -> str:
    """The first quarantined rows for the UI, values masked (they may be personal data)."""
    from integration_pipeline.quality.quarantine import mask

    if not bad:
        return "nothing quarantined"
    lines = ["| key | rule | field | value |", "|---|---|---|---|"]
    lines += [f"| {mask(b.key)} | {b.rule} | {b.column} | {mask(b.value)} |" for b in bad[:limit]]
    return "\n".join(lines)


def _plan_asset(spec: EntitySync) -> dg.AssetsDefinition:
    @dg.asset(
        key=_key(spec, "plan"),
        group_name=spec.group,
        kinds={"duckdb"},
        deps=[_key(spec, "staged"), *(dg.AssetKey(list(k)) for k in spec.target_reads)],
        description=f"{spec.name}: the writes the {spec.target_system.upper()} needs, "
        "planned into the outbox (sync.outbox) with idempotency keys before anything is sent.",
    )
    @reuse_when_unchanged
    def _plan(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
        from integration_pipeline.syncs.outbox import add_planned, outbox_version
        from integration_pipeline.syncs.plan_state import compare_with_last_plan, remember_plan
        from integration_pipeline.syncs.planning import plan_writes

        staged_table = f"sync.{spec.name}_staged"
        with warehouse.get_connection() as connection:
            compare_with_last_plan(connection, spec.name, staged_table, spec.current_sql)
            staged = connection.execute(
                f"SELECT s.* FROM {staged_table} s "
                "JOIN plan_now n ON n.key = CAST(s.key AS VARCHAR) WHERE n.changed"
            ).df()
            rows = staged.astype(object).where(staged.notna(), None).to_dict("records")
            current = {
                str(key): json.loads(properties) if properties else {}
                for key, properties in connection.execute(
                    f"SELECT c.key, c.properties FROM ({spec.current_sql}) c(key, properties) "
                    "JOIN plan_now n ON n.key = CAST(c.key AS VARCHAR) WHERE n.changed"
                ).fetchall()
            }
            writes = plan_writes(spec, rows, current)
            new = add_planned(
                connection,
                spec.name,
                spec.target_system,
                spec.target_object,
                writes,
                context.run_id,
            )
            remember_plan(connection, spec.name)
            (total,) = connection.execute(f"SELECT count(*) FROM {staged_table}").fetchone()
            version = outbox_version(connection, spec.name)
        operations = Counter(w.operation for w in writes)
        return dg.MaterializeResult(
            # The outbox's state: the apply runs again only when the plan added to it.
            data_version=dg.DataVersion(version),
            metadata={
                "rows": len(writes),
                "creates": operations["create"],
                "updates": operations["update"],
                "archives": operations["archive"],
                "compared": len(rows),  # the records whose staged row or target moved
                "unchanged": total - len(writes),
                "new_outbox_rows": new,
            },
        )

    return _plan


def _dry_run(spec: EntitySync, waiting: list[dict], check_name: str) -> dg.MaterializeResult:
    by_operation: dict[str, int] = {}
    for row in waiting:
        by_operation[row["operation"]] = by_operation.get(row["operation"], 0) + 1
    return dg.MaterializeResult(
        metadata={"dry_run": True, "rows": 0, "system": spec.target_system}
        | {f"would_{op}": n for op, n in sorted(by_operation.items())},
        check_results=[
            dg.AssetCheckResult(check_name=check_name, passed=True, metadata={"skipped": "dry run"})
        ],
    )


def _sent(
    counts: dict[str, int],
    check_name: str,
    problems: list[str],
    checked: int,
    version: dg.DataVersion,
) -> dg.MaterializeResult:
    # The data version is the outbox's state: the steps reading what was sent (the order
    # status, the deal tasks) run again only when it moved.
    return dg.MaterializeResult(
        data_version=version,
        metadata={"rows": counts.get("sent", 0)} | {k: v for k, v in counts.items() if k != "sent"},
        check_results=[
            dg.AssetCheckResult(
                check_name=check_name,
                passed=not problems,
                metadata={"checked": checked, "problems": problems[:20]},
            )
        ],
    )


def _apply_asset(spec: EntitySync) -> dg.AssetsDefinition:
    key = _key(spec, "apply")
    to_erp = spec.target_system == "erp"
    reconcile = dg.AssetCheckSpec(
        f"{spec.name}_reconciled",
        asset=key,
        description="The ERP holds what was sent: exactly one record per key, or the "
        "deactivated parties inactive."
        if to_erp
        else "What was sent reads back the same from the target (archived: not live).",
    )
    settings = {
        "key": key,
        "group_name": spec.group,
        "kinds": {"tryton" if to_erp else "hubspot", "duckdb"},
        "deps": [_key(spec, "plan")],
        "retry_policy": REMOTE_RETRY,
        "check_specs": [reconcile],
        "tags": {"remote": spec.target_system},
        "pool": spec.target_system,  # runs share each remote system's limits, not fight
        "freshness_policy": dg.FreshnessPolicy.time_window(
            fail_window=timedelta(minutes=spec.fresh_within_minutes)
        )
        if spec.fresh_within_minutes
        else None,
        "description": f"{spec.name}: pending outbox rows sent to the "
        f"{spec.target_system.upper()} (a dry run reports them and sends nothing).",
    }

    if to_erp:

        @dg.asset(**settings)
        def _apply_to_erp(
            context: dg.AssetExecutionContext,
            config: ApplyConfig,
            warehouse: DuckDBResource,
            erp: TrytonErp,
        ):
            from integration_pipeline.syncs.apply_erp import ERP_WRITERS
            from integration_pipeline.syncs.outbox import outbox_version, pending

            erp_writer = ERP_WRITERS[spec.erp_writer]
            with warehouse.get_connection() as connection:
                waiting = pending(connection, spec.name)
                if config.dry_run:
                    yield _dry_run(spec, waiting, reconcile.name)
                    return
                if not waiting and (standing := reused(context)):
                    yield standing
                    return
                writer = erp.writer()
                counts = erp_writer.send(connection, writer, waiting, context.run_id)
                version = dg.DataVersion(outbox_version(connection, spec.name))
            duplicates = erp_writer.repeated(writer, waiting)
            yield with_step_config(
                context, _sent(counts, reconcile.name, duplicates, len(waiting), version)
            )

        return _apply_to_erp

    @dg.asset(**settings)
    def _apply_to_crm(
        context: dg.AssetExecutionContext,
        config: ApplyConfig,
        warehouse: DuckDBResource,
        crm: HubSpotResource,
    ):
        from integration_pipeline.syncs.apply_crm import ensure_target_properties, send_pending
        from integration_pipeline.syncs.outbox import outbox_version, pending

        with warehouse.get_connection() as connection:
            waiting = pending(connection, spec.name)
            if config.dry_run:
                yield _dry_run(spec, waiting, reconcile.name)
                return
            if not waiting and (standing := reused(context)):
                yield standing
                return
            with crm.client() as client:
                ensure_target_properties(client, spec)
                counts = send_pending(connection, client, spec, waiting, context.run_id)
                mismatches = _read_back_mismatches(client, spec, waiting)
            version = dg.DataVersion(outbox_version(connection, spec.name))
        yield with_step_config(
            context, _sent(counts, reconcile.name, mismatches, len(waiting), version)
        )

    return _apply_to_crm


def _read_back_mismatches(client, spec: EntitySync, sent: list[dict]) -> list[str]:
    from integration_pipeline.syncs.planning import ASSOCIATIONS, same_value

    if not sent:
        return []
    if spec.archives:  # a batch read returns live records only
        outcome = client.batch(spec.target_object, "read", [{"id": r["record_key"]} for r in sent])
        return sorted(f"{r['id']}: still live" for r in outcome.results)
    # The newest plan per record, its properties only (associations are not properties).
    latest = {
        row["record_key"]: {k: v for k, v in row["payload"].items() if k != ASSOCIATIONS}
        for row in sent
    }
    names = sorted({name for payload in latest.values() for name in payload})
    extra = {"properties": names} | ({"idProperty": spec.id_property} if spec.id_property else {})
    outcome = client.batch(spec.target_object, "read", [{"id": k} for k in latest], extra)
    found = {
        (r["properties"].get(spec.id_property) if spec.id_property else r["id"]): r["properties"]
        for r in outcome.results
    }
    mismatches = []
    for record_key, payload in latest.items():
        current = found.get(record_key)
        if current is None:
            mismatches.append(f"{record_key}: not found")
            continue
        mismatches += [
            f"{record_key}.{name}"
            for name, value in payload.items()
            if not same_value(current.get(name), value)
        ]
    return mismatches


def build_sync(
    spec: EntitySync,
) -> tuple[list[dg.AssetsDefinition], dg.JobDefinition, dg.ScheduleDefinition]:
    assets = [_staged_asset(spec), _plan_asset(spec), _apply_asset(spec)]
    stages = dg.AssetSelection.assets(*[a.key for a in assets])
    job = dg.define_asset_job(
        f"sync_{spec.name}",
        selection=stages | stages.upstream(),
        description=f"{spec.name}: extract what it reads, stage, plan, apply.",
        tags={"entity": spec.name},
    )
    schedule = dg.ScheduleDefinition(
        job=job, cron_schedule=spec.schedule, default_status=dg.DefaultScheduleStatus.STOPPED
    )
    return assets, job, schedule
