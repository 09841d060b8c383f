"""Raw copies of Tryton's tables in the warehouse (schema `erp`), one asset per table."""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.resources import ErpDatabase
from integration_pipeline.warehouse.arrow_load import (
    arrow_schema,
    read_batches,
    reflect,
    replace_table,
    select_all,
)

# The tables a customer is made of in Tryton.
PARTY_TABLES = (
    "party_party",
    "party_address",
    "party_contact_mechanism",
    "party_identifier",
    "country_country",
    "company_company",
    "company_employee",
)
ERP_TABLES = (
    *PARTY_TABLES,
    "product_template",
    "product_product",
    "sale_sale",
    "sale_line",
    "stock_shipment_out",
    "account_invoice",
)
# A remote read can fail for passing reasons (a locked SQLite file, a restarting server).
REMOTE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def erp_raw_asset(table_name: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"erp_{table_name}",
        key_prefix=["erp"],
        group_name="erp_extract",
        kinds={"tryton", "duckdb"},
        retry_policy=REMOTE_RETRY,
        description=f"Tryton table `{table_name}` copied as is into erp.{table_name}.",
    )
    def _extract(
        context: dg.AssetExecutionContext, erp_db: ErpDatabase, warehouse: DuckDBResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        engine = erp_db.engine()
        try:
            table = reflect(engine, table_name)
            schema = arrow_schema(table)
            with warehouse.get_connection() as connection:
                rows = replace_table(
                    connection,
                    f"erp.{table_name}",
                    schema,
                    read_batches(engine, select_all(table), schema),
                )
        finally:
            engine.dispose()
        seconds = time.monotonic() - started
        context.log.info(f"erp.{table_name}: {rows} rows in {seconds:.2f}s")
        return dg.MaterializeResult(
            metadata={"rows": rows, "seconds": round(seconds, 3), "columns": len(schema)}
        )

    return _extract


erp_raw_assets = [erp_raw_asset(name) for name in ERP_TABLES]
