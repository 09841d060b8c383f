"""Sets up the company and seeds the demo data in a fresh Tryton database.

Runs as its own process (`python -m integration_pipeline.sandbox.tryton.build_worker`)
because trytond keeps process-wide state (configuration, pool) that must not leak into the
CLI or the tests. Prints one progress line per step.
"""

import argparse
import os
import sys
import time
from datetime import date

from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DEFAULT_ORDERS_PER_YEAR, DemoConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--database-uri", required=True, help="sqlite:// or postgresql://…/")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--orders-per-year", type=float, default=DEFAULT_ORDERS_PER_YEAR)
    parser.add_argument("--bulk", action="store_true", help="write sales as rows (bulk_seed)")
    args = parser.parse_args(argv)

    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"  [{time.monotonic() - started:5.1f}s] {message}", flush=True)

    # Imported here: trytond reads its configuration at import time of some modules.
    from proteus import config as proteus_config

    # proteus puts the bare database name into TRYTOND_DATABASE_URI, which would override the
    # configuration file's backend; given the server URI first, it only swaps the path.
    os.environ["TRYTOND_DATABASE_URI"] = args.database_uri
    dataset = generate(
        DemoConfig(
            seed=args.seed,
            customers=args.customers,
            as_of=args.as_of,
            orders_per_year=args.orders_per_year,
        )
    )
    config = proteus_config.set_trytond(args.database, config_file=args.config)
    # Only now: importing Tryton modules picks the database backend from the configuration.
    from integration_pipeline.sandbox.tryton.business_setup import set_up_company
    from integration_pipeline.sandbox.tryton.erp_seed import TransactionRunner, seed

    first_year = args.as_of.toordinal() - dataset.config.history_days - 1
    ids = set_up_company(date.fromordinal(first_year).year, args.as_of.year + 1)
    progress("company, chart of accounts, fiscal years, VAT, payment term and warehouse set up")
    counts = seed(
        dataset,
        ids,
        TransactionRunner(args.database, config.user, config.context),
        progress,
        bulk=args.bulk,
    )
    progress("seeded " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
