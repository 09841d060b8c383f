"""Raw copies of Tryton's tables in the warehouse (schema `erp`), one asset per table,
landed incrementally by watermark after the first full copy.

The tables are one multi-asset step: they are landed side by side in a few threads (a read
of Tryton waits on its database file, a write to the warehouse on DuckDB, neither holds
Python's lock), and a run pays Dagster's per-step cost once instead of 26 times. Each table
is still its own asset, with its own data version and lineage; a run that selects some of
them lands only those (`can_subset`).
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta
from typing import NamedTuple

import dagster as dg
from dagster._core.definitions.data_version import DATA_VERSION_TAG
from dagster_duckdb import DuckDBResource
from pydantic import Field

from integration_pipeline.connectors.tryton.increments import Watermark
from integration_pipeline.connectors.tryton.tables import ERP_TABLES, ErpTable
from integration_pipeline.orchestration.warm_checks import news_landed
from integration_pipeline.resources import ErpDatabase
from integration_pipeline.warehouse.erp_landing import (
    LandingReport,
    ensure_landing_tables,
    land_erp_table,
)
from integration_pipeline.warehouse.fingerprint import extract_version, warehouse_id

# A remote read can fail for passing reasons (a locked SQLite file, a restarting server).
REMOTE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# Measured on a 10k-customer sandbox after the page cache was emptied: the 26 landings took
# 1.6 s one after the other, 1.0-1.2 s in 4 threads.
LANDING_THREADS = 4


class ErpExtractConfig(dg.Config):
    full_refresh: bool = Field(
        default=False, description="Copy the whole table again instead of the rows changed."
    )
    overlap_minutes: float = Field(
        default=5.0,
        description="Re-read rows changed this long before the watermark (against rows "
        "committed late by long ERP transactions).",
    )


def erp_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["erp", f"erp_{table_name}"])


def _spec(erp_table: ErpTable) -> dg.AssetSpec:
    return dg.AssetSpec(
        erp_asset_key(erp_table.name),
        group_name="erp_extract",
        kinds={"tryton", "duckdb"},
        tags={"entity": erp_table.entity},
        description=f"Tryton table `{erp_table.name}` ({erp_table.entity}) in "
        f"erp.{erp_table.name}: full on first run, then the rows changed since the watermark.",
    )


@dg.multi_asset(
    name="erp_extract",
    specs=[_spec(t) for t in ERP_TABLES],
    can_subset=True,
    retry_policy=REMOTE_RETRY,
    description="Tryton's tables into the warehouse, side by side.",
)
def erp_extract(
    context: dg.AssetExecutionContext,
    config: ErpExtractConfig,
    erp_db: ErpDatabase,
    warehouse: DuckDBResource,
) -> Iterator[dg.MaterializeResult]:
    tables = [t.name for t in ERP_TABLES if erp_asset_key(t.name) in context.selected_asset_keys]
    with warehouse.get_connection() as connection:
        # Once here, not by every thread at the same time.
        ensure_landing_tables(connection)
        warehouse_id(connection)
    last_landed = _last_landed(context.instance, [erp_asset_key(t) for t in tables])
    database = erp_db.database()

    def land(table_name: str) -> tuple[LandingReport, str]:
        # A connection per thread; they share the run's open database (resources.Warehouse).
        with warehouse.get_connection() as connection:
            report = land_erp_table(
                connection,
                database,
                table_name,
                full_refresh=config.full_refresh,
                overlap=timedelta(minutes=config.overlap_minutes),
            )
            unchanged_from = kept_version(last_landed.get(erp_asset_key(table_name)), report)
            version = extract_version(
                connection, f"erp.{table_name}", unchanged_from=unchanged_from
            )
            return report, version

    failed: dict[str, BaseException] = {}
    with ThreadPoolExecutor(LANDING_THREADS, thread_name_prefix="erp-landing") as pool:
        landings = {pool.submit(land, name): name for name in tables}
        # Results are yielded here, in the step's thread, as each table is done; a table
        # that failed does not keep the others' (committed) landings from being recorded.
        for landing in as_completed(landings):
            if (error := landing.exception()) is not None:
                failed[landings[landing]] = error
                continue
            report, version = landing.result()
            last = last_landed.get(erp_asset_key(report.table))
            if last is None or last.version != version:
                news_landed(context)  # the checks after this step will run their GX suites
            context.log.info(
                f"erp.{report.table}: {report.mode}, {report.rows_read} rows read, "
                f"{report.rows_deleted} deleted, {report.rows_total} in all, "
                f"{report.seconds:.2f}s"
            )
            yield _materialization(report, version)
    if failed:  # the step fails, and is retried, after the others were recorded
        name, error = next(iter(failed.items()))
        raise dg.Failure(
            f"{len(failed)} of {len(tables)} ERP tables could not be landed "
            f"({', '.join(sorted(failed))}); the others were. erp.{name}: {error}"
        ) from error


class LastLanded(NamedTuple):
    version: str
    watermark: str  # as `watermark_text` wrote it


def kept_version(last: LastLanded | None, report: LandingReport) -> str | None:
    """The version a landing that wrote no row keeps: the last materialization's, when that
    one was taken at this very watermark. A landing that committed rows and then was not
    recorded (the process died, its step failed) left the watermark ahead of it: the table
    is hashed again rather than be given a version older than its content."""
    if last is None or not report.wrote_nothing:
        return None
    return last.version if last.watermark == watermark_text(report.watermark) else None


def watermark_text(watermark: Watermark | None) -> str:
    return f"{watermark.modified_at.isoformat()} #{watermark.last_id}" if watermark else "none"


def _last_landed(
    instance: dg.DagsterInstance, keys: list[dg.AssetKey]
) -> dict[dg.AssetKey, LastLanded]:
    """Each table's last materialization: its data version and the watermark it was at."""
    events = instance.get_latest_materialization_events(keys)  # one query
    last = {}
    for key, event in events.items():
        if event is None:
            continue
        materialization = event.asset_materialization
        version = (materialization.tags or {}).get(DATA_VERSION_TAG)
        watermark = materialization.metadata.get("watermark")
        if version and watermark is not None:
            last[key] = LastLanded(version, watermark.value)
    return last


def _materialization(report: LandingReport, version: str) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=erp_asset_key(report.table),
        metadata={
            "mode": report.mode,
            "rows_read": report.rows_read,
            "rows_deleted": report.rows_deleted,
            # re-read rows that differ only by the pipeline's own updates: no news
            "own_updates_read_back": report.echoes,
            "rows": report.rows_total,
            "seconds": round(report.seconds, 3),
            "watermark": watermark_text(report.watermark),
        },
        data_version=dg.DataVersion(version),
    )


erp_raw_assets = [erp_extract]
