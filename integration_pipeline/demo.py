"""`integration-pipeline demo`: bring the sandbox up and run the main job through Dagster."""

import os
from collections import defaultdict
from collections.abc import Callable

from integration_pipeline.sandbox import manager
from integration_pipeline.sandbox.settings import SandboxSettings

Say = Callable[[str], None]


def run_demo(settings: SandboxSettings, say: Say) -> bool:
    """Returns True when every step and every check succeeded."""
    say("== 1/2 sandbox ==")
    described = manager.up(settings, say)
    say(
        f"  ERP (Tryton): {described['erp']['rpc_url']}; "
        f"CRM (HubSpot-compatible): {described['crm']['url']}"
    )

    say("== 2/2 main job (Dagster) ==")
    # The code location reads these when it loads: point it at this sandbox.
    os.environ["INTEGRATION_PIPELINE_DATA"] = str(settings.data_dir)
    from integration_pipeline.instance import dagster_home

    os.environ["DAGSTER_HOME"] = str(dagster_home())
    import dagster as dg

    from integration_pipeline.definitions import defs
    from integration_pipeline.orchestration.main_run import run_main_job

    with dg.DagsterInstance.get() as instance:
        main = run_main_job(
            instance,
            defs,
            # The full event log is in the UI; the terminal gets warnings and the summary.
            {"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            _entities_waiting,
        )
        _summarise(main.results, say)
        say(f"  steps after the extracts: {main.rest}")
        for result in main.results:
            say(
                f"run {result.run_id} {'succeeded' if result.success else 'FAILED'}; "
                f"Dagster instance: {os.environ['DAGSTER_HOME']}"
            )
    report = settings.data_dir / "reports" / "kpis" / "kpis.html"
    if report.exists():
        say(f"KPI report: {report}")
    say("look a customer up:  .venv/bin/integration-pipeline customer360 'NAME, E-MAIL OR PHONE'")
    say(
        "the sandbox keeps running: `integration-pipeline sandbox down` (or `make sandbox-down`)"
        " stops it"
    )
    say(
        "open the UI (with the daemon: schedules, sensors, automation):  make ui  "
        "(then http://127.0.0.1:3000)"
    )
    return main.success


def _entities_waiting() -> list[str]:
    import duckdb

    from integration_pipeline.resources import warehouse_path
    from integration_pipeline.syncs.outbox import entities_waiting

    with duckdb.connect(warehouse_path()) as connection:
        return entities_waiting(connection)


def _summarise(results, say: Say) -> None:
    import dagster as dg

    from integration_pipeline.orchestration.reuse import REUSED_FROM

    rows: dict[str, list[str]] = defaultdict(list)
    events = [e for result in results for e in result.get_asset_materialization_events()]
    reused = sum(
        REUSED_FROM in e.step_materialization_data.materialization.metadata for e in events
    )
    say(
        f"  assets: {len(events) - reused} computed, {reused} reused "
        "(inputs unchanged since their last result)"
    )
    for event in events:
        materialization = event.step_materialization_data.materialization
        key = "/".join(materialization.asset_key.path[1:])
        count = materialization.metadata.get("rows")
        group = materialization.asset_key.path[0]
        rows[group].append(f"{key}={count.value if count else '?'}")
    for group, entries in rows.items():
        say(f"  {group}: " + ", ".join(entries))
    for event in (e for result in results for e in result.get_asset_check_evaluations()):
        warns = event.severity == dg.AssetCheckSeverity.WARN
        verdict = "passed" if event.passed else ("warns" if warns else "FAILED")
        say(f"  check {event.check_name} on {'/'.join(event.asset_key.path)}: {verdict}")
