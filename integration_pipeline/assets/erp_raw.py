"""Raw copies of Tryton's tables in the warehouse (schema `erp`), one asset per table,
landed incrementally by watermark after the first full copy."""

from datetime import timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from integration_pipeline.connectors.tryton.tables import ERP_TABLES, ErpTable
from integration_pipeline.orchestration.reuse import latest_data_version
from integration_pipeline.resources import ErpDatabase
from integration_pipeline.warehouse.erp_landing import land_erp_table
from integration_pipeline.warehouse.fingerprint import extract_version

# A remote read can fail for passing reasons (a locked SQLite file, a restarting server).
REMOTE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


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


def erp_raw_asset(erp_table: ErpTable) -> dg.AssetsDefinition:
    @dg.asset(
        key=erp_asset_key(erp_table.name),
        group_name="erp_extract",
        kinds={"tryton", "duckdb"},
        retry_policy=REMOTE_RETRY,
        tags={"entity": erp_table.entity},
        description=f"Tryton table `{erp_table.name}` ({erp_table.entity}) in "
        f"erp.{erp_table.name}: full on first run, then the rows changed since the watermark.",
    )
    def _extract(
        context: dg.AssetExecutionContext,
        config: ErpExtractConfig,
        erp_db: ErpDatabase,
        warehouse: DuckDBResource,
    ) -> dg.MaterializeResult:
        with warehouse.get_connection() as connection:
            report = land_erp_table(
                connection,
                erp_db.database(),
                erp_table.name,
                full_refresh=config.full_refresh,
                overlap=timedelta(minutes=config.overlap_minutes),
            )
            version = dg.DataVersion(
                extract_version(
                    connection,
                    f"erp.{erp_table.name}",
                    unchanged_from=latest_data_version(context.instance, context.asset_key)
                    if report.wrote_nothing
                    else None,
                )
            )
        context.log.info(
            f"erp.{erp_table.name}: {report.mode}, {report.rows_read} rows read, "
            f"{report.rows_deleted} deleted, {report.rows_total} in all, {report.seconds:.2f}s"
        )
        watermark = report.watermark
        return dg.MaterializeResult(
            metadata={
                "mode": report.mode,
                "rows_read": report.rows_read,
                "rows_deleted": report.rows_deleted,
                "rows": report.rows_total,
                "seconds": round(report.seconds, 3),
                "watermark": f"{watermark.modified_at.isoformat()} #{watermark.last_id}"
                if watermark
                else "none",
            },
            data_version=version,
        )

    return _extract


erp_raw_assets = [erp_raw_asset(t) for t in ERP_TABLES]
