"""Benchmark: record linkage quality on labelled data, and the audit command at scale.

    .venv/bin/python -m bench.linkage quality            # Febrl 1-4 and the demo's truth
    .venv/bin/python -m bench.linkage scale --rows 1000000

Quality: precision, recall and F1 of the pairs found (dedupe: pairs inside the clusters;
Febrl 4: links between 4a and 4b) against the truth in the record ids (Febrl) or the demo
generator's ground truth (ERP parties + CRM companies and person contacts, 1,000 customers).
Scale: a synthetic CSV (bench/synthetic_customers.py) through `integration-pipeline dedupe`
in a child process: wall time and the child's peak memory, and F1 against the truth.
Results go to bench/results/linkage_quality.json and bench/results/linkage_scale.json.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parent / "results"


def _header(command: str) -> dict:
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": command,
    }


def _truth_pairs(entity_of: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for record, entity in entity_of.items():
        members.setdefault(entity, []).append(record)
    return {tuple(sorted(p)) for ids in members.values() for p in combinations(ids, 2)}


def quality_report() -> dict:
    from integration_pipeline.cleansing.evaluation import pairs_of_clusters, quality
    from integration_pipeline.cleansing.febrl import load_febrl
    from integration_pipeline.cleansing.linkage import link
    from integration_pipeline.cleansing.standardise import standardise
    from integration_pipeline.sandbox.demo.customer_records import crm_records, erp_records, truth
    from integration_pipeline.sandbox.demo.generator import generate
    from integration_pipeline.sandbox.demo.records import DemoConfig

    report = _header("python -m bench.linkage quality") | {"datasets": {}}

    def dedupe(name: str, records: pd.DataFrame, entity_of: dict[str, str]) -> None:
        started = time.monotonic()
        result = link([standardise(records)[0]])
        found = pairs_of_clusters(
            zip(result.clusters.unique_id, result.clusters.cluster_id, strict=True)
        )
        measured = quality(found, _truth_pairs(entity_of)).as_dict()
        report["datasets"][name] = measured | {
            "records": len(records),
            "seconds": round(time.monotonic() - started, 1),
        }
        print(name, report["datasets"][name], flush=True)

    for name in ("dataset1", "dataset2", "dataset3"):
        records = load_febrl(name)
        dedupe(f"febrl_{name}", records, dict(zip(records.id, records.entity, strict=True)))
    left, right = load_febrl("dataset4a"), load_febrl("dataset4b")
    started = time.monotonic()
    result = link([standardise(left)[0], standardise(right)[0]])
    found = set(zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True))
    entity_of = dict(zip(left.id, left.entity, strict=True)) | dict(
        zip(right.id, right.entity, strict=True)
    )
    measured = quality(found, _truth_pairs(entity_of)).as_dict()
    report["datasets"]["febrl_dataset4a_4b_link"] = measured | {
        "records": len(left) + len(right),
        "seconds": round(time.monotonic() - started, 1),
    }
    print("febrl_4", report["datasets"]["febrl_dataset4a_4b_link"], flush=True)
    dataset = generate(DemoConfig(seed=42, customers=1000))
    records = pd.concat([erp_records(dataset), crm_records(dataset)], ignore_index=True)
    dedupe("demo_1000_customers_crm_and_erp", records, truth(dataset))
    return report


def scale_report(rows: int) -> dict:
    from bench.synthetic_customers import write_customers
    from integration_pipeline.cleansing.evaluation import pairs_of_clusters, quality

    report = _header(f"python -m bench.linkage scale --rows {rows}")
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "customers.csv", Path(tmp) / "clusters.csv"
        people, written = write_customers(source, rows)
        print(f"generated {written:,} rows ({people:,} people)", flush=True)
        started = time.monotonic()
        command = [
            str(Path(sys.executable).parent / "integration-pipeline"),
            "dedupe",
            str(source),
            "--out",
            str(out),
        ]
        completed = subprocess.run(command, capture_output=True, text=True)
        seconds = time.monotonic() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(completed.stderr[-3000:], flush=True)
        completed.check_returncode()
        truth = pd.read_csv(source, usecols=["id", "entity"], dtype=str)
        found = pd.read_csv(out, dtype=str)
        measured = quality(
            pairs_of_clusters(zip(found.id, found.cluster_id, strict=True)),
            _truth_pairs(dict(zip(truth.id, truth.entity, strict=True))),
        )
    report |= {
        "rows": written,
        "people": people,
        "output_rows": len(found),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb),
        "quality": measured.as_dict(),
        "goal": "<= 300 s and <= 4096 MB",
    }
    print(json.dumps(report, indent=2), flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="what", required=True)
    commands.add_parser("quality")
    scale = commands.add_parser("scale")
    scale.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.what == "quality":
        (RESULTS / "linkage_quality.json").write_text(json.dumps(quality_report(), indent=2) + "\n")
    else:
        (RESULTS / "linkage_scale.json").write_text(
            json.dumps(scale_report(args.rows), indent=2) + "\n"
        )


if __name__ == "__main__":
    main()
