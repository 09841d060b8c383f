"""Benchmark: `integration-pipeline sandbox up` from scratch and from the cached template.

    .venv/bin/python -m bench.sandbox_up [--customers 50 1000]

Each scale runs twice in a fresh data folder: first with an empty template cache (the full
build: trytond-admin, company setup, seeding: through Tryton's business methods, or as
rows above 200 customers, see erp_seed.py / bulk_seed.py), then again
with the cache the first run filled. Results go to bench/results/sandbox_up.json.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from integration_pipeline.sandbox.processes import free_port
from integration_pipeline.sandbox.settings import SandboxSettings

RESULTS = Path(__file__).parent / "results" / "sandbox_up.json"
CLI = str(Path(sys.executable).parent / "integration-pipeline")


def _up(data: Path, cache: Path, customers: int) -> tuple[float, str]:
    env = {**os.environ, "INTEGRATION_PIPELINE_CACHE": str(cache)}
    ports = ["--erp-port", str(free_port()), "--crm-port", str(free_port())]
    started = time.monotonic()
    result = subprocess.run(
        [
            CLI,
            "sandbox",
            "up",
            "--data-dir",
            str(data),
            *ports,
            "--customers",
            str(customers),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    subprocess.run(
        [CLI, "sandbox", "down", "--data-dir", str(data)], env=env, check=True, capture_output=True
    )
    return seconds, result.stdout


def measure(customers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        scratch, log = _up(Path(tmp) / "a", cache, customers)
        cached, _ = _up(Path(tmp) / "b", cache, customers)
    seeded = re.search(r"seeded (\d+) parties, (\d+) products, (\d+) sales", log)
    steps = re.findall(r"\[\s*([\d.]+)s\] (.+)", log)
    return {
        "customers": customers,
        "seeding": "bulk" if SandboxSettings(customers=customers).bulk_seeding else "orm",
        "parties": int(seeded.group(1)) if seeded else None,
        "sales": int(seeded.group(3)) if seeded else None,
        "from_scratch_s": round(scratch, 1),
        "from_cached_template_s": round(cached, 1),
        "seeding_s": float(steps[-1][0]) if steps else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[50])
    args = parser.parse_args()
    runs = []
    for customers in args.customers:
        runs.append(measure(customers))
        print(json.dumps(runs[-1]), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    keep = [r for r in previous["runs"] if r["customers"] not in args.customers]
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "runs": sorted(keep + runs, key=lambda r: r["customers"]),
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
