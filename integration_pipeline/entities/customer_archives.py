"""Archives and deactivations travel across: a customer archived in the CRM is deactivated in
the ERP, and a customer deactivated in the ERP is archived in the CRM.

A record follows only when every record it was ever linked with (core.customer_links) is
gone on the other side, and only when that side's change is newer than the record's own
last change: a user who restores the record afterwards is not overruled. The pipeline's
own archive leaves both sides gone, so nothing is planned back (no ping-pong). A party
replaced by a merge (`replaced_by`) lives on in the kept party: not a deactivation.
"""

from integration_pipeline.entities.spec import EntitySync

_CRM_RECORDS = """
    SELECT 'companies:' || id AS crm_record, archived, archived_at FROM crm.companies
    UNION ALL
    SELECT 'contacts:' || id, archived, archived_at FROM crm.contacts
"""

CUSTOMER_ARCHIVES_TO_ERP = EntitySync(
    name="customer_archives_to_erp",
    description="ERP parties whose CRM records were all archived are deactivated.",
    source_system="crm",
    target_system="erp",
    target_object="party",
    upstream=(
        ("core", "customer_id_map"),
        ("crm", "companies"),
        ("crm", "contacts"),
        ("erp", "erp_party_party"),
    ),
    staging_sql=f"""
        WITH crm_record AS ({_CRM_RECORDS}),
        per_party AS (
            SELECT l.erp_party_code,
                   -- a record gone from the CRM altogether (purged) counts as archived
                   bool_and(coalesce(r.archived, TRUE)) AS all_archived,
                   max(timezone('UTC', r.archived_at)) AS archived_at
            FROM core.customer_links l
            LEFT JOIN crm_record r USING (crm_record)
            GROUP BY 1
        )
        SELECT p.code AS key, pp.archived_at AS crm_archived_at
        FROM per_party pp
        JOIN erp.party_party p ON p.code = pp.erp_party_code
        WHERE pp.all_archived AND p.active
          AND pp.archived_at > coalesce(p.write_date, p.create_date)
    """,
    current_sql="""
        SELECT code AS key, json_object('active', active) AS properties
        FROM erp.party_party WHERE active
    """,
    current_upstream=(("erp", "erp_party_party"),),
    id_property=None,
    archives=True,
    erp_writer="party_deactivations",
    fields=(),
    group="customers",
)


def _deactivations_to_crm(object_type: str) -> EntitySync:
    return EntitySync(
        name=f"customer_deactivations_to_crm_{object_type}",
        description=f"CRM {object_type} whose ERP parties were all deactivated are archived.",
        source_system="erp",
        target_system="crm",
        target_object=object_type,
        upstream=(("core", "customer_id_map"), ("erp", "erp_party_party"), ("crm", object_type)),
        staging_sql=f"""
            WITH per_record AS (
                SELECT l.crm_record,
                       bool_and(NOT p.active AND p.replaced_by IS NULL) AS all_deactivated,
                       max(coalesce(p.write_date, p.create_date)) AS deactivated_at
                FROM core.customer_links l
                JOIN erp.party_party p ON p.code = l.erp_party_code
                GROUP BY 1
            )
            SELECT CAST(c.id AS VARCHAR) AS key, r.deactivated_at AS erp_deactivated_at
            FROM per_record r
            JOIN crm.{object_type} c ON r.crm_record = '{object_type}:' || c.id
            WHERE r.all_deactivated AND NOT c.archived
              AND r.deactivated_at > timezone('UTC', c.updated_at)
        """,
        current_sql=f"""
            SELECT CAST(id AS VARCHAR) AS key, '{{}}' AS properties
            FROM crm.{object_type} WHERE NOT archived
        """,
        id_property=None,
        archives=True,
        fields=(),
        group="customers",
    )


CUSTOMER_DEACTIVATIONS_TO_CRM = (
    _deactivations_to_crm("companies"),
    _deactivations_to_crm("contacts"),
)
