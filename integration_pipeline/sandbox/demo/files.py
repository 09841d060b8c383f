"""Writes the demo dataset beside the databases: CRM records, ground truth, marketing spend."""

import csv
import json
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from integration_pipeline.sandbox.demo.records import DemoDataset


def write_dataset(dataset: DemoDataset, folder: Path) -> dict[str, int]:
    """Write the files (replacing older ones) and return the number of rows of each."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    by_type = defaultdict(list)
    for record in dataset.crm:
        by_type[record.object_type].append(record)
    crm_dir = folder / "crm"
    crm_dir.mkdir(exist_ok=True)
    for object_type, records in sorted(by_type.items()):
        path = crm_dir / f"{object_type}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for r in records:
                row = {
                    "id": r.id,
                    "properties": r.properties,
                    "associations": [{"to": t, "id": i} for t, i in r.associations],
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[f"crm/{object_type}"] = len(records)

    counts["ground_truth"] = _write_csv(
        folder / "ground_truth.csv", [asdict(g) for g in dataset.ground_truth]
    )
    counts["true_customers"] = _write_csv(
        folder / "true_customers.csv", [asdict(c) for c in dataset.customers]
    )
    counts["marketing_spend"] = _write_csv(
        folder / "marketing_spend.csv", [asdict(m) for m in dataset.marketing_spend]
    )
    config = dataset.config
    manifest = {
        "seed": config.seed,
        "customers": config.customers,
        "products": config.products,
        "as_of": config.as_of.isoformat(),
        "history_days": config.history_days,
        "currency": dataset.currency,
        "erp": {"parties": len(dataset.erp_parties), "sales": len(dataset.erp_sales)},
        "files": counts,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts


def _write_csv(path: Path, rows: list[dict]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return len(rows)
