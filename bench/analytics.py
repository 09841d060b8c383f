"""Benchmark: the analytics' quality and the customer 360 lookup's speed.

    .venv/bin/python -m bench.analytics [--customers 5000] [--warehouse PATH] [--scale-to N]

Two parts, results in bench/results/analytics.json:
  - method: the demo generator's history at `--customers` (no ERP needed: its sales keyed by
    the true customer), the churn model's AUC on its time-based validation split and the
    demand backtest's WAPE against the naive seasonal forecast (goal: ≥ 20 % lower);
  - warehouse: the same figures as the main job computes them from the warehouse it built
    (default: the sandbox's, after `make demo`), and `customer360` lookups timed one by one
    (open the file read-only, find, fetch the 360 rows: what the command does after its
    imports) for names as typed in either system, e-mails and phones; then again on a copy
    whose 360 mart and search keys are replicated to `--scale-to` customers. Goal: ≤ 200 ms.
"""

import argparse
import json
import platform
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

RESULTS = Path(__file__).parent / "results" / "analytics.json"
AS_OF = date(2026, 12, 1)


def _quality(orders: pd.DataFrame, deals: pd.DataFrame, lines: pd.DataFrame, today: date):
    from integration_pipeline.analytics import churn, demand

    model = churn.train(orders, deals, today)
    this_week = demand.week_start(pd.Series([pd.Timestamp(today)])).iloc[0]
    history = demand.weekly_history(lines, this_week - pd.Timedelta(days=7))
    result = demand.backtest(history)
    return {
        "churn_validation_auc": round(model.validation_auc, 4) if model else None,
        "churn_train_rows": model.train_rows if model else 0,
        "churn_validation_rows": model.validation_rows if model else 0,
        "backtest_origins": result.origins,
        "backtest_horizon_weeks": result.horizon_weeks,
        "products": len(history.columns),
        "wape_forecast": round(result.wape_baseline, 4),
        "wape_seasonal_naive": round(result.wape_seasonal_naive, 4),
        "wape_improvement": round(result.improvement, 4),
    }


def method(customers: int, seed: int) -> dict:
    """The analytics on the generator's own history, keyed by the true customer."""
    from integration_pipeline.sandbox.demo.generator import generate
    from integration_pipeline.sandbox.demo.records import DemoConfig

    dataset = generate(DemoConfig(seed=seed, customers=customers, as_of=AS_OF))
    customer_of = {t.record_id: t.entity_id for t in dataset.ground_truth if t.system == "erp"}
    orders = pd.DataFrame(
        {
            "golden_id": [customer_of[s.party_code] for s in dataset.erp_sales],
            "order_date": [pd.Timestamp(s.sale_date) for s in dataset.erp_sales],
            "revenue": [
                float(sum(li.quantity * li.unit_price for li in s.lines)) for s in dataset.erp_sales
            ],
        }
    )
    lines = pd.DataFrame(
        [
            (pd.Timestamp(s.sale_date), li.product_code, float(li.quantity))
            for s in dataset.erp_sales
            for li in s.lines
        ],
        columns=["order_date", "product_code", "quantity"],
    )
    deals = pd.DataFrame(
        {
            "golden_id": pd.Series(dtype=str),
            "created": pd.Series(dtype="datetime64[us]"),
            "closed": pd.Series(dtype="datetime64[us]"),
            "stage": pd.Series(dtype=str),
        }
    )
    started = time.monotonic()
    figures = _quality(orders, deals, lines, AS_OF)
    return {
        "customers": customers,
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "sales": len(dataset.erp_sales),
        "seconds": round(time.monotonic() - started, 2),
        **figures,
    }


def _queries(connection: duckdb.DuckDBPyConnection, count: int, seed: int) -> list[str]:
    """Names as typed in either system, e-mails and phones of the staged records."""
    rows = connection.execute(
        "SELECT company, first_name, last_name, email, phone FROM staging.customer_records"
    ).fetchall()
    candidates = []
    for company, first, last, email, phone in rows:
        candidates += [
            v for v in (company, " ".join(filter(None, (first, last))), email, phone) if v
        ]
    random.Random(seed).shuffle(candidates)
    return candidates[:count]


def _time_lookups(path: Path, queries: list[str]) -> dict:
    from integration_pipeline.analytics.customer_lookup import lookup

    lookup(queries[0], path)  # the first call pays for imports and DuckDB's start-up
    seconds, found = [], 0
    for query in queries:
        started = time.perf_counter()
        rows = lookup(query, path)
        seconds.append(time.perf_counter() - started)
        found += bool(len(rows))
    seconds.sort()
    return {
        "lookups": len(queries),
        "found": found,
        "p50_ms": round(1000 * statistics.median(seconds), 1),
        "p95_ms": round(1000 * seconds[int(0.95 * (len(seconds) - 1))], 1),
        "max_ms": round(1000 * seconds[-1], 1),
    }


def _replicated(path: Path, scale_to: int, folder: Path) -> tuple[Path, int]:
    """A copy whose 360 mart and search keys hold `scale_to` customers (copies of the real
    ones under new golden ids, so every query also matches its copies)."""
    copy = folder / "scaled.duckdb"
    shutil.copy(path, copy)
    with duckdb.connect(str(copy)) as connection:
        real = connection.execute("SELECT count(*) FROM marts.customer_360").fetchone()[0]
        copies = max(0, scale_to // max(real, 1) - 1)
        connection.execute(
            "CREATE TABLE copies AS SELECT range AS n FROM range(1, ?)", [copies + 1]
        )
        connection.execute(
            "INSERT INTO marts.customer_360 "
            "SELECT c.* REPLACE (c.golden_id || '-' || n AS golden_id) "
            "FROM marts.customer_360 c, copies"
        )
        # Copies' keys are made distinct too, so a query matches its customer only once.
        connection.execute(
            "INSERT INTO marts.customer_search SELECT golden_id || '-' || n, key || '~' || n "
            "FROM marts.customer_search, copies"
        )
        total = connection.execute("SELECT count(*) FROM marts.customer_360").fetchone()[0]
    return copy, total


def warehouse_part(path: Path, lookups: int, scale_to: int, seed: int) -> dict:
    from integration_pipeline.analytics.frames import deals, order_lines, orders

    with duckdb.connect(str(path), read_only=True) as connection:
        customers = connection.execute("SELECT count(*) FROM marts.customer_360").fetchone()[0]
        as_of = connection.execute("SELECT max(as_of) FROM marts.customer_360").fetchone()[0]
        history, pipeline = orders(connection), deals(connection)
        lines = order_lines(connection)
        queries = _queries(connection, lookups, seed)
    figures = _quality(history, pipeline, lines, as_of)
    with tempfile.TemporaryDirectory(prefix="bench-360-") as folder:
        scaled, scaled_customers = _replicated(path, scale_to, Path(folder))
        return {
            "warehouse": str(path),
            "as_of": as_of.isoformat(),
            "customers": customers,
            **figures,
            "lookup": _time_lookups(path, queries),
            "lookup_scaled": {"customers": scaled_customers, **_time_lookups(scaled, queries)},
        }


def main() -> None:
    from integration_pipeline.analytics.customer_lookup import default_warehouse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--scale-to", type=int, default=100_000)
    args = parser.parse_args()
    warehouse = args.warehouse or default_warehouse()
    results = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "method": method(args.customers, args.seed),
    }
    print(json.dumps(results["method"], indent=2))
    if warehouse.exists():
        results["warehouse"] = warehouse_part(warehouse, args.lookups, args.scale_to, args.seed)
        print(json.dumps(results["warehouse"], indent=2))
    else:
        print(f"no warehouse at {warehouse}: run `make demo` first for the warehouse part")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
