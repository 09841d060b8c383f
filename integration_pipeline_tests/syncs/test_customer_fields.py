"""Customer names kept the same in the real CRM sandbox and the real Tryton: a change on one
side goes to the other, a change on both is won by the owner (the CRM) with the ERP's value
kept in quality.conflicts, and a rerun writes nothing (the pipeline's writes are not read
back as changes)."""

import dagster as dg
import duckdb
import pytest

from integration_pipeline.assets.crm_raw import crm_raw_asset
from integration_pipeline.assets.customer_fields import customer_fields_compare
from integration_pipeline.assets.customers_core import (
    core_customer_id_map,
    core_customers,
    staging_customer_records,
)
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.cleansing.names import display_name
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.customer_fields import (
    CUSTOMER_FIELDS_TO_CRM,
    CUSTOMER_FIELDS_TO_ERP,
)
from integration_pipeline.syncs.factory import build_sync
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow


def _run(resources) -> dict:
    """Returns the golden customers' materialization metadata."""
    syncs = [
        a for spec in (CUSTOMER_FIELDS_TO_ERP, CUSTOMER_FIELDS_TO_CRM) for a in build_sync(spec)[0]
    ]
    result = dg.materialize(
        [
            *erp_raw_assets,
            crm_raw_asset("companies"),
            crm_raw_asset("contacts"),
            staging_erp_customers,
            staging_customer_records,
            core_customers,
            core_customer_id_map,
            customer_fields_compare,
            *syncs,
        ],
        resources=resources,
    )
    assert result.success
    assert [c.check_name for c in result.get_asset_check_evaluations() if not c.passed] == []
    (core,) = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["core", "customers"])
    ]
    return {name: value.value for name, value in core.items()}


def _query(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _erp_name(session, code: str) -> str:
    (party,) = session.model(
        "party.party", "search_read", [["code", "=", code]], 0, None, None, ["name"]
    )
    return party["name"]


def test_names_follow_the_side_that_changed_and_the_owner_wins_a_conflict(
    running_erp, crm, tmp_path, sync_resources
):
    warehouse = tmp_path / "warehouse.duckdb"
    _run(sync_resources)
    outbox = (
        "SELECT entity, record_key, status FROM sync.outbox WHERE entity LIKE 'customer_fields%'"
    )
    assert _query(warehouse, outbox) == [], "the first sync adopts the names as they are"
    pairs = _query(
        warehouse,
        "SELECT split_part(crm_record, ':', 2), erp_record, erp_value "
        "FROM sync.customer_field_baseline ORDER BY 1 LIMIT 3",
    )
    (
        (crm_side, crm_party, name_a),
        (erp_company, erp_side, name_b),
        (both_company, both_party, _),
    ) = pairs

    with HubSpotClient(crm.url, crm.token) as client:
        for company, name in ((crm_side, f"{name_a} Group"), (both_company, "Caspian CRM")):
            client.call(
                "PATCH", f"/crm/v3/objects/companies/{company}", json={"properties": {"name": name}}
            )
    with session_of(running_erp) as session:
        for code, name in ((erp_side, f"{name_b} Trading"), (both_party, "Caspian ERP")):
            ids = session.model("party.party", "search", [["code", "=", code]])
            session.model("party.party", "write", ids, {"name": name})
    core = _run(sync_resources)
    # Today's model, so only the four renamed records were matched again.
    assert 0 < core["records_matched_again"] <= 4 < core["records"]
    golden_names = (
        "SELECT m.record_id, g.name FROM core.customers g "
        "JOIN core.customer_id_map m USING (golden_id) WHERE m.system = 'crm' ORDER BY 1"
    )
    golden = dict(_query(warehouse, golden_names))
    # The golden customer shows what both systems hold once the writes land (standardised),
    # in this run already.
    assert golden[f"companies:{erp_company}"] == display_name(f"{name_b} Trading")
    assert golden[f"companies:{crm_side}"] == display_name(f"{name_a} Group")
    assert golden[f"companies:{both_company}"] == "Caspian CRM"

    with session_of(running_erp) as session:
        assert _erp_name(session, crm_party) == f"{name_a} Group"
        assert _erp_name(session, both_party) == "Caspian CRM"
    with HubSpotClient(crm.url, crm.token) as client:

        def crm_name(company: str) -> str:
            return client.call("GET", f"/crm/v3/objects/companies/{company}")["properties"]["name"]

        assert crm_name(erp_company) == f"{name_b} Trading"
        assert crm_name(both_company) == "Caspian CRM"
    assert _query(
        warehouse,
        "SELECT crm_record, erp_record, field, owner, kept, overruled FROM quality.conflicts",
    ) == [(f"companies:{both_company}", both_party, "name", "crm", "Caspian CRM", "Caspian ERP")]
    sent = _query(warehouse, outbox + " ORDER BY 1, 2")
    assert sent == sorted(
        [
            ("customer_fields_to_erp", crm_party, "sent"),
            ("customer_fields_to_erp", both_party, "sent"),
            ("customer_fields_to_crm", erp_company, "sent"),
        ]
    )

    _run(sync_resources)
    assert _query(warehouse, outbox + " ORDER BY 1, 2") == sent
    assert dict(_query(warehouse, golden_names)) == golden, "reading the writes back moves none"
    assert len(_query(warehouse, "SELECT * FROM quality.conflicts")) == 1

    # Set back and then again (A → B → A → B): each time a write, though its values were
    # sent once before.
    with session_of(running_erp) as session:
        ids = session.model("party.party", "search", [["code", "=", crm_party]])
        session.model("party.party", "write", ids, {"name": name_a})
    _run(sync_resources)
    with HubSpotClient(crm.url, crm.token) as client:
        assert crm_name(crm_side) == name_a
        client.call(
            "PATCH",
            f"/crm/v3/objects/companies/{crm_side}",
            json={"properties": {"name": f"{name_a} Group"}},
        )
    _run(sync_resources)
    with session_of(running_erp) as session:
        assert _erp_name(session, crm_party) == f"{name_a} Group"
