"""Benchmark: the HubSpot connector's sustained batch throughput against the CRM sandbox.

    .venv/bin/python -m bench.hubspot_throughput [--records 200000] [--tier 190]

Starts an empty CRM sandbox with HubSpot's Professional limit (190 requests per rolling 10 s),
creates --records contacts in batches of 100, then reads them all back in batches of 100.
The nominal ceiling is tier/10 requests per second × 100 records. A rolling window lets a
burst of `tier` requests through at the start, so besides the overall rate the steady rate
is reported: records per second from the end of the first window to the last call.
Also: records lost (sent but not read back), 429s (retried by the connector) and errors
surfaced to the caller, and the connector's CPU time per 1,000 records.
Results: bench/results/hubspot_throughput.json.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.connectors.hubspot.errors import HubSpotError
from integration_pipeline.sandbox import processes
from integration_pipeline.sandbox.crm.process import start_crm
from integration_pipeline.sandbox.processes import free_port

RESULTS = Path(__file__).parent / "results" / "hubspot_throughput.json"
TOKEN = "pat-bench"
BATCH = 100
WINDOW_S = 10.0


def _phase(
    client: HubSpotClient, action: str, inputs: list[dict], extra: dict | None, per_window: int
) -> tuple[dict, list[dict]]:
    cpu, started = time.process_time(), time.monotonic()
    before = (client.stats.requests, client.stats.throttled, client.stats.retries)
    surfaced, results, stamps = 0, [], []
    for start in range(0, len(inputs), BATCH):
        sent = time.monotonic()
        try:
            outcome = client.batch("contacts", action, inputs[start : start + BATCH], extra)
        except HubSpotError:
            surfaced += 1
            continue
        results += outcome.results
        stamps.append((sent, len(results)))
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    steady = _steady_rate(stamps, started, WINDOW_S)
    return {
        "records": len(results),
        "seconds": round(wall, 2),
        "records_per_s_overall": round(len(results) / wall, 1),
        "records_per_s_steady": steady,
        "requests": client.stats.requests - before[0],
        "throttled_429_retried": client.stats.throttled - before[1],
        "retries": client.stats.retries - before[2],
        "errors_surfaced_to_caller": surfaced,
        "cpu_ms_per_1000_records": round(cpu * 1000 / max(len(results), 1) * 1000, 1),
    }, results


def _steady_rate(stamps: list[tuple[float, int]], started: float, window_s: float) -> float | None:
    """Records per second in whole windows after the first (whose opening burst a rolling
    window allows): records of the calls sent in windows 2..K-1, the last, partial window
    left out, over their duration."""
    per_window: dict[int, int] = {}
    previous = 0
    for sent, done in stamps:
        index = int((sent - started) // window_s)
        per_window[index] = per_window.get(index, 0) + done - previous
        previous = done
    whole = [per_window.get(i, 0) for i in range(1, max(per_window, default=0))]
    if len(whole) < 2:
        return None
    return round(sum(whole) / (len(whole) * window_s), 1)


def run(records: int, tier: int) -> dict:
    ceiling = tier / 10 * BATCH
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
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
                write, created = _phase(client, "create", inputs, None, tier)
                ids = [{"id": r["id"]} for r in created]
                time.sleep(WINDOW_S)  # each phase starts on an empty window
                read, found = _phase(client, "read", ids, {"properties": ["email"]}, tier)
        finally:
            processes.stop(pid)
    for phase in (write, read):
        if phase["records_per_s_steady"]:
            phase["steady_share_of_ceiling"] = round(phase["records_per_s_steady"] / ceiling, 3)
    emails = {r["properties"]["email"] for r in found}
    return {
        "tier_requests_per_10s": tier,
        "ceiling_records_per_s": ceiling,
        "records": records,
        "write": write,
        "read": read,
        "lost_records": records - len(emails),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
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
