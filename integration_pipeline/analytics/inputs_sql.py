"""What the KPIs and the predictions read from the warehouse (DuckDB dialect), per golden
customer where it matters: one query per frame of `KpiInputs`."""

from integration_pipeline.analytics.customer360_sql import CRM_LINKS, ERP_LINKS

_LINKS = f"WITH {CRM_LINKS}, {ERP_LINKS}"

# Confirmed ERP sales with their cost of goods (quantity × the product's cost price).
ORDERS = f"""
{_LINKS},
cost AS (
    SELECT sl.sale, sum(sl.quantity * coalesce(cp.cost_price, 0)) AS cost
    FROM erp.sale_line sl
    LEFT JOIN erp.product_cost_price cp ON cp.product = sl.product
    WHERE sl.type = 'line'
    GROUP BY 1
)
SELECT s.golden_id, CAST(s.sale_date AS TIMESTAMP) AS order_date,
       CAST(s.untaxed AS DOUBLE) AS revenue, CAST(coalesce(c.cost, 0) AS DOUBLE) AS cost,
       coalesce(s.reference LIKE 'hubspot-deal:%', false) AS from_crm
FROM sale s LEFT JOIN cost c ON c.sale = s.id
"""

ORDER_LINES = f"""
{_LINKS}
SELECT s.golden_id, CAST(s.sale_date AS TIMESTAMP) AS order_date, p.code AS product_code,
       CAST(sl.quantity AS DOUBLE) AS quantity,
       coalesce(s.reference LIKE 'hubspot-deal:%', false) AS from_crm
FROM sale s
JOIN erp.sale_line sl ON sl.sale = s.id AND sl.type = 'line'
JOIN erp.product_product p ON p.id = sl.product
"""

DEALS = f"""
{_LINKS}
SELECT golden_id, deal_id, CAST(created_at AS TIMESTAMP) AS created,
       CAST(TRY_CAST(properties ->> 'closedate' AS TIMESTAMPTZ) AS TIMESTAMP) AS closed,
       CASE properties ->> 'dealstage' WHEN 'closedwon' THEN 'won'
                                       WHEN 'closedlost' THEN 'lost' ELSE 'open' END AS stage,
       TRY_CAST(properties ->> 'amount' AS DOUBLE) AS amount,
       TRY_CAST(properties ->> 'hs_deal_stage_probability' AS DOUBLE) AS probability
FROM deal_customer
"""

# Line items of the open deals, with the deal's probability and expected close date.
OPEN_PIPELINE_LINES = """
SELECT li.properties ->> 'hs_sku' AS product_code,
       CAST(li.properties ->> 'quantity' AS DOUBLE) AS quantity,
       CAST(d.properties ->> 'hs_deal_stage_probability' AS DOUBLE) AS probability,
       CAST(TRY_CAST(d.properties ->> 'closedate' AS TIMESTAMPTZ) AS TIMESTAMP) AS close_date
FROM crm.deals d,
     unnest(CAST(d.associations -> 'line_items' AS VARCHAR[])) AS item(id)
JOIN crm.line_items li ON li.id = CAST(item.id AS BIGINT) AND NOT li.archived
WHERE NOT d.archived AND d.properties ->> 'dealstage' NOT IN ('closedwon', 'closedlost')
"""

# Every CRM customer record is a lead from the day it was created.
LEADS = f"""
{_LINKS}
SELECT golden_id, CAST(created_at AS TIMESTAMP) AS created,
       coalesce(lifecyclestage IN ('customer', 'evangelist'), false) AS converted
FROM crm_record
"""

# Customer invoices posted or paid; paid in full on the day their receivable line was
# reconciled; the sale date of the earliest sale their lines come from.
INVOICES = """
WITH receivable AS (
    SELECT l.move, max(r.date) AS reconciled_on, bool_and(l.reconciliation IS NOT NULL) AS done
    FROM erp.account_move_line l
    JOIN erp.account_account a ON a.id = l.account
    JOIN erp.account_account_type t ON t.id = a.type
    LEFT JOIN erp.account_move_reconciliation r ON r.id = l.reconciliation
    WHERE t.receivable
    GROUP BY 1
),
origin AS (
    SELECT il.invoice, min(s.sale_date) AS order_date
    FROM erp.account_invoice_line il
    JOIN erp.sale_line sl ON il.origin = 'sale.line,' || sl.id
    JOIN erp.sale_sale s ON s.id = sl.sale
    GROUP BY 1
)
SELECT CAST(i.invoice_date AS TIMESTAMP) AS invoice_date,
       CAST(i.total_amount_cache AS DOUBLE) AS total,
       CAST(CASE WHEN i.state = 'paid' AND r.done THEN r.reconciled_on END AS TIMESTAMP)
           AS paid_on,
       CAST(o.order_date AS TIMESTAMP) AS order_date
FROM erp.account_invoice i
LEFT JOIN receivable r ON r.move = i.move
LEFT JOIN origin o ON o.invoice = i.id
WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
"""

RECEIVABLE_LINES = """
SELECT CAST(m.date AS TIMESTAMP) AS move_date, CAST(l.debit AS DOUBLE) AS debit,
       CAST(l.credit AS DOUBLE) AS credit, CAST(r.date AS TIMESTAMP) AS reconciled_on
FROM erp.account_move_line l
JOIN erp.account_move m ON m.id = l.move
JOIN erp.account_account a ON a.id = l.account
JOIN erp.account_account_type t ON t.id = a.type
LEFT JOIN erp.account_move_reconciliation r ON r.id = l.reconciliation
WHERE t.receivable AND l.party IS NOT NULL AND m.state = 'posted'
"""

ORDER_SYNCS = """
SELECT planned_at, applied_at FROM sync.outbox
WHERE entity = 'orders' AND status = 'sent' AND applied_at IS NOT NULL
"""

QUARANTINE_RATE = """
SELECT (SELECT count(*) FROM quality.quarantine)
       / nullif((SELECT count(*) FROM quality.quarantine) + {staged}, 0)
"""
