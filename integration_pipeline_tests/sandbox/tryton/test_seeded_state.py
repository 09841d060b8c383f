"""The seeded ERP holds exactly what the demo dataset says, in a state Tryton itself made."""

from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow


@pytest.fixture
def erp_sql(erp_database):
    engine = sa.create_engine(
        f"sqlite:///{erp_database.erp_dir / 'db' / 'integration_demo.sqlite'}"
    )
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _scalar(connection, query: str) -> object:
    return connection.execute(sa.text(query)).scalar_one()


def test_parties_products_and_sales_match_the_dataset(erp_sql, demo_dataset):
    assert _scalar(erp_sql, "SELECT count(*) FROM party_party WHERE code LIKE 'C%'") == len(
        demo_dataset.erp_parties
    )
    assert _scalar(erp_sql, "SELECT count(*) FROM product_product") == len(demo_dataset.products)
    assert _scalar(erp_sql, "SELECT count(*) FROM sale_sale") == len(demo_dataset.erp_sales)
    references = {
        r
        for (r,) in erp_sql.execute(
            sa.text("SELECT reference FROM sale_sale WHERE reference IS NOT NULL")
        )
    }
    assert references == {s.reference for s in demo_dataset.erp_sales if s.reference}
    assert all(r.startswith("hubspot-deal:") for r in references)


def test_invoices_follow_the_payment_plan(erp_sql, demo_dataset):
    states = Counter(
        state
        for (state,) in erp_sql.execute(
            sa.text("SELECT state FROM account_invoice WHERE type = 'out'")
        )
    )
    shipped = [s for s in demo_dataset.erp_sales if s.shipped_on]
    settled = [s for s in shipped if sum(p.share for p in s.payments) >= 1]
    assert states["paid"] == len(settled)
    assert states["posted"] == len(shipped) - len(settled)
    assert states["draft"] == len(demo_dataset.erp_sales) - len(shipped)


def test_stock_on_hand_is_what_was_left_after_shipping(erp_sql, demo_dataset):
    # On hand = done moves into the storage location minus done moves out of it.
    rows = erp_sql.execute(
        sa.text("""
        SELECT t.code,
               sum(CASE WHEN m.to_location = sto.id THEN m.internal_quantity ELSE 0 END)
             - sum(CASE WHEN m.from_location = sto.id THEN m.internal_quantity ELSE 0 END)
        FROM stock_move m
        JOIN stock_location sto ON sto.code = 'STO'
        JOIN product_product p ON p.id = m.product
        JOIN product_template t ON t.id = p.template
        WHERE m.state = 'done'
        GROUP BY t.code""")
    )
    on_hand = {code: Decimal(str(quantity)) for code, quantity in rows}
    expected = {p.code: Decimal(p.final_on_hand) for p in demo_dataset.products if p.initial_stock}
    assert on_hand == expected


def test_receivables_equal_unpaid_invoice_amounts(erp_sql):
    receivable = _scalar(
        erp_sql,
        """
        SELECT coalesce(sum(l.debit - l.credit), 0) FROM account_move_line l
        JOIN account_account a ON a.id = l.account
        JOIN account_account_type t ON t.id = a.type
        WHERE t.receivable AND l.reconciliation IS NULL""",
    )
    open_invoices = _scalar(
        erp_sql,
        """
        SELECT coalesce(sum(total_amount_cache), 0) FROM account_invoice
        WHERE type = 'out' AND state = 'posted'""",
    )
    partial_payments = _scalar(
        erp_sql,
        """
        SELECT coalesce(sum(l.credit), 0) FROM "account_invoice-account_move_line" p
        JOIN account_move_line l ON l.id = p.line
        JOIN account_invoice i ON i.id = p.invoice
        WHERE i.state = 'posted'""",
    )
    assert Decimal(str(receivable)) == Decimal(str(open_invoices)) - Decimal(str(partial_payments))
    assert Decimal(str(receivable)) > 0


def test_no_queued_work_is_left_behind(erp_sql):
    assert _scalar(erp_sql, "SELECT count(*) FROM ir_queue WHERE dequeued_at IS NULL") == 0
