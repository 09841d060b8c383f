"""Marts: churn scores and CLV, the customer 360 view, monthly KPIs with their report, the
weekly demand forecast and next-best products. Each updates itself when its inputs change
(declarative automation) and waits while a blocking check upstream fails."""

import os
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from integration_pipeline.assets.crm_raw import crm_asset_key
from integration_pipeline.assets.customers_core import CRM_CUSTOMER_FACTS_KEY, CUSTOMER_ID_MAP_KEY
from integration_pipeline.assets.erp_raw import erp_asset_key
from integration_pipeline.orchestration.reuse import CODE_VERSION, reuse_when_unchanged
from integration_pipeline.sandbox.settings import SandboxSettings
from integration_pipeline.warehouse.arrow_load import write_table
from integration_pipeline.warehouse.row_memo import memoised

CUSTOMERS = dg.AssetKey(["core", "customers"])
CHURN = dg.AssetKey(["marts", "churn_scores"])
CUSTOMER_360 = dg.AssetKey(["marts", "customer_360"])
CUSTOMER_SEARCH = dg.AssetKey(["marts", "customer_search"])
KPIS = dg.AssetKey(["marts", "kpis"])
DEMAND = dg.AssetKey(["marts", "demand_forecast"])
NEXT_PRODUCTS = dg.AssetKey(["marts", "next_products"])
_ERP_FACTS = [
    erp_asset_key(t)
    for t in (
        "sale_sale",
        "sale_line",
        "product_product",
        "product_cost_price",
        "account_invoice",
        "account_invoice_line",
        "account_move",
        "account_move_line",
        "account_move_reconciliation",
        "stock_shipment_out",
    )
] + [dg.AssetKey(["staging", "erp_party_codes"])]  # the parties' ids by code
# Of the CRM's customer records, only what the marts read (core/crm_customer_facts).
_CRM_FACTS = [crm_asset_key("deals"), crm_asset_key("line_items"), CRM_CUSTOMER_FACTS_KEY]
# Update when an input changed, never while a blocking check upstream fails (eager alone
# would run on data a blocking check has just refused).
AUTOMATION = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
)


class AsOf(dg.Config):
    as_of: str | None = None  # ISO date the figures are computed for; default: today


def _today(config: AsOf) -> date:
    return date.fromisoformat(config.as_of) if config.as_of else date.today()


@dg.asset(
    key=CHURN,
    group_name="analytics",
    kinds={"scikitlearn", "duckdb"},
    deps=[CUSTOMER_ID_MAP_KEY, *_ERP_FACTS, *_CRM_FACTS],
    automation_condition=AUTOMATION,
    description="Churn risk (probability of no order in the next 180 days; logistic "
    "regression on ERP orders and CRM deals, validated on a later cutoff) and CLV per golden "
    "customer.",
)
@reuse_when_unchanged
def churn_scores(
    context: dg.AssetExecutionContext, config: AsOf, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    from integration_pipeline.analytics.frames import deals, orders
    from integration_pipeline.analytics.scores import customer_scores
    from integration_pipeline.warehouse.churn_model import keep_churn_model, todays_churn_model

    today = _today(config)
    with warehouse.get_connection() as connection:
        customers = connection.execute(
            "SELECT DISTINCT golden_id FROM core.customer_id_map ORDER BY 1"
        ).df()
        kept = todays_churn_model(connection, today, len(customers))
        scores, model = customer_scores(
            customers, orders(connection), deals(connection), today, model=kept
        )
        if model is not None and kept is None:
            keep_churn_model(connection, model, today, len(customers))
        write_table(connection, "marts.churn_scores", scores)
    metadata = {
        "rows": len(scores),
        "scored_by_model": int((scores["churn_basis"] == "model").sum()),
        "model": "today's model" if kept else "trained now",
    }
    if model is None:
        context.log.warning("too little history for a churn model: no customer scored by it")
    else:
        metadata |= {
            "validation_auc": model.validation_auc,
            "train_cutoff": model.train_cutoff.isoformat(),
            "validation_cutoff": model.validation_cutoff.isoformat(),
            "train_rows": model.train_rows,
            "validation_rows": model.validation_rows,
        }
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=CUSTOMER_360,
    group_name="analytics",
    kinds={"duckdb"},
    deps=[
        CUSTOMERS,
        CHURN,
        dg.AssetKey(["staging", "erp_party_credit"]),
        *_ERP_FACTS,
        *_CRM_FACTS,
    ],
    automation_condition=AUTOMATION,
    # Support reads it all day: the 15-minute runs keep it fresh, one missed run tolerated.
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=35)),
    description="One row per golden customer: identities in both systems, owner, lifecycle "
    "stage, open deals, orders, invoices (open, overdue, paid), payments, credit, shipments in "
    "flight, churn risk and CLV (`integration-pipeline customer360 QUERY` looks one up).",
)
@reuse_when_unchanged
def customer_360(config: AsOf, warehouse: DuckDBResource) -> dg.MaterializeResult:
    from integration_pipeline.analytics.customer360_sql import CUSTOMER_360 as SQL
    from integration_pipeline.analytics.customer360_sql import WITH_SCORES

    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS marts")
        connection.execute(SQL, {"today": _today(config)})
        connection.execute(WITH_SCORES)
        rows, both, overdue = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE len(crm_records) > 0 "
            "AND len(erp_party_codes) > 0), count(*) FILTER (WHERE invoices_overdue > 0) "
            "FROM marts.customer_360"
        ).fetchone()
    return dg.MaterializeResult(
        metadata={"rows": rows, "in_both_systems": both, "with_overdue_invoices": overdue}
    )


@dg.asset(
    key=CUSTOMER_SEARCH,
    group_name="analytics",
    kinds={"duckdb"},
    deps=[dg.AssetKey(["staging", "customer_records"]), CUSTOMER_ID_MAP_KEY],
    automation_condition=AUTOMATION,
    description="The keys the 360 view is looked up by (`integration-pipeline customer360 "
    "QUERY`): every record's names, e-mails, phones and ids, standardised, with its golden "
    "customer. Apart from the 360 view, which a rename does not move.",
)
@reuse_when_unchanged
def customer_search(warehouse: DuckDBResource) -> dg.MaterializeResult:
    from integration_pipeline.analytics.customer_search import record_keys, search_rows

    with warehouse.get_connection() as connection:
        connection.execute("CREATE SCHEMA IF NOT EXISTS marts")
        records = connection.execute("SELECT * FROM staging.customer_records").df()
        id_map = connection.execute("SELECT * FROM core.customer_id_map").df()
        # Only the records that changed since the last run have their keys derived again.
        keys = memoised(
            connection, "marts.customer_search_keys", CODE_VERSION, records, record_keys
        )
        rows = search_rows(keys, id_map)
        write_table(connection, "marts.customer_search", rows)
    return dg.MaterializeResult(metadata={"rows": len(rows)})


class KpiConfig(AsOf):
    calendar: str = "gregorian"  # or "jalali": months of the Solar Hijri calendar
    months: int = 24  # how many months of history
    discount_rate: float = 0.10  # yearly, for CLV
    spend_file: str | None = None  # CSV with month, amount; default: the sandbox's


def spend_file(config: KpiConfig) -> Path:
    configured = config.spend_file or os.environ.get("INTEGRATION_PIPELINE_MARKETING_SPEND")
    if configured:
        return Path(configured)
    return SandboxSettings().data_dir / "demo" / "marketing_spend.csv"


@dg.asset(
    key=KPIS,
    group_name="analytics",
    kinds={"duckdb", "matplotlib"},
    deps=[CUSTOMER_ID_MAP_KEY, *_ERP_FACTS, *_CRM_FACTS],
    automation_condition=AUTOMATION,
    check_specs=[
        dg.AssetCheckSpec(
            "clv_cac_at_least_3",
            asset=KPIS,
            description="CLV:CAC of the last month with both figures is 3:1 or better (warns).",
        )
    ],
    description="Monthly KPIs with history (marts.kpis_monthly): CAC, CLV, CLV:CAC, lead "
    "conversion, win rate, sales cycle, net profit margin, DSO, order-to-cash, and the "
    "integration's own figures; a missing value says why. Plots and a one-file HTML report.",
)
@reuse_when_unchanged
def kpis(context: dg.AssetExecutionContext, config: KpiConfig, warehouse: DuckDBResource):
    from integration_pipeline.analytics.frames import kpi_inputs, read_spend
    from integration_pipeline.analytics.kpis import (
        first_of_month_back,
        monthly_kpis,
        months_between,
    )
    from integration_pipeline.analytics.report import write_report

    today = _today(config)
    spend, problem = read_spend(spend_file(config))
    if problem:
        context.log.warning(
            f"{problem}: CAC and net margin are missing (set INTEGRATION_PIPELINE_MARKETING_SPEND)"
        )
    first = first_of_month_back(today, config.months - 1)
    with warehouse.get_connection() as connection:
        inputs = kpi_inputs(connection, spend)
        table = monthly_kpis(
            inputs, months_between(first, today, config.calendar), config.discount_rate
        )
        write_table(connection, "marts.kpis_monthly", table)
    report, images = write_report(table, SandboxSettings().data_dir / "reports" / "kpis")
    yield dg.MaterializeResult(
        metadata={
            "rows": len(table),
            "months": table["month"].nunique(),
            "report": dg.MetadataValue.path(str(report)),
            **{
                f"plot_{title}": dg.MetadataValue.md(_image_markdown(title, png))
                for title, png in images.items()
            },
        }
    )
    yield _clv_cac_check(table)


def _image_markdown(title: str, png: bytes) -> str:
    import base64

    return f"![{title}](data:image/png;base64,{base64.b64encode(png).decode()})"


def _clv_cac_check(table) -> dg.AssetCheckResult:
    ratios = table[(table["kpi"] == "clv_cac_ratio") & table["value"].notna()]
    if ratios.empty:
        return dg.AssetCheckResult(
            check_name="clv_cac_at_least_3",
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"reason": "no month has both CLV and CAC"},
        )
    last = ratios.iloc[-1]
    return dg.AssetCheckResult(
        check_name="clv_cac_at_least_3",
        passed=bool(last["value"] >= 3),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"month": last["month_label"], "clv_cac_ratio": round(float(last["value"]), 2)},
    )


class DemandConfig(AsOf):
    weeks: int = 8  # forecast horizon


@dg.asset(
    key=DEMAND,
    group_name="analytics",
    kinds={"duckdb"},
    # Order lines are read through the id map (the CRM share of demand is per customer).
    deps=[CUSTOMER_ID_MAP_KEY, *_ERP_FACTS, *_CRM_FACTS],
    automation_condition=AUTOMATION,
    description="Weekly demand per product: exponential smoothing of ERP order history, "
    "raised where the open CRM pipeline (quantity × probability by expected close date) "
    "expects more; products with no history from the pipeline alone. With the backtest's "
    "WAPE against a naive seasonal forecast.",
)
@reuse_when_unchanged
def demand_forecast(config: DemandConfig, warehouse: DuckDBResource) -> dg.MaterializeResult:
    from integration_pipeline.analytics.demand_plan import plan_demand

    with warehouse.get_connection() as connection:
        result = plan_demand(connection, _today(config), config.weeks)
        write_table(connection, "marts.demand_forecast", result.forecast)
    metadata = {
        "rows": len(result.forecast),
        "products": result.forecast["product_code"].nunique(),
        "pipeline_only_products": result.pipeline_only,
    }
    if result.backtest is not None:
        metadata |= {
            "backtest_wape": round(result.backtest.wape_baseline, 4),
            "backtest_wape_seasonal_naive": round(result.backtest.wape_seasonal_naive, 4),
        }
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=NEXT_PRODUCTS,
    group_name="analytics",
    kinds={"duckdb"},
    deps=[CUSTOMER_ID_MAP_KEY, *_ERP_FACTS],
    automation_condition=AUTOMATION,
    description="Next-best product per golden customer from co-purchase patterns (the best "
    "seller it lacks when it shares no basket).",
)
@reuse_when_unchanged
def next_products(warehouse: DuckDBResource) -> dg.MaterializeResult:
    from integration_pipeline.analytics.frames import order_lines
    from integration_pipeline.analytics.next_product import next_best_products

    with warehouse.get_connection() as connection:
        table = next_best_products(order_lines(connection))
        write_table(connection, "marts.next_products", table)
    return dg.MaterializeResult(
        metadata={"rows": len(table), "co_purchase": int((table["basis"] == "co-purchase").sum())}
    )


mart_assets = [churn_scores, customer_360, customer_search, kpis, demand_forecast, next_products]
