"""The fields the two-way customer sync compares, per linked pair (DuckDB dialect).

Only live pairs that are one-to-one (a CRM company linked to exactly one active ERP party
and back): a customer with duplicates not merged yet is left to the merge review.
"""

# field -> (CRM company expression, ERP party expression, owner)
CUSTOMER_FIELDS = {"name": ("co.properties ->> 'name'", "p.name", "crm")}

BASELINE = "sync.customer_field_baseline"
CONFLICTS = "quality.conflicts"

CREATE_TABLES = f"""
CREATE SCHEMA IF NOT EXISTS sync;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS {BASELINE} (
    crm_record VARCHAR, erp_record VARCHAR, field VARCHAR, crm_value VARCHAR,
    erp_value VARCHAR, updated_at TIMESTAMP,
    PRIMARY KEY (crm_record, erp_record, field)
);
CREATE TABLE IF NOT EXISTS {CONFLICTS} (
    entity VARCHAR, crm_record VARCHAR, erp_record VARCHAR, field VARCHAR, owner VARCHAR,
    kept VARCHAR, overruled VARCHAR, run_id VARCHAR, detected_at TIMESTAMP
);
"""


def field_states_sql() -> str:
    values = ", ".join(
        f"{crm} AS crm_{name}, {erp} AS erp_{name}"
        for name, (crm, erp, _) in CUSTOMER_FIELDS.items()
    )
    return f"""
        WITH live AS (
            SELECT l.crm_record, l.erp_party_code AS erp_record, {values}
            FROM core.customer_links l
            JOIN crm.companies co ON l.crm_record = 'companies:' || co.id AND NOT co.archived
            JOIN erp.party_party p ON p.code = l.erp_party_code AND p.active
        )
        SELECT * FROM live
        WHERE crm_record IN (SELECT crm_record FROM live GROUP BY 1 HAVING count(*) = 1)
          AND erp_record IN (SELECT erp_record FROM live GROUP BY 1 HAVING count(*) = 1)
    """
