"""customer_insights: the analytics' view of a customer (churn risk, lifetime value, the
product to offer next) on its CRM company, for the sales assistant."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, TargetProperty

CUSTOMER_INSIGHTS = EntitySync(
    name="customer_insights",
    description="Churn risk (probability of no order in the next 180 days), CLV and the "
    "next-best product of each golden customer on its CRM companies.",
    source_system="erp",
    target_system="crm",
    target_object="companies",
    upstream=(
        ("marts", "churn_scores"),
        ("marts", "next_products"),
        ("core", "customer_id_map"),
        ("crm", "companies"),
    ),
    # Rounded: a score that moves in its fourth decimal is no news to the CRM.
    staging_sql="""
        SELECT split_part(m.record_id, ':', 2) AS key,
               round(s.churn_risk, 3) AS churn_risk, round(s.clv, 0) AS clv,
               n.next_best_product
        FROM core.customer_id_map m
        JOIN marts.churn_scores s USING (golden_id)
        LEFT JOIN marts.next_products n USING (golden_id)
        WHERE m.system = 'crm' AND m.record_id LIKE 'companies:%'
    """,
    current_sql="SELECT CAST(id AS VARCHAR) AS key, properties FROM crm.companies",
    id_property=None,
    fields=(
        # Both are recomputed from all the data on every change to it: a move of less than
        # 5 % is no news to the CRM (at 10,000 customers, a 1 % change to the records moved
        # 3,841 CLVs, by ~0.1 %, and 248 churn risks).
        FieldMapping(
            source="churn_risk",
            target="churn_risk",
            transform="quantity",
            owner="erp",
            tolerance=0.05,
        ),
        FieldMapping(
            source="clv", target="customer_clv", transform="amount", owner="erp", tolerance=0.05
        ),
        FieldMapping(source="next_best_product", target="next_best_product", owner="erp"),
    ),
    target_properties=(
        TargetProperty(name="churn_risk", label="Churn risk", type="number", field_type="number"),
        TargetProperty(
            name="customer_clv", label="Customer lifetime value", type="number", field_type="number"
        ),
        TargetProperty(name="next_best_product", label="Next-best product (SKU)"),
    ),
    group="analytics",
)
