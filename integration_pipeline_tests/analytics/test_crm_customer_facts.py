"""What the marts read of the CRM's customer records: owner, lifecycle stage, creation and
the company of each contact; an edit of anything else (a name, a property the syncs write)
leaves it as it was, so the marts are not computed again for it."""

import duckdb

from integration_pipeline.analytics.customer360_sql import CRM_CUSTOMER_FACTS
from integration_pipeline.connectors.hubspot.landing import to_arrow
from integration_pipeline.warehouse.fingerprint import fingerprints

NOW = "2026-11-02T10:00:00Z"


def _record(record_id: int, properties: dict, links: dict | None = None) -> dict:
    return {
        "id": str(record_id),
        "properties": properties,
        "associations": {
            t: {"results": [{"id": i} for i in ids]} for t, ids in (links or {}).items()
        },
        "createdAt": "2026-01-05T08:00:00Z",
        "updatedAt": NOW,
        "archived": False,
    }


def _facts(companies: list[dict], contacts: list[dict]) -> tuple[str, list[tuple]]:
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA crm; CREATE SCHEMA core")
    for name, records in (("companies", companies), ("contacts", contacts)):
        connection.register("landed", to_arrow(records))
        connection.execute(f"CREATE TABLE crm.{name} AS SELECT * FROM landed")
        connection.unregister("landed")
    connection.execute(
        "CREATE TABLE core.customer_id_map AS SELECT * FROM (VALUES "
        "('G1', 'crm', 'companies:1', 'crm:companies:1'), "
        "('G1', 'crm', 'contacts:5', 'crm:contacts:5')) t(golden_id, system, record_id, unique_id)"
    )
    connection.execute(CRM_CUSTOMER_FACTS)
    rows = connection.execute(
        "SELECT golden_id, object_type, id, owner_id, lifecyclestage FROM core.crm_customer_facts "
        "ORDER BY 2, 3"
    ).fetchall()
    return fingerprints(connection, "core.crm_customer_facts", "core.crm_contact_companies"), rows


def _records(company_name: str, stage: str, sync_note: str):
    companies = [
        _record(
            1,
            {
                "name": company_name,
                "lifecyclestage": stage,
                "hubspot_owner_id": "7",
                "erp_credit_limit": sync_note,
            },
        )
    ]
    contacts = [_record(5, {"lastname": "Rahimi", "lifecyclestage": "lead"}, {"companies": [1]})]
    return companies, contacts


def test_a_name_or_a_synced_property_moves_nothing_the_marts_read():
    version, rows = _facts(*_records("Sepahan Steel", "customer", "1000"))
    assert rows == [
        ("G1", "companies", 1, "7", "customer"),
        ("G1", "contacts", 5, None, "lead"),
    ]
    renamed, _ = _facts(*_records("Sepahan Steel Group", "customer", "2500"))
    assert renamed == version
    converted, _ = _facts(*_records("Sepahan Steel", "evangelist", "1000"))
    assert converted != version
