"""Figures Tryton computes on the fly and stores nowhere, recomputed in DuckDB from the raw
tables with Tryton's own rules (trytond 8.2: stock/move.py `compute_quantities_query`,
account/party.py `_receivable_payable_query`, sale_credit_limit/party.py
`get_credit_amount`). Tests compare them with what Tryton's API reports.

Both take `$today` (Tryton's "today" for the company).
"""

# On hand: done moves dated up to today. Forecast: that, plus moves not cancelled dated from
# today on (a draft move dated in the past is stale and not counted). A move's date is its
# effective date, else today when assigned, else its planned date. Quantities are in the
# product's default unit (`internal_quantity`), summed over each warehouse's storage subtree;
# moves inside a subtree cancel out.
STOCK_LEVELS = """
CREATE OR REPLACE TABLE staging.erp_stock_levels AS
WITH storage AS (
    SELECT w.id AS warehouse, w.code AS warehouse_code, child.id AS location
    FROM erp.stock_location w
    JOIN erp.stock_location root ON root.id = w.storage_location
    JOIN erp.stock_location child
      ON child."left" >= root."left" AND child."right" <= root."right"
    WHERE w.type = 'warehouse'
),
moves AS (
    SELECT m.product, m.internal_quantity AS quantity, m.state,
           coalesce(m.effective_date,
                    CASE WHEN m.state = 'assigned' THEN $today END,
                    m.planned_date) AS move_date,
           into_storage.warehouse AS into_warehouse,
           out_of_storage.warehouse AS out_of_warehouse
    FROM erp.stock_move m
    LEFT JOIN storage into_storage ON into_storage.location = m.to_location
    LEFT JOIN storage out_of_storage ON out_of_storage.location = m.from_location
    WHERE m.state IN ('done', 'assigned', 'draft')
),
signed AS (
    SELECT into_warehouse AS warehouse, product, quantity, state, move_date FROM moves
    WHERE into_warehouse IS NOT NULL AND into_warehouse IS DISTINCT FROM out_of_warehouse
    UNION ALL
    SELECT out_of_warehouse, product, -quantity, state, move_date FROM moves
    WHERE out_of_warehouse IS NOT NULL AND out_of_warehouse IS DISTINCT FROM into_warehouse
),
totals AS (
    SELECT warehouse, product,
           sum(quantity) FILTER (WHERE state = 'done' AND move_date <= $today) AS on_hand,
           sum(quantity) FILTER (
               WHERE (state = 'done' AND move_date <= $today)
                  OR coalesce(move_date, DATE '9999-12-31') >= $today) AS forecast
    FROM signed
    GROUP BY warehouse, product
)
SELECT w.warehouse, w.warehouse_code, p.id AS product, p.code AS product_code,
       coalesce(t.on_hand, 0) AS on_hand, coalesce(t.forecast, 0) AS forecast,
       CAST($today AS DATE) AS as_of
FROM (SELECT DISTINCT warehouse, warehouse_code FROM storage) w
CROSS JOIN erp.product_product p
JOIN erp.product_template tpl ON tpl.id = p.template AND tpl.type = 'goods'
LEFT JOIN totals t ON t.warehouse = w.warehouse AND t.product = p.id
"""

# Receivable: debit − credit of receivable lines not reconciled by today. Credit amount (what
# the credit limit is checked against): the receivable plus what confirmed or processing
# sales will still invoice (quantity not yet on a posted invoice × unit price). The pipeline
# never ignores moves or invoices, so Tryton's "ignored" corrections are zero here.
PARTY_CREDIT = """
CREATE OR REPLACE TABLE staging.erp_party_credit AS
WITH receivable AS (
    SELECT l.party, sum(l.debit - l.credit) AS receivable
    FROM erp.account_move_line l
    JOIN erp.account_account a ON a.id = l.account
    JOIN erp.account_account_type t ON t.id = a.type
    LEFT JOIN erp.account_move_reconciliation r ON r.id = l.reconciliation
    WHERE t.receivable AND l.party IS NOT NULL
      AND (l.reconciliation IS NULL OR r.date > $today)
    GROUP BY l.party
),
invoiced AS (
    SELECT CAST(split_part(il.origin, ',', 2) AS BIGINT) AS sale_line,
           sum(il.quantity) AS quantity
    FROM erp.account_invoice_line il
    JOIN erp.account_invoice i ON i.id = il.invoice
    WHERE il.origin LIKE 'sale.line,%' AND il.type = 'line' AND i.move IS NOT NULL
    GROUP BY 1
),
to_invoice AS (
    SELECT s.party,
           sum(CAST(greatest(sl.quantity - coalesce(inv.quantity, 0), 0) AS DECIMAL(38, 10))
               * sl.unit_price) AS amount
    FROM erp.sale_sale s
    JOIN erp.sale_line sl ON sl.sale = s.id
    LEFT JOIN invoiced inv ON inv.sale_line = sl.id
    WHERE s.state IN ('confirmed', 'processing') AND sl.type = 'line' AND sl.quantity > 0
    GROUP BY s.party
)
SELECT p.id AS erp_party_id, p.code AS erp_party_code,
       coalesce(r.receivable, 0) AS receivable,
       coalesce(r.receivable, 0) + coalesce(ti.amount, 0) AS credit_amount,
       cl.credit_limit_amount AS credit_limit,
       cl.credit_limit_amount - (coalesce(r.receivable, 0) + coalesce(ti.amount, 0))
           AS available_credit,
       CAST($today AS DATE) AS as_of
FROM erp.party_party p
LEFT JOIN receivable r ON r.party = p.id
LEFT JOIN to_invoice ti ON ti.party = p.id
LEFT JOIN erp.party_party_credit_limit_amount cl ON cl.party = p.id
"""
