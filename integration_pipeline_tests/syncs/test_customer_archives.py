"""A customer archived in the real CRM sandbox is deactivated in the real Tryton and one
deactivated in Tryton is archived in the CRM; the pipeline's own archives are not planned
back, and a record restored afterwards is left alone."""

import dagster as dg
import duckdb
import pytest

from integration_pipeline.assets.crm_raw import crm_raw_asset
from integration_pipeline.assets.customers_core import (
    core_customer_id_map,
    core_customers,
    staging_customer_records,
)
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.customer_archives import (
    CUSTOMER_ARCHIVES_TO_ERP,
    CUSTOMER_DEACTIVATIONS_TO_CRM,
)
from integration_pipeline.syncs.factory import build_sync
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow

SYNCS = (CUSTOMER_ARCHIVES_TO_ERP, *CUSTOMER_DEACTIVATIONS_TO_CRM)


def _run(resources) -> None:
    syncs = [asset for spec in SYNCS for asset in build_sync(spec)[0]]
    result = dg.materialize(
        [
            *erp_raw_assets,
            crm_raw_asset("companies"),
            crm_raw_asset("contacts"),
            staging_erp_customers,
            staging_customer_records,
            core_customers,
            core_customer_id_map,
            *syncs,
        ],
        resources=resources,
    )
    assert result.success
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert failed == []


def _outbox(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "SELECT entity, record_key, operation, status FROM sync.outbox "
            "WHERE entity LIKE 'customer_%' ORDER BY entity"
        ).fetchall()


def _one_to_one_pairs(warehouse) -> list[tuple[str, str]]:
    """(CRM company id, ERP party code) linked to each other and to nothing else."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            """
            SELECT split_part(crm_record, ':', 2), erp_party_code FROM core.customer_links
            WHERE crm_record LIKE 'companies:%'
              AND crm_record IN (SELECT crm_record FROM core.customer_links
                                 GROUP BY 1 HAVING count(*) = 1)
              AND erp_party_code IN (SELECT erp_party_code FROM core.customer_links
                                     GROUP BY 1 HAVING count(*) = 1)
            ORDER BY 1
            """
        ).fetchall()


def _party_active(running_erp, code: str) -> bool:
    with session_of(running_erp) as session:
        (party,) = session.model(
            "party.party",
            "search_read",
            [["code", "=", code], ["active", "in", [True, False]]],
            0,
            None,
            None,
            ["active"],
        )
    return party["active"]


def test_archives_and_deactivations_cross_once(running_erp, crm, tmp_path, sync_resources):
    warehouse = tmp_path / "warehouse.duckdb"
    _run(sync_resources)
    assert _outbox(warehouse) == [], "nothing was archived yet: nothing to propagate"
    (archived_company, its_party), (kept_company, deactivated_party), *_ = _one_to_one_pairs(
        warehouse
    )

    with HubSpotClient(crm.url, crm.token) as client:
        client.call("DELETE", f"/crm/v3/objects/companies/{archived_company}")
    with session_of(running_erp) as session:
        ids = session.model("party.party", "search", [["code", "=", deactivated_party]])
        session.model("party.party", "write", ids, {"active": False})
    _run(sync_resources)

    assert not _party_active(running_erp, its_party)
    with HubSpotClient(crm.url, crm.token) as client:
        company = client.call(
            "GET", f"/crm/v3/objects/companies/{kept_company}", params={"archived": "true"}
        )
    assert company["archived"] is True
    assert _outbox(warehouse) == [
        ("customer_archives_to_erp", its_party, "archive", "sent"),
        ("customer_deactivations_to_crm_companies", kept_company, "archive", "sent"),
    ]

    # The user restores the party in the ERP: the older CRM archive does not undo that, and
    # the pipeline's own writes are not read back as new changes.
    with session_of(running_erp) as session:
        ids = session.model(
            "party.party", "search", [["code", "=", its_party], ["active", "=", False]]
        )
        session.model("party.party", "write", ids, {"active": True})
    _run(sync_resources)
    assert _party_active(running_erp, its_party)
    assert len(_outbox(warehouse)) == 2
