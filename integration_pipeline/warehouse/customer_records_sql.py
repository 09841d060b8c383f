"""Customer records of both systems in the audit command's columns (DuckDB dialect).

ERP: every active customer party. CRM: every live company, and every live contact not
attached to a company, archived or not (a contact of a company is one of its people, not a
customer of its own); a company takes the e-mail of its first contact, since HubSpot
companies have none.
"""

CUSTOMER_RECORDS = """
CREATE OR REPLACE TABLE staging.customer_records AS
WITH company_contact AS (
    SELECT CAST(company.value AS BIGINT) AS company_id,
           min_by(c.properties ->> 'email', c.id) AS email
    FROM crm.contacts c,
         unnest(CAST(c.associations -> 'companies' AS VARCHAR[])) AS company(value)
    WHERE NOT c.archived
    GROUP BY 1
)
SELECT 'erp:' || erp_party_code AS id, 'erp' AS system, erp_party_code AS record_id,
       NULL AS first_name, NULL AS last_name, name AS company, email_raw AS email,
       phone_raw AS phone, street, city, postal_code, country,
       national_id_raw AS national_id, NULL AS birth_date,
       coalesce(write_date, create_date) AS updated_at
FROM staging.erp_customers
WHERE active
UNION ALL
SELECT 'crm:companies:' || co.id, 'crm', 'companies:' || co.id,
       NULL, NULL, co.properties ->> 'name', cc.email, co.properties ->> 'phone',
       co.properties ->> 'address', co.properties ->> 'city', co.properties ->> 'zip',
       co.properties ->> 'country', co.properties ->> 'ir_national_id', NULL, co.updated_at
FROM crm.companies co
LEFT JOIN company_contact cc ON cc.company_id = co.id
WHERE NOT co.archived
UNION ALL
SELECT 'crm:contacts:' || c.id, 'crm', 'contacts:' || c.id,
       c.properties ->> 'firstname', c.properties ->> 'lastname', NULL,
       c.properties ->> 'email', coalesce(c.properties ->> 'mobilephone', c.properties ->> 'phone'),
       c.properties ->> 'address', c.properties ->> 'city', c.properties ->> 'zip',
       c.properties ->> 'country', c.properties ->> 'ir_national_id',
       c.properties ->> 'date_of_birth', c.updated_at
FROM crm.contacts c
WHERE NOT c.archived
  AND coalesce(json_array_length(c.associations -> 'companies'), 0) = 0
  -- The CRM hides links to archived records: a person of an archived company is still not
  -- a customer of its own (the archived company's side keeps the link).
  AND c.id NOT IN (
      SELECT CAST(person.value AS BIGINT)
      FROM crm.companies archived_company,
           unnest(CAST(archived_company.associations -> 'contacts' AS VARCHAR[])) AS person(value)
      WHERE archived_company.archived
  )
"""
