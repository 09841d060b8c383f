"""customers_to_erp: a customer who wins a deal in the CRM and is not in the ERP yet becomes an
ERP party, from its golden record (cleansed: E.164 phone, valid e-mail, checked national id).
The party's code is the golden id, so a rerun finds it instead of creating it again."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping, RowRule

CUSTOMERS_TO_ERP = EntitySync(
    name="customers_to_erp",
    description="Golden customers with a won deal and no ERP party get one (code = golden id), "
    "with their name, e-mail, phone, address and national id.",
    source_system="crm",
    target_system="erp",
    target_object="party",
    upstream=(("core", "customers"), ("core", "customer_id_map"), ("crm", "deals")),
    staging_sql="""
        WITH won AS (
            SELECT DISTINCT m.golden_id
            FROM crm.deals d
            JOIN core.customer_id_map m
              ON m.system = 'crm'
             AND m.record_id = coalesce(
                    'companies:' || json_extract_string(d.associations, '$.companies[0]'),
                    'contacts:' || json_extract_string(d.associations, '$.contacts[0]'))
            WHERE NOT d.archived AND d.properties ->> 'dealstage' = 'closedwon'
        )
        SELECT g.golden_id AS key, g.name, g.email, g.phone, g.street, g.city,
               g.postal_code, g.country, g.national_id
        FROM core.customers g
        JOIN won USING (golden_id)
        WHERE g.erp_records = 0
    """,
    current_sql="""
        SELECT code AS key, json_object('name', name) AS properties
        FROM erp.party_party WHERE code LIKE 'G%'
    """,
    current_upstream=(("erp", "erp_party_party"),),
    id_property=None,
    write_once=True,
    erp_writer="parties",
    fields=tuple(
        FieldMapping(source=name, target=name, owner="crm")
        for name in (
            "name",
            "email",
            "phone",
            "street",
            "city",
            "postal_code",
            "country",
            "national_id",
        )
    ),
    row_rules=(RowRule(column="name", rule="not_null", message="the customer has no name"),),
    group="orders",
)
