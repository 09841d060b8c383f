"""customer_credit: the ERP-owned figures of a customer (its party, credit limit, outstanding
balance, available credit) on the CRM company the golden record ties it to."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, RowRule, TargetProperty

CUSTOMER_CREDIT = EntitySync(
    name="customer_credit",
    description="ERP party id, credit limit, outstanding balance and available credit on each "
    "CRM company that is the same customer (through core.customer_id_map).",
    source_system="erp",
    target_system="crm",
    target_object="companies",
    upstream=(("staging", "erp_party_credit"), ("core", "customer_id_map"), ("crm", "companies")),
    # A customer with several ERP parties (duplicates not merged yet) shows its oldest one,
    # the one a merge would keep.
    staging_sql="""
        SELECT split_part(crm.record_id, ':', 2) AS key, credit.erp_party_id,
               credit.credit_limit, credit.receivable AS outstanding,
               credit.available_credit
        FROM core.customer_id_map crm
        JOIN core.customer_id_map erp ON erp.golden_id = crm.golden_id AND erp.system = 'erp'
        JOIN staging.erp_party_credit credit ON credit.erp_party_code = erp.record_id
        WHERE crm.system = 'crm' AND crm.record_id LIKE 'companies:%'
        QUALIFY row_number() OVER (PARTITION BY crm.record_id ORDER BY erp.record_id) = 1
    """,
    current_sql="SELECT CAST(id AS VARCHAR) AS key, properties FROM crm.companies",
    id_property=None,
    fields=(
        FieldMapping(source="erp_party_id", target="erp_party_id", owner="erp"),
        FieldMapping(
            source="credit_limit", target="erp_credit_limit", transform="amount", owner="erp"
        ),
        FieldMapping(
            source="outstanding", target="erp_outstanding_balance", transform="amount", owner="erp"
        ),
        FieldMapping(
            source="available_credit",
            target="erp_available_credit",
            transform="amount",
            owner="erp",
        ),
    ),
    row_rules=(RowRule(column="erp_party_id", rule="not_null"),),
    target_properties=(
        TargetProperty(name="erp_party_id", label="ERP party id"),
        TargetProperty(
            name="erp_credit_limit", label="ERP credit limit", type="number", field_type="number"
        ),
        TargetProperty(
            name="erp_outstanding_balance",
            label="ERP outstanding balance",
            type="number",
            field_type="number",
        ),
        TargetProperty(
            name="erp_available_credit",
            label="ERP available credit",
            type="number",
            field_type="number",
        ),
    ),
    group="customers",
)
