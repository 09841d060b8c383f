"""Stock levels and party credit recomputed in the warehouse equal what Tryton reports,
after sales that leave moves waiting and invoices open (both backends)."""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from integration_pipeline.connectors.tryton.source import TrytonDatabase
from integration_pipeline.connectors.tryton.tables import ERP_TABLES
from integration_pipeline.connectors.tryton.writes import (
    AddressWrite,
    PartyWrite,
    SaleLineWrite,
    SaleWrite,
    TrytonWriter,
)
from integration_pipeline.warehouse.erp_balances_sql import PARTY_CREDIT, STOCK_LEVELS
from integration_pipeline.warehouse.erp_landing import land_erp_table
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow


def test_stock_and_credit_equal_trytons_own_figures(erp, tmp_path):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        writer.upsert_parties(
            [PartyWrite("HS-B1", "Balance Check Co", address=AddressWrite(city="Tabriz"))]
        )
        codes = sorted(writer._products)[:2]
        # Confirmed, not shipped, not invoiced: forecast < on hand, credit > receivable.
        writer.place_sales(
            [
                SaleWrite(
                    "hubspot-deal:b1",
                    "HS-B1",
                    date.today(),
                    tuple(SaleLineWrite(c, Decimal(3), Decimal("990000")) for c in codes),
                )
            ]
        )
        (storage,) = session.model("stock.location", "search", [["code", "=", "STO"]], 0, 1, None)
        tryton_stock = {
            r["id"]: (r["quantity"], r["forecast_quantity"])
            for r in session.model(
                "product.product",
                "search_read",
                [["type", "=", "goods"]],
                0,
                None,
                None,
                ["quantity", "forecast_quantity"],
                context={"locations": [storage]},
            )
        }
        tryton_credit = {
            r["id"]: (r["receivable"], r["credit_amount"], r["credit_limit_amount"])
            for r in session.model(
                "party.party",
                "search_read",
                [],
                0,
                None,
                None,
                ["receivable", "credit_amount", "credit_limit_amount"],
            )
        }
    warehouse = duckdb.connect(str(tmp_path / "w.duckdb"))
    database = TrytonDatabase(erp.db_url)
    for table in ERP_TABLES:
        land_erp_table(warehouse, database, table.name)
    warehouse.execute("CREATE SCHEMA staging")
    warehouse.execute(STOCK_LEVELS, {"today": date.today()})
    warehouse.execute(PARTY_CREDIT, {"today": date.today()})

    ours = {
        product: (on_hand, forecast)
        for product, on_hand, forecast in warehouse.execute(
            "SELECT product, on_hand, forecast FROM staging.erp_stock_levels"
        ).fetchall()
    }
    assert ours == tryton_stock
    assert any(q != f for q, f in ours.values())  # the open sale shows in the forecast
    credit = {
        party: (receivable, amount, limit)
        for party, receivable, amount, limit in warehouse.execute(
            "SELECT erp_party_id, receivable, credit_amount, credit_limit "
            "FROM staging.erp_party_credit"
        ).fetchall()
    }
    assert credit == tryton_credit
    assert any(amount > receivable for receivable, amount, _ in credit.values())
    assert any(limit is not None for *_, limit in credit.values())
