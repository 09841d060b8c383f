"""The demo's customer records in the audit command's columns, with the truth: which real
customer each record is (for measuring the record linkage)."""

import pandas as pd

from integration_pipeline.sandbox.demo.records import DemoDataset


def _first(contacts: tuple[tuple[str, str], ...], *kinds: str) -> str | None:
    return next((value for kind, value in contacts if kind in kinds), None)


def erp_records(dataset: DemoDataset) -> pd.DataFrame:
    """Tryton keeps one name per party; it goes to `company` (the matcher compares whole names)."""
    return pd.DataFrame(
        [
            {
                "id": f"erp:{p.code}",
                "company": p.name,
                "email": _first(p.contacts, "email"),
                "phone": _first(p.contacts, "phone", "mobile"),
                "street": p.street,
                "city": p.city,
                "postal_code": p.postal_code,
                "country": p.country,
                "national_id": p.national_id,
            }
            for p in dataset.erp_parties
        ]
    )


def crm_records(dataset: DemoDataset) -> pd.DataFrame:
    """CRM companies, and contacts that are customers themselves (not a company's people)."""
    customers = {(g.object_type, g.record_id) for g in dataset.ground_truth if g.system == "crm"}
    rows = []
    for record in dataset.crm:
        if (record.object_type, record.id) not in customers:
            continue
        p = record.properties
        company = record.object_type == "companies"
        rows.append(
            {
                "id": f"crm:{record.object_type}:{record.id}",
                "first_name": None if company else p.get("firstname"),
                "last_name": None if company else p.get("lastname"),
                "company": p.get("name") if company else None,
                "email": p.get("email"),
                "phone": p.get("phone") or p.get("mobilephone"),
                "street": p.get("address"),
                "city": p.get("city"),
                "postal_code": p.get("zip"),
                "country": p.get("country"),
                "national_id": p.get("ir_national_id"),
                "birth_date": p.get("date_of_birth"),
            }
        )
    return pd.DataFrame(rows)


def truth(dataset: DemoDataset) -> dict[str, str]:
    """Record id (as in the frames above) → the real customer's entity id."""
    ids = {}
    for g in dataset.ground_truth:
        key = f"erp:{g.record_id}" if g.system == "erp" else f"crm:{g.object_type}:{g.record_id}"
        ids[key] = g.entity_id
    return ids
