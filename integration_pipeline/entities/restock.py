"""restock: days of cover and the day stock runs out, on each CRM product, from the ERP's
on-hand quantity and the weekly demand forecast."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, TargetProperty

RESTOCK = EntitySync(
    name="restock",
    description="Days the on-hand stock lasts at the forecast demand (erp_days_of_cover) and "
    "the day it runs out (erp_restock_by); empty where no demand is forecast.",
    source_system="erp",
    target_system="crm",
    target_object="products",
    upstream=(("staging", "erp_stock_levels"), ("marts", "demand_forecast"), ("crm", "products")),
    staging_sql="""
        WITH demand AS (
            -- Below a hundredth of a unit a week, a smoothed level is no demand at all.
            SELECT product_code, avg(forecast) / 7 AS daily
            FROM marts.demand_forecast GROUP BY 1 HAVING avg(forecast) >= 0.01
        ),
        cover AS (
            SELECT s.product_code, s.as_of, greatest(s.on_hand, 0) / d.daily AS days
            FROM staging.erp_stock_levels s
            LEFT JOIN demand d USING (product_code)
            WHERE s.warehouse_code = 'WH'
        )
        SELECT product_code AS key, round(days, 1) AS days_of_cover,
               -- Past ten years a run-out date is no plan: cover shown, no date.
               CASE WHEN days < 3650 THEN as_of + CAST(floor(days) AS INTEGER) END
                   AS restock_by
        FROM cover
    """,
    current_sql="""
        SELECT properties ->> 'hs_sku' AS key, properties
        FROM crm.products WHERE NOT archived
    """,
    id_property="hs_sku",
    fields=(
        FieldMapping(
            source="days_of_cover", target="erp_days_of_cover", transform="quantity", owner="erp"
        ),
        FieldMapping(source="restock_by", target="erp_restock_by", transform="date", owner="erp"),
    ),
    target_properties=(
        TargetProperty(
            name="erp_days_of_cover", label="ERP days of cover", type="number", field_type="number"
        ),
        TargetProperty(
            name="erp_restock_by", label="ERP restock by", type="date", field_type="date"
        ),
    ),
    group="analytics",
)
