"""The customer 360 view (DuckDB dialect): one row per golden customer, from the id map, the
CRM's companies, contacts and deals, and the ERP's sales, shipments, invoices and receivables.

Takes `$today`. A CRM deal belongs to the customer of its company, else of its contact (a
contact of a company counts for the company); an ERP document to the customer of its party.
"""

# What the analytics read of the CRM's customer records (core.crm_customer_facts,
# core.crm_contact_companies): only these columns, so a name or e-mail edited, or a property
# the syncs write, moves none of the marts. Takes no parameters; run after the id map.
CRM_CUSTOMER_FACTS = """
CREATE OR REPLACE TABLE core.crm_customer_facts AS
SELECT m.golden_id, 'companies' AS object_type, co.id, co.created_at,
       co.properties ->> 'hubspot_owner_id' AS owner_id,
       co.properties ->> 'lifecyclestage' AS lifecyclestage
FROM core.customer_id_map m
JOIN crm.companies co ON m.record_id = 'companies:' || co.id
WHERE m.system = 'crm' AND NOT co.archived
UNION ALL
SELECT m.golden_id, 'contacts', c.id, c.created_at,
       c.properties ->> 'hubspot_owner_id', c.properties ->> 'lifecyclestage'
FROM core.customer_id_map m
JOIN crm.contacts c ON m.record_id = 'contacts:' || c.id
WHERE m.system = 'crm' AND NOT c.archived;
CREATE OR REPLACE TABLE core.crm_contact_companies AS
SELECT id AS contact_id,
       CAST(json_extract_string(associations, '$.companies[0]') AS BIGINT) AS company_id
FROM crm.contacts;
"""

# CRM records of each golden customer, with the contacts that belong to a company.
CRM_LINKS = """
crm_company AS (
    SELECT golden_id, id, owner_id, lifecyclestage, created_at
    FROM core.crm_customer_facts WHERE object_type = 'companies'
),
crm_contact AS (
    SELECT golden_id, id, owner_id, lifecyclestage, created_at
    FROM core.crm_customer_facts WHERE object_type = 'contacts'
),
crm_record AS (
    SELECT golden_id, 'companies:' || id AS record_id, owner_id, lifecyclestage, created_at
    FROM crm_company
    UNION ALL
    SELECT golden_id, 'contacts:' || id, owner_id, lifecyclestage, created_at FROM crm_contact
),
contact_of_company AS (
    SELECT cc.contact_id, co.golden_id
    FROM core.crm_contact_companies cc
    JOIN crm_company co ON co.id = cc.company_id
),
deal_customer AS (
    SELECT d.id AS deal_id, d.properties, d.created_at,
           coalesce(co.golden_id, ct.golden_id, cc.golden_id) AS golden_id
    FROM crm.deals d
    LEFT JOIN crm_company co
      ON co.id = CAST(json_extract_string(d.associations, '$.companies[0]') AS BIGINT)
    LEFT JOIN crm_contact ct
      ON ct.id = CAST(json_extract_string(d.associations, '$.contacts[0]') AS BIGINT)
    LEFT JOIN contact_of_company cc
      ON cc.contact_id = CAST(json_extract_string(d.associations, '$.contacts[0]') AS BIGINT)
    WHERE NOT d.archived
)
"""

# ERP parties of each golden customer, and their documents.
ERP_LINKS = """
erp_party AS (
    SELECT m.golden_id, p.party_id, p.code
    FROM core.customer_id_map m
    JOIN staging.erp_party_codes p ON p.code = m.record_id
    WHERE m.system = 'erp'
),
sale AS (
    SELECT ep.golden_id, s.id, s.sale_date, s.state, s.reference,
           s.untaxed_amount_cache AS untaxed
    FROM erp.sale_sale s JOIN erp_party ep ON ep.party_id = s.party
    WHERE s.state IN ('confirmed', 'processing', 'done')
),
invoice AS (
    SELECT ep.golden_id, i.id, i.state, i.total_amount_cache AS total,
           (SELECT min(l.maturity_date) FROM erp.account_move_line l
            WHERE l.move = i.move AND l.maturity_date IS NOT NULL) AS due_date
    FROM erp.account_invoice i JOIN erp_party ep ON ep.party_id = i.party
    WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
),
receivable_line AS (
    SELECT ep.golden_id, l.debit, l.credit
    FROM erp.account_move_line l
    JOIN erp_party ep ON ep.party_id = l.party
    JOIN erp.account_account a ON a.id = l.account
    JOIN erp.account_account_type t ON t.id = a.type
    WHERE t.receivable
),
shipment AS (
    SELECT ep.golden_id, sh.state
    FROM erp.stock_shipment_out sh JOIN erp_party ep ON ep.party_id = sh.customer
)
"""

CUSTOMER_360 = f"""
CREATE OR REPLACE TABLE marts.customer_360 AS
WITH {CRM_LINKS}, {ERP_LINKS},
identities AS (
    SELECT golden_id,
           list(record_id ORDER BY record_id) FILTER (WHERE system = 'crm') AS crm_records,
           list(record_id ORDER BY record_id) FILTER (WHERE system = 'erp') AS erp_party_codes
    FROM core.customer_id_map GROUP BY 1
),
owner_records AS (
    SELECT golden_id, owner_id, count(*) AS records
    FROM crm_record WHERE owner_id IS NOT NULL GROUP BY 1, 2
),
crm_owner AS (
    -- The owner of most of its records; on a tie the smallest id, the same every run
    -- (mode() picks by row order).
    SELECT golden_id, first(owner_id ORDER BY records DESC, owner_id) AS owner_id
    FROM owner_records GROUP BY 1
),
crm_profile AS (
    SELECT golden_id,
           any_value(o.owner_id) AS owner_id,
           -- The most advanced stage any of its records reached.
           arg_max(r.lifecyclestage,
                   list_position(['subscriber', 'lead', 'marketingqualifiedlead',
                                  'salesqualifiedlead', 'opportunity', 'customer',
                                  'evangelist'], r.lifecyclestage))
               AS lifecycle_stage
    FROM crm_record r LEFT JOIN crm_owner o USING (golden_id)
    GROUP BY 1
),
deals AS (
    SELECT golden_id,
           count(*) FILTER (WHERE properties ->> 'dealstage' NOT IN ('closedwon', 'closedlost'))
               AS open_deals,
           coalesce(sum(TRY_CAST(properties ->> 'amount' AS DOUBLE)
                        * TRY_CAST(properties ->> 'hs_deal_stage_probability' AS DOUBLE))
                    FILTER (WHERE properties ->> 'dealstage' NOT IN ('closedwon', 'closedlost')),
                    0) AS open_deals_weighted_amount,
           count(*) FILTER (WHERE properties ->> 'dealstage' = 'closedwon') AS won_deals
    FROM deal_customer WHERE golden_id IS NOT NULL GROUP BY 1
),
orders AS (
    SELECT golden_id, count(*) AS orders, sum(untaxed) AS revenue,
           min(sale_date) AS first_order_date, max(sale_date) AS last_order_date
    FROM sale GROUP BY 1
),
invoices AS (
    SELECT golden_id,
           count(*) FILTER (WHERE state = 'posted') AS invoices_open,
           count(*) FILTER (WHERE state = 'posted' AND due_date < $today) AS invoices_overdue,
           count(*) FILTER (WHERE state = 'paid') AS invoices_paid,
           sum(total) AS invoiced_amount
    FROM invoice GROUP BY 1
),
payments AS (
    SELECT golden_id, sum(credit) AS payments_received, sum(debit - credit) AS balance
    FROM receivable_line GROUP BY 1
),
credit AS (
    SELECT ep.golden_id, sum(c.credit_limit) AS credit_limit,
           sum(c.available_credit) AS available_credit
    FROM erp_party ep JOIN staging.erp_party_credit c ON c.erp_party_id = ep.party_id
    GROUP BY 1
),
shipments AS (
    SELECT golden_id, count(*) FILTER (WHERE state NOT IN ('done', 'cancelled'))
               AS shipments_in_flight
    FROM shipment GROUP BY 1
)
SELECT g.golden_id, g.name, g.email, g.phone, g.city, g.country, g.national_id,
       i.crm_records, i.erp_party_codes,
       p.owner_id, p.lifecycle_stage,
       coalesce(d.open_deals, 0) AS open_deals,
       coalesce(d.open_deals_weighted_amount, 0) AS open_deals_weighted_amount,
       coalesce(d.won_deals, 0) AS won_deals,
       coalesce(o.orders, 0) AS orders,
       coalesce(o.revenue, 0) AS revenue,
       o.first_order_date, o.last_order_date,
       coalesce(inv.invoices_open, 0) AS invoices_open,
       coalesce(inv.invoices_overdue, 0) AS invoices_overdue,
       coalesce(inv.invoices_paid, 0) AS invoices_paid,
       coalesce(pay.payments_received, 0) AS payments_received,
       coalesce(pay.balance, 0) AS outstanding_balance,
       c.credit_limit, c.available_credit,
       coalesce(sh.shipments_in_flight, 0) AS shipments_in_flight,
       CAST($today AS DATE) AS as_of
FROM core.customers g
LEFT JOIN identities i USING (golden_id)
LEFT JOIN crm_profile p USING (golden_id)
LEFT JOIN deals d USING (golden_id)
LEFT JOIN orders o USING (golden_id)
LEFT JOIN invoices inv USING (golden_id)
LEFT JOIN payments pay USING (golden_id)
LEFT JOIN credit c USING (golden_id)
LEFT JOIN shipments sh USING (golden_id)
"""

# Churn risk and CLV joined on once the scores exist (marts.churn_scores).
WITH_SCORES = """
CREATE OR REPLACE TABLE marts.customer_360 AS
SELECT c.*, s.churn_risk, s.churn_basis, s.clv
FROM marts.customer_360 c LEFT JOIN marts.churn_scores s USING (golden_id)
"""
