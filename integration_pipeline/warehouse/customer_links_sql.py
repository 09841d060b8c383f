"""Which CRM record and which ERP party have ever been one customer (DuckDB dialect).

The id map holds live records only: an archived CRM company or a deactivated party leaves
it at the next match. The links outlive that, so an archive on one side can still find the
records it concerns on the other. Pairs are added, never removed.
"""

CUSTOMER_LINKS = """
CREATE TABLE IF NOT EXISTS core.customer_links (
    crm_record VARCHAR, erp_party_code VARCHAR, first_seen TIMESTAMP,
    PRIMARY KEY (crm_record, erp_party_code)
);
INSERT INTO core.customer_links
SELECT DISTINCT crm.record_id, erp.record_id, now()
FROM core.customer_id_map crm
JOIN core.customer_id_map erp ON erp.golden_id = crm.golden_id AND erp.system = 'erp'
WHERE crm.system = 'crm'
ON CONFLICT DO NOTHING;
"""
