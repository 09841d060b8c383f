"""stock: ERP on-hand and forecast quantities → CRM products (the ERP owns them)."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, RowRule, TargetProperty

STOCK = EntitySync(
    name="stock",
    description="On-hand and forecast quantity of every ERP product at the main warehouse, "
    "on the CRM product with the same SKU (erp_qty_on_hand, erp_qty_forecast, "
    "erp_stock_updated_at).",
    source_system="erp",
    target_system="crm",
    target_object="products",
    upstream=(("staging", "erp_stock_levels"), ("crm", "products")),
    staging_sql="""
        SELECT product_code AS key, on_hand, forecast, as_of
        FROM staging.erp_stock_levels
        WHERE warehouse_code = 'WH'
    """,
    current_sql="""
        SELECT properties ->> 'hs_sku' AS key, properties
        FROM crm.products WHERE NOT archived
    """,
    id_property="hs_sku",
    fields=(
        FieldMapping(source="key", target="erp_product_code", owner="erp"),
        FieldMapping(source="on_hand", target="erp_qty_on_hand", transform="quantity", owner="erp"),
        FieldMapping(
            source="forecast", target="erp_qty_forecast", transform="quantity", owner="erp"
        ),
        FieldMapping(source="as_of", target="erp_stock_updated_at", transform="date", owner="erp"),
    ),
    row_rules=(RowRule(column="key", rule="not_null"), RowRule(column="on_hand", rule="not_null")),
    target_properties=(
        TargetProperty(name="erp_product_code", label="ERP product code"),
        TargetProperty(
            name="erp_qty_on_hand", label="ERP quantity on hand", type="number", field_type="number"
        ),
        TargetProperty(
            name="erp_qty_forecast",
            label="ERP forecast quantity",
            type="number",
            field_type="number",
        ),
        TargetProperty(
            name="erp_stock_updated_at", label="ERP stock as of", type="date", field_type="date"
        ),
    ),
    fresh_within_minutes=35,  # every 15 minutes, with room for one missed run
    group="stock",
)
