"""Won deals in the real CRM sandbox become confirmed sales in the real Tryton, exactly once;
the credit limit holds one back until it is raised; a customer the ERP does not know is
refused with a reason; the outcome shows on each deal."""

from decimal import Decimal

import dagster as dg
import pytest

from integration_pipeline.assets.crm_raw import crm_raw_assets
from integration_pipeline.assets.customers_core import (
    core_customer_id_map,
    core_customers,
    staging_customer_records,
)
from integration_pipeline.assets.erp_balances import staging_erp_stock_levels
from integration_pipeline.assets.erp_raw import erp_raw_assets
from integration_pipeline.assets.staging import staging_erp_customers
from integration_pipeline.connectors.hubspot.client import HubSpotClient
from integration_pipeline.entities.customers_to_erp import CUSTOMERS_TO_ERP
from integration_pipeline.entities.deal_tasks import DEAL_TASKS
from integration_pipeline.entities.orders import ORDER_STATUS, ORDERS
from integration_pipeline.syncs.factory import build_sync
from integration_pipeline_tests.conftest import session_of

pytestmark = pytest.mark.slow


def _open_deals_by_customer(dataset) -> tuple[dict[str, str], set[str]]:
    """Open deals with line items, each with its company's ERP party code (or None)."""
    entity_of = {(g.object_type, g.record_id): g.entity_id for g in dataset.ground_truth}
    party_of_entity = {g.entity_id: g.record_id for g in dataset.ground_truth if g.system == "erp"}
    with_items = {
        to_id
        for r in dataset.crm
        if r.object_type == "line_items"
        for to_type, to_id in r.associations
        if to_type == "deals"
    }
    parties = {}
    for record in dataset.crm:
        if record.object_type != "deals" or record.properties["dealstage"] == "closedwon":
            continue
        companies = [i for t, i in record.associations if t == "companies"]
        if not companies or record.id not in with_items:
            continue
        entity = entity_of.get(("companies", companies[0]))
        parties[record.id] = party_of_entity.get(entity)
    return parties, with_items


def _crm_only_company(dataset) -> str:
    """A CRM company whose customer the ERP does not know."""
    in_erp = {g.entity_id for g in dataset.ground_truth if g.system == "erp"}
    return next(
        g.record_id
        for g in dataset.ground_truth
        if g.object_type == "companies" and g.entity_id not in in_erp
    )


def _run(resources) -> dg.ExecuteInProcessResult:
    parties, _, _ = build_sync(CUSTOMERS_TO_ERP)
    orders, _, _ = build_sync(ORDERS)
    status, _, _ = build_sync(ORDER_STATUS)
    tasks, _, _ = build_sync(DEAL_TASKS)
    return dg.materialize(
        [
            *erp_raw_assets,
            *crm_raw_assets,
            staging_erp_customers,
            staging_erp_stock_levels,
            staging_customer_records,
            core_customers,
            core_customer_id_map,
            *parties,
            *orders,
            *status,
            *tasks,
        ],
        resources=resources,
    )


def _deal(client: HubSpotClient, deal_id: str) -> dict:
    names = "erp_sale_number,erp_sale_state,erp_sync_status,erp_sync_message"
    return client.call("GET", f"/crm/v3/objects/deals/{deal_id}", params={"properties": names})[
        "properties"
    ]


def _tasks(crm) -> dict[str, dict]:
    with HubSpotClient(crm.url, crm.token) as client:
        records = [
            r
            for page in client.pages(
                "tasks", ["erp_hold_key", "hs_task_status", "hs_task_body"], ["deals"]
            )
            for r in page
        ]
    return {
        r["properties"]["erp_hold_key"]: {
            "status": r["properties"]["hs_task_status"],
            "body": r["properties"]["hs_task_body"],
            "deals": [
                a["id"] for a in r.get("associations", {}).get("deals", {}).get("results", [])
            ],
        }
        for r in records
    }


def test_won_deals_become_erp_sales_once_with_credit_holds(
    running_erp, crm, demo_dataset, sync_resources
):
    resources = sync_resources
    parties, _ = _open_deals_by_customer(demo_dataset)
    known = [deal for deal, party in parties.items() if party]
    synced_deal = known[0]
    held_deal = next(d for d in known if parties[d] != parties[synced_deal])
    with session_of(running_erp) as session:
        (held_party,) = session.model("party.party", "search", [["code", "=", parties[held_deal]]])
        session.model("party.party", "write", [held_party], {"credit_limit_amount": Decimal(1)})
        # The other customer's seeded credit may be used up: room for its order.
        (synced_party,) = session.model(
            "party.party", "search", [["code", "=", parties[synced_deal]]]
        )
        session.model(
            "party.party", "write", [synced_party], {"credit_limit_amount": Decimal(10**15)}
        )
    with HubSpotClient(crm.url, crm.token) as client:
        # A deal of a customer only the CRM knows.
        new_customer_deal = client.call(
            "POST",
            "/crm/v3/objects/deals",
            json={
                "properties": {
                    "dealname": "Newcomer",
                    "dealstage": "appointmentscheduled",
                    "closedate": "2026-11-27T09:00:00.000Z",
                }
            },
        )["id"]
        in_stock = max(demo_dataset.products, key=lambda p: p.final_on_hand)
        item = client.call(
            "POST",
            "/crm/v3/objects/line_items",
            json={
                "properties": {
                    "name": in_stock.name,
                    "hs_sku": in_stock.code,
                    "quantity": "1",
                    "price": str(in_stock.list_price),
                }
            },
        )["id"]
        for kind, target in (("line_items", item), ("companies", _crm_only_company(demo_dataset))):
            client.call(
                "PUT",
                f"/crm/v4/objects/deals/{new_customer_deal}/associations/default/{kind}/{target}",
            )
        empty_deal = client.call(
            "POST",
            "/crm/v3/objects/deals",
            json={
                "properties": {
                    "dealname": "No lines",
                    "dealstage": "closedwon",
                    "closedate": "2026-11-25T09:00:00.000Z",
                }
            },
        )["id"]
        company = next(
            t_id
            for r in demo_dataset.crm
            if r.id == synced_deal
            for t, t_id in r.associations
            if t == "companies"
        )
        client.call(
            "PUT", f"/crm/v4/objects/deals/{empty_deal}/associations/default/companies/{company}"
        )
        big_order = client.call(
            "POST",
            "/crm/v3/objects/deals",
            json={
                "properties": {
                    "dealname": "Too big",
                    "dealstage": "appointmentscheduled",
                    "closedate": "2026-11-26T09:00:00.000Z",
                }
            },
        )["id"]
        product = in_stock.code  # cut to one unit later, which its stock covers
        line = client.call(
            "POST",
            "/crm/v3/objects/line_items",
            json={
                "properties": {
                    "name": "lots",
                    "hs_sku": product,
                    "quantity": "100000",
                    "price": "1000",
                }
            },
        )["id"]
        client.call(
            "PUT", f"/crm/v4/objects/deals/{big_order}/associations/default/line_items/{line}"
        )
        client.call(
            "PUT", f"/crm/v4/objects/deals/{big_order}/associations/default/companies/{company}"
        )
        won = [synced_deal, held_deal, new_customer_deal, big_order]
        client.batch(
            "deals", "update", [{"id": d, "properties": {"dealstage": "closedwon"}} for d in won]
        )

    assert _run(resources).success
    with HubSpotClient(crm.url, crm.token) as client:
        synced, held = _deal(client, synced_deal), _deal(client, held_deal)
        newcomer = _deal(client, new_customer_deal)
        waiting_for_stock = _deal(client, big_order)
        refused = _deal(client, empty_deal)
    assert synced["erp_sync_status"] == "synced" and synced["erp_sale_number"]
    assert synced["erp_sale_state"] == "processing"
    assert held["erp_sync_status"] == "on_hold_credit" and held["erp_sale_state"] == "quotation"
    assert "credit limit" in held["erp_sync_message"]
    # A customer only the CRM knew became an ERP party (code = golden id) and got its sale.
    assert newcomer["erp_sync_status"] == "synced", newcomer
    assert waiting_for_stock["erp_sync_status"] == "on_hold_stock"
    assert waiting_for_stock["erp_sale_state"] == "quotation"
    assert f"{product}: 100000.0 asked" in waiting_for_stock["erp_sync_message"]
    open_tasks = _tasks(crm)
    assert set(open_tasks) == {f"{held_deal}:on_hold_credit", f"{big_order}:on_hold_stock"}
    credit_task = open_tasks[f"{held_deal}:on_hold_credit"]
    assert credit_task["status"] == "NOT_STARTED" and "credit limit" in credit_task["body"]
    assert credit_task["deals"] == [held_deal]
    assert refused["erp_sync_status"] == "rejected"
    assert refused["erp_sync_message"] == "the deal has no line items"

    # The causes clear (the credit limit is lifted; the big order is cut to what stock
    # covers): the next run confirms both held sales and duplicates nothing.
    with session_of(running_erp) as session:
        session.model("party.party", "write", [held_party], {"credit_limit_amount": None})
    with HubSpotClient(crm.url, crm.token) as client:
        client.call(
            "PATCH", f"/crm/v3/objects/line_items/{line}", json={"properties": {"quantity": "1"}}
        )
    assert _run(resources).success
    with session_of(running_erp) as session:
        references = [
            r["reference"]
            for r in session.model(
                "sale.sale",
                "search_read",
                [["reference", "in", [f"hubspot-deal:{d}" for d in won]]],
                0,
                None,
                None,
                ["reference"],
            )
        ]
    assert sorted(references) == sorted(f"hubspot-deal:{d}" for d in won)  # one sale each
    with session_of(running_erp) as session:
        made = session.model(
            "party.party", "search_read", [["code", "like", "G%"]], 0, None, None, ["code"]
        )
    assert len(made) == 1  # created once, found again on the second run
    with HubSpotClient(crm.url, crm.token) as client:
        released = _deal(client, held_deal)
    assert released["erp_sync_status"] == "synced" and released["erp_sale_state"] == "processing"
    with HubSpotClient(crm.url, crm.token) as client:
        cut = _deal(client, big_order)
    assert cut["erp_sync_status"] == "synced" and cut["erp_sale_state"] == "processing"
    tasks_after = _tasks(crm)  # the same two tasks, both done
    assert set(tasks_after) == set(open_tasks)
    assert {t["status"] for t in tasks_after.values()} == {"COMPLETED"}
    assert released["erp_sync_message"] in (None, "")
