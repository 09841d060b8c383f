"""Runs the CRM sandbox: `python -m integration_pipeline.sandbox.crm.server`.

The bearer token comes from INTEGRATION_PIPELINE_CRM_TOKEN (never from the command line,
which other users of the machine can read). On first start the store is seeded from the demo
folder's crm/*.jsonl.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import uvicorn

from integration_pipeline.sandbox.crm.app import CrmConfig, build_app
from integration_pipeline.sandbox.crm.store import CrmStore

SEED_ORDER = ("products", "companies", "contacts", "deals", "line_items", "invoices")
CUSTOM_PROPERTIES = {
    "contacts": [
        {
            "name": "ir_national_id",
            "label": "National id (کد ملی)",
            "type": "string",
            "fieldType": "text",
        }
    ],
    "companies": [
        {
            "name": "ir_national_id",
            "label": "National company id (شناسه ملی)",
            "type": "string",
            "fieldType": "text",
        }
    ],
}


def seed_from_demo(store: CrmStore, demo_dir: Path) -> dict[str, int]:
    """Load the demo's CRM records (with their ids) into an empty store."""
    counts: dict[str, int] = {}
    with store.transaction():
        for object_type, definitions in CUSTOM_PROPERTIES.items():
            for definition in definitions:
                if definition["name"] not in store.properties(object_type):
                    store.create_property(object_type, definition)
        pending = []
        for object_type in SEED_ORDER:
            path = demo_dir / "crm" / f"{object_type}.jsonl"
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    row = json.loads(line)
                    values = store.check_values(
                        object_type,
                        {k: v for k, v in row["properties"].items() if k != "createdate"},
                    )
                    store.insert(
                        object_type,
                        values,
                        record_id=int(row["id"]),
                        created_at=row["properties"].get("createdate") or None,
                    )
                    pending += [
                        (object_type, int(row["id"]), a["to"], int(a["id"]))
                        for a in row.get("associations", [])
                    ]
                    counts[object_type] = counts.get(object_type, 0) + 1
        for from_type, from_id, to_type, to_id in pending:
            store.associate(from_type, from_id, to_type, to_id)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="where crm.sqlite lives")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--seed-from", type=Path, help="demo folder to seed an empty store from")
    parser.add_argument("--requests-per-10s", type=int, default=190)
    parser.add_argument("--searches-per-s", type=int, default=5)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--timeout-rate", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--search-cap",
        type=int,
        default=10_000,
        help="results a search can page through (HubSpot: 10,000)",
    )
    parser.add_argument(
        "--retry-after-header",
        action="store_true",
        help="add Retry-After to 429 answers (HubSpot does not)",
    )
    args = parser.parse_args(argv)
    token = os.environ.get("INTEGRATION_PIPELINE_CRM_TOKEN")
    if not token:
        print(
            "error: set INTEGRATION_PIPELINE_CRM_TOKEN to the bearer token clients must send",
            file=sys.stderr,
        )
        return 2
    store = CrmStore(args.data_dir / "crm.sqlite")
    if args.seed_from and store.count("companies") == 0:
        counts = seed_from_demo(store, args.seed_from)
        print(f"seeded {counts}", flush=True)
    config = CrmConfig(
        token=token,
        requests_per_10s=args.requests_per_10s,
        searches_per_s=args.searches_per_s,
        error_rate=args.error_rate,
        timeout_rate=args.timeout_rate,
        latency_ms=args.latency_ms,
        retry_after_header=args.retry_after_header,
        search_cap=args.search_cap,
    )
    uvicorn.run(build_app(store, config), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
