"""invoices: posted ERP customer invoices → CRM invoices, associated with the customer's
company and with the deal the sale came from (the ERP owns them)."""

from integration_pipeline.entities.spec import (
    Association,
    EntitySync,
    FieldMapping,
    RowRule,
    TargetProperty,
)

INVOICES = EntitySync(
    name="invoices",
    description="Every posted or paid ERP customer invoice as a CRM invoice (number, state, "
    "date, total), on the company of the customer and the deal it was sold from.",
    source_system="erp",
    target_system="crm",
    target_object="invoices",
    upstream=(
        ("erp", "erp_account_invoice"),
        ("erp", "erp_account_invoice_line"),
        ("erp", "erp_sale_line"),
        ("erp", "erp_sale_sale"),
        ("staging", "erp_party_codes"),
        ("core", "customer_id_map"),
        ("crm", "invoices"),
    ),
    staging_sql="""
        WITH company AS (  -- the CRM company of each ERP party, through the golden record
            SELECT erp.record_id AS party_code,
                   min(split_part(crm.record_id, ':', 2)) AS company_id
            FROM core.customer_id_map erp
            JOIN core.customer_id_map crm
              ON crm.golden_id = erp.golden_id AND crm.record_id LIKE 'companies:%'
            WHERE erp.system = 'erp'
            GROUP BY 1
        ),
        deal AS (  -- the deal of the sale an invoice's lines come from
            SELECT il.invoice, min(substr(s.reference, 14)) AS deal_id
            FROM erp.account_invoice_line il
            JOIN erp.sale_line sl ON il.origin = 'sale.line,' || sl.id
            JOIN erp.sale_sale s ON s.id = sl.sale AND s.reference LIKE 'hubspot-deal:%'
            GROUP BY 1
        )
        -- Tryton numbers invoices per fiscal year, so the number alone repeats: the key is
        -- the ERP's id.
        SELECT CAST(i.id AS VARCHAR) AS key, i.number, i.state, i.invoice_date,
               i.total_amount_cache AS total, p.code AS party_code, c.company_id, d.deal_id
        FROM erp.account_invoice i
        JOIN staging.erp_party_codes p ON p.party_id = i.party
        LEFT JOIN company c ON c.party_code = p.code
        LEFT JOIN deal d ON d.invoice = i.id
        WHERE i.type = 'out' AND i.state IN ('posted', 'paid')
    """,
    current_sql="""
        SELECT properties ->> 'erp_invoice_id' AS key, properties
        FROM crm.invoices WHERE NOT archived
    """,
    id_property="erp_invoice_id",
    fields=(
        FieldMapping(source="number", target="erp_invoice_number", owner="erp"),
        FieldMapping(source="state", target="erp_invoice_state", owner="erp"),
        FieldMapping(
            source="invoice_date", target="erp_invoice_date", transform="date", owner="erp"
        ),
        FieldMapping(source="total", target="erp_invoice_total", transform="amount", owner="erp"),
        FieldMapping(source="party_code", target="erp_party_code", owner="erp"),
    ),
    row_rules=(
        RowRule(column="number", rule="not_null", message="a posted invoice without a number"),
        RowRule(column="total", rule="not_null", message="the invoice has no total"),
    ),
    target_properties=(
        TargetProperty(name="erp_invoice_id", label="ERP invoice id", unique=True),
        TargetProperty(name="erp_invoice_number", label="ERP invoice number"),
        TargetProperty(name="erp_invoice_state", label="ERP invoice state"),
        TargetProperty(
            name="erp_invoice_date", label="ERP invoice date", type="date", field_type="date"
        ),
        TargetProperty(
            name="erp_invoice_total", label="ERP invoice total", type="number", field_type="number"
        ),
        TargetProperty(name="erp_party_code", label="ERP party code"),
    ),
    associations=(
        Association(to_object="companies", column="company_id"),
        Association(to_object="deals", column="deal_id"),
    ),
    group="invoices",
)
