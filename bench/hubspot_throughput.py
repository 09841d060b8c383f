"""Benchmark: the HubSpot connector's sustained batch throughput against the CRM sandbox.

    .venv/bin/python -m bench.hubspot_throughput [--records 60000] [--tier 190]

Starts an empty CRM sandbox with HubSpot's Professional limit (190 requests per rolling 10 s),
creates --records contacts in batches of 100, then reads them all back in batches of 100.
The ceiling is tier/10 requests per second × 100 records. Reports records/s against it,
records lost (sent but not found), 429s the caller saw (the connector retries them) and the
connector's CPU time per 1,000 records. Results: bench/results/hubspot_throughput.json.
"""

import argparse
import json
import os
import platform
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.errors import HubSpotError
from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.crm.process import start_crm

RESULTS = Path(__file__).parent / "results" / "hubspot_throughput.json"
TOKEN = "pat-bench"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _phase(client: HubSpotClient, work) -> dict:
    cpu, wall = time.process_time(), time.monotonic()
    before = (client.stats.requests, client.stats.throttled, client.stats.retries)
    surfaced, records = 0, 0
    try:
        records = work()
    except HubSpotError:
        surfaced += 1
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    return {
        "records": records,
        "seconds": round(wall, 2),
        "records_per_s": round(records / wall, 1),
        "requests": client.stats.requests - before[0],
        "throttled_429_retried": client.stats.throttled - before[1],
        "retries": client.stats.retries - before[2],
        "errors_surfaced_to_caller": surfaced,
        "cpu_ms_per_1000_records": round(cpu * 1000 / max(records, 1) * 1000, 1),
    }


def run(records: int, tier: int) -> dict:
    ceiling = tier / 10 * 100
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        empty_demo = Path(tmp) / "demo"
        empty_demo.mkdir()
        pid = start_crm(
            Path(tmp) / "crm", port, TOKEN, empty_demo, ("--requests-per-10s", str(tier))
        )
        try:
            with HubSpotClient(f"http://127.0.0.1:{port}", TOKEN, requests_per_10s=tier) as client:
                inputs = [
                    {"properties": {"email": f"bench{i}@example.com", "firstname": f"B{i}"}}
                    for i in range(records)
                ]
                created: list[str] = []

                def write() -> int:
                    outcome = client.batch("contacts", "create", inputs)
                    created.extend(r["id"] for r in outcome.results)
                    return len(outcome.results)

                write_result = _phase(client, write)
                found: set[str] = set()

                def read() -> int:
                    outcome = client.batch(
                        "contacts", "read", [{"id": i} for i in created], {"properties": ["email"]}
                    )
                    found.update(r["id"] for r in outcome.results)
                    return len(outcome.results)

                read_result = _phase(client, read)
        finally:
            processes.stop(pid)
    for result in (write_result, read_result):
        result["share_of_ceiling"] = round(result["records_per_s"] / ceiling, 3)
    return {
        "tier_requests_per_10s": tier,
        "ceiling_records_per_s": ceiling,
        "records": records,
        "write": write_result,
        "read": read_result,
        "lost_records": records - len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--tier", type=int, default=190)
    args = parser.parse_args()
    result = run(args.records, args.tier)
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
