"""Benchmark: the main job's full initial sync, then a run after a share of the records
changed, then a run with no change (issue #5: incremental ≤ 5 % of the full run's wall
time, no change ≤ 2 %).

    .venv/bin/python -m bench.sync_runs [--customers 1000] [--orders-per-year 1.5]
                                        [--change-share 0.01] [--seed 11] [--settle-minutes 5.5]

A private sandbox (a temporary data folder, free ports, an empty Dagster instance) at the
given scale, brought up first and not timed (`--orders-per-year` sets the order history's
density: 8.5 gives ~10 ERP sales a customer). Each run is `integration-pipeline demo` (the
sandbox already up, so it goes straight to the main job, in one process: the extracts, then
the rest when anything is left to do, orchestration/main_run.py); its wall time, the peak
resident memory of that process, and how many steps computed and how many found their inputs
unchanged (orchestration/reuse.py), with its slowest steps, are recorded. The runs,
in order:

- full: the initial sync into an empty warehouse;
- catch_up: the first run after it, which reads back what the initial sync wrote (the ERP
  state on every won deal, every invoice: HubSpot's search gives no way to leave out one's
  own writes, and at 5 searches/s × 200 records reading back N records takes ≥ N/1,000 s);
- incremental: after `--change-share` of the CRM companies, contacts and deals and of the
  ERP parties were changed (names, deal amounts) through the systems' APIs;
- no_change: nothing changed at the sources but what the incremental run wrote to them;
- quiet: no change again (but what the no_change run wrote, read back in turn).

A bench that crosses midnight (UTC) stops without recording anything: the day's first run
computes every step again, whatever changed.

Before each run the bench waits `--settle-minutes`: the extracts re-read what changed within
their overlap (5 minutes) before the newest change they hold, so right after seeding (or
after the previous run's own writes) everything would be read again, which a schedule slower
than the overlap never sees. Results are kept by scale in bench/results/sync_runs.json.
"""

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.tryton.session import TrytonSession
from integration_pipeline.instance import instance_yaml
from integration_pipeline.orchestration.reuse import REUSED_FROM
from integration_pipeline.sandbox.demo.records import DEFAULT_ORDERS_PER_YEAR
from integration_pipeline.sandbox.processes import free_port

RESULTS = Path(__file__).parent / "results" / "sync_runs.json"
BIN = Path(sys.executable).parent


# Each CLI call runs under a small Python parent that times it and reads the peak memory of
# its only child: the bench's own RUSAGE_CHILDREN peak would be the largest of all runs so far
# (the sandbox build included), and the parent's start-up is left out of the time.
_TIMED = (
    "import resource, subprocess, sys, time; "
    "started = time.monotonic(); code = subprocess.run(sys.argv[1:]).returncode; "
    "seconds = time.monotonic() - started; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, seconds, file=sys.stderr); "
    "sys.exit(code)"
)


def _cli(*args: str, env: dict) -> tuple[float, int, str]:
    """Run the CLI; returns (seconds, its peak resident memory in MB, stdout)."""
    result = subprocess.run(
        [sys.executable, "-c", _TIMED, str(BIN / "integration-pipeline"), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"integration-pipeline {args[0]} failed:\n{result.stdout[-3000:]}")
    peak_kb, seconds = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), round(int(peak_kb) / 1024), result.stdout


def _sample(connection: duckdb.DuckDBPyConnection, sql: str, share: float, rng) -> list:
    rows = [r[0] for r in connection.execute(sql).fetchall()]
    return rng.sample(rows, max(1, round(len(rows) * share)))


def _change(described: dict, warehouse: Path, share: float, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        companies = _sample(
            connection, "SELECT id FROM crm.companies WHERE NOT archived", share, rng
        )
        contacts = _sample(connection, "SELECT id FROM crm.contacts WHERE NOT archived", share, rng)
        deals = _sample(
            connection,
            "SELECT id FROM crm.deals WHERE NOT archived "
            "AND properties ->> 'dealstage' NOT IN ('closedwon', 'closedlost')",
            share,
            rng,
        )
        parties = _sample(connection, "SELECT id FROM erp.party_party WHERE active", share, rng)
    crm = described["crm"]
    with HubSpotClient(crm["url"], crm["token"]) as client:
        for object_type, ids, properties in (
            ("companies", companies, lambda i: {"name": f"Renamed company {i}"}),
            ("contacts", contacts, lambda i: {"lastname": f"Renamed {i}"}),
            ("deals", deals, lambda i: {"amount": str(1_000_000 + int(i) % 997)}),
        ):
            outcome = client.batch(
                object_type, "update", [{"id": str(i), "properties": properties(i)} for i in ids]
            )
            if outcome.errors:
                raise SystemExit(f"changing {object_type} failed: {outcome.errors[:3]}")
    erp = described["erp"]
    session = TrytonSession(
        erp["rpc_url"].rsplit("/", 3)[0], erp["database"], erp["user"], erp["password"]
    )
    for party in parties:
        session.model("party.party", "write", [party], {"name": f"Renamed party {party}"})
    return {
        "companies": len(companies),
        "contacts": len(contacts),
        "deals": len(deals),
        "parties": len(parties),
    }


def _counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            name: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for name, table in (
                ("crm_companies", "crm.companies"),
                ("crm_contacts", "crm.contacts"),
                ("crm_deals", "crm.deals"),
                ("crm_line_items", "crm.line_items"),
                ("erp_parties", "erp.party_party"),
                ("erp_sales", "erp.sale_sale"),
                ("erp_sale_lines", "erp.sale_line"),
                ("erp_invoices", "erp.account_invoice"),
                ("golden_customers", "core.customers"),
            )
        }


def _steps(home: Path, since: datetime) -> dict:
    """Of the Dagster runs one `demo` started (the extracts, and the rest when anything is
    left to do: orchestration/main_run.py): how many materializations computed and how many
    were reused, and the slowest steps (seconds from start to success), where the time went."""
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(created_after=since))
        logs = [entry for run in runs for entry in instance.all_logs(run.run_id)]
    events = [e for e in logs if e.dagster_event is not None]
    materialized = [
        e.asset_materialization for e in events if e.dagster_event.is_step_materialization
    ]
    reused = sum(REUSED_FROM in m.metadata for m in materialized)
    started = {e.step_key: e.timestamp for e in events if e.dagster_event.is_step_start}
    took = {
        e.step_key: e.timestamp - started[e.step_key]
        for e in events
        if e.dagster_event.is_step_success and e.step_key in started
    }
    slowest = sorted(took.items(), key=lambda item: -item[1])[:12]
    return {
        "dagster_runs": len(runs),
        "materialized": len(materialized),
        "reused": reused,
        "computed": len(materialized) - reused,
        "slowest_steps_s": {step: round(seconds, 2) for step, seconds in slowest},
    }


def _same_day(day: date, when: str) -> None:
    """A step reuses only the same day's results (orchestration/reuse.py): a run after
    midnight (UTC) computes everything, whatever changed, and measures nothing here."""
    if datetime.now(UTC).date() != day:
        raise SystemExit(f"the bench crossed midnight (UTC) {when}: nothing recorded, run again")


def measure(
    customers: int, orders_per_year: float, share: float, seed: int, settle_minutes: float
) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    data, home = folder / "data", folder / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml())
    env = {**os.environ, "DAGSTER_HOME": str(home), "INTEGRATION_PIPELINE_DATA": str(data)}
    options = [
        "--data-dir",
        str(data),
        "--erp-port",
        str(free_port()),
        "--crm-port",
        str(free_port()),
    ]
    try:
        print(f"sandbox with {customers} customers …", flush=True)
        density = ["--orders-per-year", str(orders_per_year)]
        up_s, _, _ = _cli(
            "sandbox", "up", *options, "--customers", str(customers), *density, env=env
        )
        described = json.loads(_cli("sandbox", "status", "--json", *options[:2], env=env)[2])
        runs = {}
        day = datetime.now(UTC).date()
        for name in ("full", "catch_up", "incremental", "no_change", "quiet"):
            print(f"settling {settle_minutes} min …", flush=True)
            time.sleep(settle_minutes * 60)
            _same_day(day, f"before its {name} run")
            if name == "incremental":
                changed = _change(described, data / "warehouse.duckdb", share, seed)
                print(f"changed {changed}", flush=True)
            started = datetime.now(UTC)
            seconds, peak_mb, _ = _cli(
                "demo", *options, "--customers", str(customers), *density, env=env
            )
            _same_day(day, f"during its {name} run")
            runs[name] = {
                "seconds": round(seconds, 1),
                "peak_rss_mb": peak_mb,
                "steps": _steps(home, started),
            }
            print(f"{name}: {runs[name]}", flush=True)
        counts = _counts(data / "warehouse.duckdb")
    finally:
        subprocess.run(
            [str(BIN / "integration-pipeline"), "sandbox", "down", *options[:2]],
            env=env,
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
    full = runs["full"]["seconds"]
    return {
        "customers": customers,
        "orders_per_year": orders_per_year,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "change_share": share,
        "settle_minutes": settle_minutes,
        "sandbox_up_s": round(up_s, 1),
        "records": counts,
        "changed": changed,
        "runs": runs,
        "catch_up_share_of_full": round(runs["catch_up"]["seconds"] / full, 3),
        "incremental_share_of_full": round(runs["incremental"]["seconds"] / full, 3),
        "no_change_share_of_full": round(runs["no_change"]["seconds"] / full, 3),
        "quiet_share_of_full": round(runs["quiet"]["seconds"] / full, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--orders-per-year", type=float, default=DEFAULT_ORDERS_PER_YEAR)
    parser.add_argument("--change-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--settle-minutes", type=float, default=5.5)
    args = parser.parse_args()
    result = measure(
        args.customers, args.orders_per_year, args.change_share, args.seed, args.settle_minutes
    )
    print(json.dumps(result, indent=2), flush=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    kept = [
        r
        for r in previous["runs"]
        if (r["customers"], r.get("orders_per_year", DEFAULT_ORDERS_PER_YEAR))
        != (args.customers, args.orders_per_year)
    ]
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "runs": sorted([*kept, result], key=lambda r: r["customers"]),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
