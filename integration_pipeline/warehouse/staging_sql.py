"""SQL that shapes raw ERP tables into staging rows (DuckDB dialect)."""

STAGING_ERP_CUSTOMERS = """
CREATE OR REPLACE TABLE staging.erp_customers AS
WITH first_contact AS (
    SELECT party, type, value,
           row_number() OVER (PARTITION BY party, type IN ('phone', 'mobile'), type = 'email'
                              ORDER BY sequence NULLS LAST, id) AS rank
    FROM erp.party_contact_mechanism
    WHERE active
),
first_address AS (
    SELECT party, street_unstructured, city, postal_code, country,
           row_number() OVER (PARTITION BY party ORDER BY sequence NULLS LAST, id) AS rank
    FROM erp.party_address
    WHERE active
),
first_identifier AS (
    SELECT party, code,
           row_number() OVER (PARTITION BY party ORDER BY sequence NULLS LAST, id) AS rank
    FROM erp.party_identifier
)
SELECT p.id AS erp_party_id,
       p.code AS erp_party_code,
       trim(p.name) AS name,
       p.active,
       e.value AS email_raw,
       ph.value AS phone_raw,
       a.street_unstructured AS street,
       a.city,
       a.postal_code,
       c.code AS country,
       i.code AS national_id_raw,
       p.write_date,
       p.create_date
FROM erp.party_party p
LEFT JOIN first_contact e ON e.party = p.id AND e.type = 'email' AND e.rank = 1
LEFT JOIN first_contact ph ON ph.party = p.id AND ph.type IN ('phone', 'mobile') AND ph.rank = 1
LEFT JOIN first_address a ON a.party = p.id AND a.rank = 1
LEFT JOIN erp.country_country c ON c.id = a.country
LEFT JOIN first_identifier i ON i.party = p.id AND i.rank = 1
-- The company's own party and employees are not customers.
WHERE p.id NOT IN (SELECT party FROM erp.company_company)
  AND p.id NOT IN (SELECT party FROM erp.company_employee)
"""
