"""Benchmark: extracting Tryton's largest tables, and creating sales through its API.

    .venv/bin/python -m bench.tryton_extract [--customers 100000] [--backends sqlite postgresql]

Extraction. The sandbox's seeded database (50 customers, two years of history) is copied and
its largest tables (stock moves, sale lines, invoice lines, account move lines) are doubled
into themselves, with new ids, until they hold at least `--customers` customers' worth of
history. Each table is then read, each reading in its own process so that its peak memory is
its own:
  - ceiling: the fastest way to read the table into Arrow here, ADBC's `fetch_arrow_table()`
    of `SELECT *` (whole table in memory, no type conversion);
  - connector: the pipeline's reader (SQLAlchemy-composed query, ADBC record-batch stream,
    typed Arrow batches of 65,536 rows), batches consumed and dropped;
  - connector → DuckDB: the same stream landed in a DuckDB file, as the assets do.
Writes. Sales (one line each) created, quoted and confirmed through JSON-RPC against a
Tryton server on the sandbox database: one call sequence per sale versus batches of 50.

Results go to bench/results/tryton_extract.json.
"""

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from integration_pipeline.sandbox.processes import free_port

RESULTS = Path(__file__).parent / "results" / "tryton_extract.json"
LARGEST = ("stock_move", "sale_line", "account_invoice_line", "account_move_line")
SALES_PER_MODE = 100


# -- building the scaled database ---------------------------------------------------------
def _settings(backend: str, postgres_url: str):
    from integration_pipeline.sandbox.settings import SandboxSettings

    settings = SandboxSettings(data_dir=Path(tempfile.mkdtemp(prefix="bench-erp-")))
    if backend == "postgresql":
        settings = replace(settings, postgres_url=postgres_url, database="ip_bench_extract")
    return replace(settings, erp_port=free_port(), crm_port=free_port())


def build(backend: str, postgres_url: str, customers: int) -> tuple[object, str, dict]:
    from integration_pipeline.sandbox.tryton.config import sqlalchemy_url
    from integration_pipeline.sandbox.tryton.database import install_database

    settings = _settings(backend, postgres_url)
    install_database(settings, reset=True, progress=lambda m: print(f"  {m}", flush=True))
    url = sqlalchemy_url(settings, settings.database)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        seeded = connection.execute(
            sa.text("SELECT count(*) FROM party_party WHERE code LIKE 'C%'")
        ).scalar_one()
    doublings = math.ceil(math.log2(max(customers / seeded, 1)))
    started = time.monotonic()
    for table in LARGEST:
        columns = [c.name for c in sa.Table(table, sa.MetaData(), autoload_with=engine).columns]
        others = ", ".join(f'"{c}"' for c in columns if c != "id")
        for _ in range(doublings):
            with engine.begin() as connection:
                (top,) = connection.execute(sa.text(f"SELECT max(id) FROM {table}")).one()
                connection.execute(
                    sa.text(
                        f"INSERT INTO {table} (id, {others}) SELECT id + {top}, {others} "
                        f"FROM {table}"
                    )
                )
        if backend == "postgresql":
            with engine.begin() as connection:
                connection.execute(
                    sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
    with engine.begin() as connection:
        if backend == "postgresql":
            connection.execute(sa.text("ANALYZE"))
        rows = {
            t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in LARGEST
        }
    engine.dispose()
    print(f"  scaled x{2**doublings} in {time.monotonic() - started:.0f}s: {rows}", flush=True)
    return settings, url, {"customers_worth": seeded * 2**doublings, "rows": rows}


# -- one measurement, in its own process --------------------------------------------------
def measure(url: str, table_name: str, method: str, scratch: str) -> dict:
    from integration_pipeline.connectors.tryton.reader import read_table, reflect
    from integration_pipeline.connectors.tryton.source import TrytonDatabase

    database = TrytonDatabase(url)
    started = time.monotonic()
    if method == "ceiling":
        with database.arrow_connection() as connection:
            cursor = connection.cursor()
            cursor.execute(f"SELECT * FROM {table_name}")
            rows = cursor.fetch_arrow_table().num_rows
            cursor.close()
    else:
        engine = database.engine()
        table = reflect(engine, table_name)
        engine.dispose()
        stream = read_table(database, table)
        if method == "connector":
            rows = sum(batch.num_rows for batch in stream.batches)
        else:
            import duckdb

            from integration_pipeline.warehouse.arrow_load import replace_table

            with duckdb.connect(str(Path(scratch) / "bench.duckdb")) as connection:
                rows = replace_table(connection, f"erp.{table_name}", stream.schema, stream.batches)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(peak_mb),
    }


def _measure_in_process(url: str, table: str, method: str, scratch: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.tryton_extract", "--measure", url, table, method, scratch],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def extraction(url: str) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for table in LARGEST:
            runs = {
                m: _measure_in_process(url, table, m, scratch)
                for m in ("ceiling", "connector", "connector_to_duckdb")
            }
            runs["ratio_to_ceiling"] = round(
                runs["connector"]["rows_per_s"] / runs["ceiling"]["rows_per_s"], 2
            )
            runs["ratio_to_ceiling_landed"] = round(
                runs["connector_to_duckdb"]["rows_per_s"] / runs["ceiling"]["rows_per_s"], 2
            )
            print(f"  {table}: {json.dumps(runs)}", flush=True)
            results[table] = runs
    return results


# -- writes ---------------------------------------------------------------------------------
def writes(backend: str, postgres_url: str) -> dict:
    from integration_pipeline.connectors.tryton.session import TrytonSession
    from integration_pipeline.connectors.tryton.writes import (
        AddressWrite,
        PartyWrite,
        SaleLineWrite,
        SaleWrite,
        TrytonWriter,
    )
    from integration_pipeline.sandbox import processes
    from integration_pipeline.sandbox.tryton.config import write_config
    from integration_pipeline.sandbox.tryton.database import install_database
    from integration_pipeline.sandbox.tryton.postgres import Server
    from integration_pipeline.sandbox.tryton.server import start_server

    settings = _settings(backend, postgres_url)
    if backend == "postgresql":
        settings = replace(settings, database="ip_bench_writes")
    install_database(settings, reset=True, progress=lambda _: None)
    config = write_config(settings.erp_dir / "trytond.conf", settings.erp_dir / "db", settings)
    pid = start_server(config, settings.database, settings.erp_port, settings.erp_dir)
    try:
        session = TrytonSession(
            f"http://127.0.0.1:{settings.erp_port}",
            settings.database,
            settings.erp_user,
            settings.erp_password,
        )
        writer = TrytonWriter(session)
        writer.upsert_parties(
            [PartyWrite("BENCH-1", "Bench Customer", address=AddressWrite(city="Tehran"))]
        )
        product = sorted(writer._products)[0]

        def sale(n: int) -> SaleWrite:
            line = SaleLineWrite(product, Decimal(1), Decimal("1000000"))
            return SaleWrite(f"bench:{n}", "BENCH-1", date.today(), (line,))

        started = time.monotonic()
        for n in range(SALES_PER_MODE):
            writer.place_sale(sale(n))
        one_at_a_time = time.monotonic() - started
        started = time.monotonic()
        for first in range(SALES_PER_MODE, 2 * SALES_PER_MODE, 50):
            results = writer.place_sales([sale(n) for n in range(first, first + 50)])
            assert all(r.state == "processing" for r in results)
        batched = time.monotonic() - started
        session.close()
    finally:
        processes.stop(pid)
        if backend == "postgresql":
            Server(postgres_url).drop(settings.database)
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    return {
        "sales_per_mode": SALES_PER_MODE,
        "one_at_a_time_sales_per_s": round(SALES_PER_MODE / one_at_a_time, 1),
        "batched_50_sales_per_s": round(SALES_PER_MODE / batched, 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(*sys.argv[2:6])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "INTEGRATION_PIPELINE_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432"
        ),
    )
    args = parser.parse_args()
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": "python -m bench.tryton_extract " + " ".join(sys.argv[1:]),
        "backends": {},
    }
    if RESULTS.exists():  # a run of some backends keeps the others' last results
        report["backends"] = json.loads(RESULTS.read_text()).get("backends", {})
    for backend in args.backends:
        print(f"== {backend} ==", flush=True)
        settings, url, scale = build(backend, args.postgres_url, args.customers)
        try:
            report["backends"][backend] = {
                **scale,
                "tables": extraction(url),
                "writes": writes(backend, args.postgres_url),
            }
        finally:
            if backend == "postgresql":
                from integration_pipeline.sandbox.tryton.postgres import Server

                Server(args.postgres_url).drop(settings.database)
            shutil.rmtree(settings.data_dir, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
