"""Benchmark: from a deal moved to closed-won in the CRM sandbox to a confirmed Tryton sale,
with the Dagster daemon running the won-deals sensor.

    .venv/bin/python -m bench.order_latency [--deals 50] [--mean-gap 6] [--seed 3]

A private sandbox (a temporary data folder, free ports, the default demo scale) and Dagster
instance; `integration-pipeline demo` makes the first sync; then `dagster-daemon run` with
the sensor `won_deals` on. `--deals` new deals (one line item each, a product in stock, an
amount the customer's credit covers, customers the ERP knows) are created open, then moved
to closed-won one by one at random times (exponential gaps, mean `--mean-gap` seconds). The
ERP is polled every 0.5 s for each deal's sale (`reference = hubspot-deal:<id>`); latency is
from the moment before the CRM call that won the deal to the first poll that sees the sale
confirmed. A deal the ERP holds (credit, stock) counts as decided when the CRM shows it.
Results go to bench/results/order_latency.json.
"""

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.tryton.session import TrytonSession
from integration_pipeline.instance import instance_yaml
from integration_pipeline.sandbox.processes import free_port

RESULTS = Path(__file__).parent / "results" / "order_latency.json"
BIN = Path(sys.executable).parent
CONFIRMED = {"confirmed", "processing", "done"}


def _run(*args: str, env: dict, timeout: float = 1200) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{result.stdout[-2000:]}{result.stderr}")
    return result.stdout


def _candidates(warehouse: Path) -> tuple[list[str], list[tuple[str, float]]]:
    """CRM companies whose customer the ERP knows and whose credit covers a small order; the
    products with stock to spare, with their list price."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        companies = connection.execute(
            """
            SELECT DISTINCT split_part(crm.record_id, ':', 2)
            FROM core.customer_id_map crm
            JOIN core.customer_id_map erp ON erp.golden_id = crm.golden_id AND erp.system = 'erp'
            JOIN erp.party_party p ON p.code = erp.record_id
            JOIN staging.erp_party_credit c ON c.erp_party_id = p.id
            WHERE crm.system = 'crm' AND crm.record_id LIKE 'companies:%'
              AND (c.credit_limit IS NULL OR c.available_credit > 5e8)
            """
        ).fetchall()
        products = connection.execute(
            """
            SELECT s.product_code, CAST(lp.list_price AS DOUBLE)
            FROM staging.erp_stock_levels s
            JOIN erp.product_product p ON p.code = s.product_code
            JOIN erp.product_list_price lp ON lp.template = p.template
            WHERE s.warehouse_code = 'WH' AND s.forecast >= 100
            ORDER BY 1
            """
        ).fetchall()
    return [c for (c,) in companies], [(code, price) for code, price in products]


def _create_open_deals(client: HubSpotClient, count: int, rng: random.Random, warehouse: Path):
    companies, products = _candidates(warehouse)
    if not companies or not products:
        raise SystemExit("no customer with credit or no product in stock to order")
    chosen = [(rng.choice(companies), rng.choice(products)) for _ in range(count)]
    items = client.batch(
        "line_items",
        "create",
        [
            {"properties": {"name": code, "hs_sku": code, "quantity": "1", "price": str(price)}}
            for _, (code, price) in chosen
        ],
    )
    close = (date.today() + timedelta(days=7)).isoformat()
    deals = client.batch(
        "deals",
        "create",
        [
            {
                "properties": {
                    "dealname": f"latency bench {n}",
                    "dealstage": "contractsent",
                    "pipeline": "default",
                    "amount": str(price),
                    "hs_deal_stage_probability": "0.8",
                    "deal_currency_code": "IRR",
                    "closedate": close,
                }
            }
            for n, (_, (_, price)) in enumerate(chosen)
        ],
    )
    if items.errors or deals.errors:
        raise SystemExit(f"creating the deals failed: {items.errors or deals.errors}")
    deal_ids = [d["id"] for d in deals.results]
    item_ids = [i["id"] for i in items.results]
    for to_object, targets in (("companies", [c for c, _ in chosen]), ("line_items", item_ids)):
        client.call(
            "POST",
            f"/crm/v4/associations/deals/{to_object}/batch/create",
            json={
                "inputs": [
                    {"from": {"id": d}, "to": {"id": t}}
                    for d, t in zip(deal_ids, targets, strict=True)
                ]
            },
        )
    return deal_ids


class Watcher(threading.Thread):
    """Polls the ERP for the deals' sales and the CRM for their sync status."""

    def __init__(self, erp: TrytonSession, crm: HubSpotClient, deals: list[str]) -> None:
        super().__init__(daemon=True)
        self.erp, self.crm, self.deals = erp, crm, deals
        self.confirmed: dict[str, float] = {}
        self.held: dict[str, tuple[float, str]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        references = [f"hubspot-deal:{d}" for d in self.deals]
        polls = 0
        while not self.stop.is_set():
            now = time.monotonic()
            sales = self.erp.model(
                "sale.sale",
                "search_read",
                [["reference", "in", references]],
                0,
                None,
                None,
                ["reference", "state"],
            )
            for sale in sales:
                deal = sale["reference"].split(":", 1)[1]
                if sale["state"] in CONFIRMED:
                    self.confirmed.setdefault(deal, now)
            if polls % 4 == 0:  # the CRM less often: it has a rate limit to share
                pending = [d for d in self.deals if d not in self.confirmed]
                if pending:
                    found = self.crm.batch(
                        "deals",
                        "read",
                        [{"id": d} for d in pending],
                        {"properties": ["erp_sync_status"]},
                    )
                    for deal in found.results:
                        status = deal["properties"].get("erp_sync_status") or ""
                        if status.startswith("on_hold") or status == "rejected":
                            self.held.setdefault(deal["id"], (now, status))
            polls += 1
            self.stop.wait(0.5)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(deals: int, mean_gap: float, seed: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    data, home = folder / "data", folder / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml())
    env = {**os.environ, "DAGSTER_HOME": str(home), "INTEGRATION_PIPELINE_DATA": str(data)}
    ports = ["--erp-port", str(free_port()), "--crm-port", str(free_port())]
    cli = str(BIN / "integration-pipeline")
    daemon = None
    try:
        print("sandbox and first sync (integration-pipeline demo) …", flush=True)
        _run(cli, "demo", "--data-dir", str(data), *ports, env=env)
        described = json.loads(
            _run(cli, "sandbox", "status", "--json", "--data-dir", str(data), env=env)
        )
        crm = HubSpotClient(described["crm"]["url"], described["crm"]["token"])
        erp = TrytonSession(
            described["erp"]["rpc_url"].rsplit("/", 3)[0],
            described["erp"]["database"],
            described["erp"]["user"],
            described["erp"]["password"],
        )
        rng = random.Random(seed)
        deal_ids = _create_open_deals(crm, deals, rng, data / "warehouse.duckdb")

        print("daemon with the won_deals sensor …", flush=True)
        module = ["-m", "integration_pipeline.definitions"]
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", *module],
            env=env,
            stdout=(folder / "daemon.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _run(str(BIN / "dagster"), "sensor", "start", "won_deals", *module, env=env)
        time.sleep(15)  # the daemon's first ticks (the sensor's cursor starts here)

        watcher = Watcher(erp, crm, deal_ids)
        watcher.start()
        won_at: dict[str, float] = {}
        print(f"winning {deals} deals, mean gap {mean_gap} s …", flush=True)
        for deal in deal_ids:
            time.sleep(rng.expovariate(1 / mean_gap))
            won_at[deal] = time.monotonic()
            crm.batch("deals", "update", [{"id": deal, "properties": {"dealstage": "closedwon"}}])
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if all(d in watcher.confirmed or d in watcher.held for d in deal_ids):
                break
            time.sleep(1)
        watcher.stop.set()
        watcher.join()
        runs = _runs(home)
    finally:
        if daemon is not None and daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGKILL)
        subprocess.run([cli, "sandbox", "down", "--data-dir", str(data)], env=env, check=False)
    latencies = [watcher.confirmed[d] - won_at[d] for d in deal_ids if d in watcher.confirmed]
    held = {
        d: (at - won_at[d], status)
        for d, (at, status) in watcher.held.items()
        if d not in watcher.confirmed
    }
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "deals": deals,
        "mean_gap_s": mean_gap,
        "confirmed": len(latencies),
        "held": {d: {"seconds": round(s, 1), "status": st} for d, (s, st) in held.items()},
        "undecided": [d for d in deal_ids if d not in watcher.confirmed and d not in held],
        "p50_s": round(statistics.median(latencies), 1) if latencies else None,
        "p95_s": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "max_s": round(max(latencies), 1) if latencies else None,
        "runs": runs,
    }


def _runs(home: Path) -> dict:
    """The orders_flow runs the sensor started: how many, and how long each took."""
    code = (
        "import json, dagster as dg\n"
        "with dg.DagsterInstance.get() as i:\n"
        "    rs = i.get_run_records(dg.RunsFilter(job_name='orders_flow'))\n"
        "    print(json.dumps([[r.dagster_run.status.value, r.start_time, r.end_time, "
        "r.create_timestamp.timestamp()] for r in rs]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
    )
    records = json.loads(out.stdout or "[]")
    durations = [end - start for _, start, end, _ in records if start and end]
    waits = [start - created for _, start, _, created in records if start]
    return {
        "count": len(records),
        "statuses": sorted({status for status, *_ in records}),
        "mean_duration_s": round(statistics.mean(durations), 1) if durations else None,
        "mean_queue_to_start_s": round(statistics.mean(waits), 1) if waits else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=50)
    parser.add_argument("--mean-gap", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **measure(args.deals, args.mean_gap, args.seed),
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
