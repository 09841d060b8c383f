"""orders: won CRM deals with their line items → confirmed ERP sales (reference
"hubspot-deal:<id>"); order_status: the ERP's number and states, and the sync's outcome, back
on the deal."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, RowRule, TargetProperty

ORDERS = EntitySync(
    name="orders",
    description="Each won deal becomes one ERP sale for the deal's customer (its company, else "
    "its contact, through the golden record), quoted and confirmed so Tryton makes the "
    "shipment and the invoice; over the credit limit it waits as a quotation.",
    source_system="crm",
    target_system="erp",
    target_object="sale",
    upstream=(
        ("crm", "deals"),
        ("crm", "line_items"),
        ("core", "customer_id_map"),
        ("erp", "erp_sale_sale"),
        ("sync", "customers_to_erp", "apply"),
        ("staging", "erp_stock_levels"),
    ),
    staging_sql="""
        WITH won AS (
            SELECT id, properties ->> 'closedate' AS closedate, associations
            FROM crm.deals
            WHERE NOT archived AND properties ->> 'dealstage' = 'closedwon'
        ),
        customer AS (
            SELECT id AS deal,
                   coalesce('companies:' || json_extract_string(associations, '$.companies[0]'),
                            'contacts:' || json_extract_string(associations, '$.contacts[0]'))
                       AS crm_record
            FROM won
        ),
        -- The oldest ERP party of the deal's customer (the one a merge keeps), else the one
        -- customers_to_erp made for it (coded with the golden id) earlier in this run.
        party AS (
            SELECT c.deal, coalesce(min(erp.record_id), min(made.record_key)) AS party_code
            FROM customer c
            JOIN core.customer_id_map crm ON crm.system = 'crm' AND crm.record_id = c.crm_record
            LEFT JOIN core.customer_id_map erp
              ON erp.golden_id = crm.golden_id AND erp.system = 'erp'
            LEFT JOIN sync.outbox made
              ON made.entity = 'customers_to_erp' AND made.status = 'sent'
             AND made.record_key = crm.golden_id
            GROUP BY 1
        ),
        -- Each won deal's line items, their JSON read once for the lines and the demand.
        deal_item AS (
            SELECT w.id AS deal, li.id AS line_item,
                   li.properties ->> 'hs_sku' AS product_code,
                   li.properties ->> 'quantity' AS quantity,
                   li.properties ->> 'price' AS unit_price
            FROM won w,
                 unnest(CAST(w.associations -> 'line_items' AS VARCHAR[])) AS item(id)
            JOIN crm.line_items li ON li.id = CAST(item.id AS BIGINT) AND NOT li.archived
        ),
        lines AS (
            SELECT deal,
                   to_json(list({'product_code': product_code, 'quantity': quantity,
                                 'unit_price': unit_price} ORDER BY line_item)) AS lines
            FROM deal_item
            GROUP BY 1
        ),
        -- The stock gate: a product the order asks more of than the policy's quantity
        -- (forecast: what is left after confirmed orders; on_hand: what is on the shelf;
        -- none: no gate) holds the order as a quotation.
        demand AS (
            SELECT deal, product_code, sum(CAST(quantity AS DOUBLE)) AS quantity
            FROM deal_item
            GROUP BY 1, 2
        ),
        short AS (
            SELECT d.deal,
                   string_agg(d.product_code || ': ' || d.quantity || ' asked, '
                              || s.available || ' available', '; ' ORDER BY d.product_code)
                       AS products
            FROM demand d
            JOIN (SELECT product_code,
                         CASE $stock_policy WHEN 'on_hand' THEN on_hand ELSE forecast END
                             AS available
                  FROM staging.erp_stock_levels WHERE warehouse_code = 'WH') s
              ON s.product_code = d.product_code
            WHERE $stock_policy <> 'none' AND d.quantity > s.available
            GROUP BY 1
        )
        SELECT CAST(w.id AS VARCHAR) AS key, 'hubspot-deal:' || w.id AS reference,
               p.party_code, CAST(substr(w.closedate, 1, 10) AS DATE) AS sale_date,
               CAST(l.lines AS VARCHAR) AS lines, sh.products AS stock_short,
               $stock_policy AS stock_policy
        FROM won w
        LEFT JOIN party p ON p.deal = w.id
        LEFT JOIN lines l ON l.deal = w.id
        LEFT JOIN short sh ON sh.deal = w.id
    """,
    parameters={"stock_policy": "forecast"},
    # A sale the ERP has confirmed (or cancelled) is the ERP's; a quotation still waits for
    # the sync: planned again, a changed plan (stock arrived, lines changed) supersedes the
    # held one and is confirmed.
    current_sql="""
        SELECT substr(reference, 14) AS key, json_object('state', state) AS properties
        FROM erp.sale_sale
        WHERE reference LIKE 'hubspot-deal:%'
          AND state IN ('confirmed', 'processing', 'done', 'cancelled')
    """,
    current_upstream=(("erp", "erp_sale_sale"),),
    id_property=None,
    write_once=True,
    erp_writer="sales",
    fields=(
        FieldMapping(source="reference", target="reference", owner="crm"),
        FieldMapping(source="party_code", target="party_code", owner="crm"),
        FieldMapping(source="sale_date", target="sale_date", transform="date", owner="crm"),
        FieldMapping(source="lines", target="lines", owner="crm"),
        FieldMapping(source="stock_short", target="stock_short", owner="erp"),
        FieldMapping(source="stock_policy", target="stock_policy", owner="erp"),
    ),
    row_rules=(
        RowRule(
            column="party_code",
            rule="not_null",
            message="the deal's customer is not in the ERP yet",
        ),
        RowRule(column="lines", rule="not_null", message="the deal has no line items"),
        RowRule(column="sale_date", rule="not_null", message="the deal has no close date"),
    ),
    max_bad_share=0.5,
    schedule="* * * * *",
    group="orders",
)

ORDER_STATUS = EntitySync(
    name="order_status",
    description="ERP sale number, sale, shipment and invoice states on each deal an ERP sale "
    "was made from, with erp_sync_status (synced, on_hold_credit, on_hold_stock, rejected) "
    "and why.",
    source_system="erp",
    target_system="crm",
    target_object="deals",
    upstream=(("sync", "orders", "apply"), ("erp", "erp_sale_sale"), ("crm", "deals")),
    # The outbox's answer is newer than the ERP tables when the sale was sent after they
    # were landed (in the same run); otherwise the landed tables are.
    staging_sql="""
        WITH latest AS (
            SELECT record_key, status, message, result, applied_at,
                   row_number() OVER (PARTITION BY record_key
                                      ORDER BY applied_at DESC NULLS LAST) AS n
            FROM sync.outbox
            WHERE entity = 'orders' AND status IN ('sent', 'held', 'failed')
        ),
        landed AS (
            SELECT landed_at FROM erp._watermarks WHERE table_name = 'sale_sale'
        ),
        sales AS (
            SELECT substr(reference, 14) AS deal, number, state, shipment_state, invoice_state
            FROM erp.sale_sale WHERE reference LIKE 'hubspot-deal:%'
        ),
        refused AS (
            SELECT record_key, string_agg(coalesce(message, rule || ' ' || field), '; ')
                       AS message
            FROM quality.quarantine WHERE entity = 'orders' AND record_key IS NOT NULL
            GROUP BY 1
        ),
        merged AS (
            SELECT CAST(d.id AS VARCHAR) AS key, o.status, o.message, r.message AS refused,
                   o.result ->> 'status' AS held_as,
                   CASE WHEN o.applied_at > (SELECT landed_at FROM landed) OR s.deal IS NULL
                        THEN o.result END AS fresh,
                   s.number, s.state, s.shipment_state, s.invoice_state
            FROM crm.deals d
            LEFT JOIN sales s ON s.deal = CAST(d.id AS VARCHAR)
            LEFT JOIN latest o ON o.record_key = CAST(d.id AS VARCHAR) AND o.n = 1
            LEFT JOIN refused r ON r.record_key = CAST(d.id AS VARCHAR)
            WHERE NOT d.archived
              AND (s.deal IS NOT NULL OR o.record_key IS NOT NULL OR r.record_key IS NOT NULL)
        )
        SELECT key,
               coalesce(fresh ->> 'number', number) AS erp_sale_number,
               coalesce(fresh ->> 'state', state) AS erp_sale_state,
               coalesce(fresh ->> 'shipment_state', shipment_state) AS erp_shipment_state,
               coalesce(fresh ->> 'invoice_state', invoice_state) AS erp_invoice_state,
               CASE WHEN coalesce(fresh ->> 'state', state) IN ('confirmed', 'processing', 'done')
                        THEN 'synced'
                    WHEN refused IS NOT NULL THEN 'rejected'
                    WHEN status = 'held' THEN held_as
                    WHEN status = 'failed' THEN 'rejected'
               END AS erp_sync_status,
               CASE WHEN coalesce(fresh ->> 'state', state) IN ('confirmed', 'processing', 'done')
                        THEN NULL
                    ELSE coalesce(refused, message)
               END AS erp_sync_message
        FROM merged
    """,
    current_sql="SELECT CAST(id AS VARCHAR) AS key, properties FROM crm.deals",
    id_property=None,
    fields=tuple(
        FieldMapping(source=name, target=name, owner="erp")
        for name in (
            "erp_sale_number",
            "erp_sale_state",
            "erp_shipment_state",
            "erp_invoice_state",
            "erp_sync_status",
            "erp_sync_message",
        )
    ),
    row_rules=(RowRule(column="erp_sync_status", rule="not_null"),),
    target_properties=(
        TargetProperty(name="erp_sale_number", label="ERP sale number"),
        TargetProperty(name="erp_sale_state", label="ERP sale state"),
        TargetProperty(name="erp_shipment_state", label="ERP shipment state"),
        TargetProperty(name="erp_invoice_state", label="ERP invoice state"),
        TargetProperty(name="erp_sync_status", label="ERP sync status"),
        TargetProperty(name="erp_sync_message", label="ERP sync message"),
    ),
    schedule="* * * * *",
    group="orders",
)
