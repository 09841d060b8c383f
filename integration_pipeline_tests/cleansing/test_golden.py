"""Golden records: the owner's value first, then the most recent, then any; a stable id."""

import pandas as pd

from integration_pipeline.cleansing.golden import golden_id, golden_records


def _record(unique_id, system, updated_at, **values):
    base = {
        c: None
        for c in (
            "display_name",
            "email_std",
            "phone_std",
            "street_display",
            "city_display",
            "postal_code_std",
            "country_std",
            "national_id_std",
            "birth_date_std",
        )
    }
    return {
        "unique_id": unique_id,
        "system": system,
        "record_id": unique_id.split(":")[-1],
        "updated_at": updated_at,
        **base,
        **values,
    }


def test_survivorship_owner_then_recency_then_completeness():
    records = pd.DataFrame(
        [
            _record(
                "crm:1", "crm", "2026-01-01", display_name="Kavir Co", email_std="old@kavir.ir"
            ),
            _record("crm:2", "crm", "2026-06-01", email_std="new@kavir.ir"),
            _record(
                "erp:C1",
                "erp",
                "2026-11-01",
                display_name="KAVIR",
                email_std="erp@kavir.ir",
                phone_std="+982188881234",
                national_id_std="10101010101",
            ),
            _record("crm:9", "crm", "2026-02-01", display_name="Alone"),
        ]
    )
    clusters = pd.DataFrame(
        {"unique_id": ["crm:1", "crm:2", "erp:C1", "crm:9"], "cluster_id": ["a", "a", "a", "b"]}
    )
    golden, id_map = golden_records(records, clusters)
    kavir = golden.set_index("golden_id").loc[golden_id(["crm:1", "crm:2", "erp:C1"])]
    assert kavir["email"] == "new@kavir.ir"  # the CRM owns contacts; its newest record wins
    assert kavir["name"] == "Kavir Co"  # the only CRM record with a name
    assert kavir["phone"] == "+982188881234"  # no CRM value: the ERP's fills the gap
    assert kavir["national_id"] == "10101010101"
    assert (kavir["crm_records"], kavir["erp_records"]) == (2, 1)
    assert len(golden) == 2 and len(id_map) == 4
    assert set(id_map[id_map.system == "erp"].record_id) == {"C1"}


def test_the_golden_id_stays_while_the_smallest_member_stays():
    assert golden_id(["crm:2", "crm:1"]) == golden_id(["crm:1", "erp:C7"])
    assert golden_id(["crm:1"]) != golden_id(["crm:2"])
