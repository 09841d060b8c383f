"""The CRM sandbox driven by HubSpot's official SDK, an independent client."""

import json
from decimal import Decimal

import pytest
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.companies.exceptions import ApiException
from hubspot.crm.deals import PublicObjectSearchRequest
from hubspot.crm.products import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
)

pytestmark = pytest.mark.slow
OPEN_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
]


def test_paging_reaches_every_record_once(crm, demo_dataset):
    client, seen, after = crm.sdk(), [], None
    while True:
        page = client.crm.companies.basic_api.get_page(limit=7, after=after, properties=["name"])
        seen += [r.id for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    expected = [r.id for r in demo_dataset.crm if r.object_type == "companies"]
    assert sorted(seen) == sorted(expected) and len(set(seen)) == len(seen)


def test_batch_upsert_by_unique_property(crm):
    client = crm.sdk()
    batch = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id_property="hs_sku", id="P-0001", properties={"price": "123000"}
            ),
            SimplePublicObjectBatchInputUpsert(
                id_property="hs_sku", id="P-9999", properties={"name": "New product", "price": "5"}
            ),
        ]
    )
    result = client.crm.products.batch_api.upsert(batch)
    flags = {r.properties.get("hs_sku") or r.id: r.new for r in result.results}
    assert sorted(flags.values()) == [False, True]
    existing = client.crm.products.basic_api.get_by_id(
        "P-0001", id_property="hs_sku", properties=["price", "hs_sku"]
    )
    assert existing.properties["price"] == "123000"
    again = client.crm.products.batch_api.upsert(batch)
    assert [r.new for r in again.results] == [False, False]


def test_search_filters_sorts_and_pages(crm, demo_dataset):
    client = crm.sdk()
    expected = sorted(
        (
            Decimal(r.properties["amount"])
            for r in demo_dataset.crm
            if r.object_type == "deals" and r.properties["dealstage"] in OPEN_STAGES
        ),
        reverse=True,
    )
    amounts, after = [], 0
    while True:
        request = PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "dealstage", "operator": "IN", "values": OPEN_STAGES},
                        {"propertyName": "amount", "operator": "GT", "value": "0"},
                    ]
                }
            ],
            sorts=[{"propertyName": "amount", "direction": "DESCENDING"}],
            properties=["amount", "dealstage"],
            limit=4,
            after=after,
        )
        page = client.crm.deals.search_api.do_search(public_object_search_request=request)
        assert page.total == len(expected)
        amounts += [Decimal(r.properties["amount"]) for r in page.results]
        if page.paging is None:
            break
        after = int(page.paging.next.after)
    assert amounts == expected


def test_archive_then_list_archived(crm, demo_dataset):
    client = crm.sdk()
    contact_id = next(r.id for r in demo_dataset.crm if r.object_type == "contacts")
    client.crm.contacts.basic_api.archive(contact_id)
    active = client.crm.contacts.basic_api.get_page(limit=100)
    archived = client.crm.contacts.basic_api.get_page(limit=100, archived=True)
    assert contact_id not in {r.id for r in active.results}
    assert [r.id for r in archived.results] == [contact_id]
    assert archived.results[0].archived is True and archived.results[0].archived_at is not None


def test_associations_v4(crm, demo_dataset):
    client = crm.sdk()
    deal = next(r for r in demo_dataset.crm if r.object_type == "deals")
    company = [r for r in demo_dataset.crm if r.object_type == "companies"][-1]
    client.crm.associations.v4.basic_api.create_default("deals", deal.id, "companies", company.id)
    page = client.crm.associations.v4.basic_api.get_page("deals", deal.id, "companies")
    found = {str(r.to_object_id): r.association_types for r in page.results}
    assert company.id in found
    assert any(t.type_id == 341 and t.category == "HUBSPOT_DEFINED" for t in found[company.id])
    reverse = client.crm.associations.v4.basic_api.get_page("companies", company.id, "deals")
    assert deal.id in {str(r.to_object_id) for r in reverse.results}
    with pytest.raises(AssociationsApiException) as missing:
        client.crm.associations.v4.basic_api.create_default("deals", deal.id, "companies", "1")
    assert missing.value.status == 404


def test_rate_limit_answers_429_with_hubspots_body(tight_crm):
    client = tight_crm.sdk()
    answered = 0
    with pytest.raises(ApiException) as limited:
        for _ in range(6):
            client.crm.companies.basic_api.get_page(limit=1)
            answered += 1
    assert limited.value.status == 429 and answered == 5
    body = json.loads(limited.value.body)
    assert body["errorType"] == "RATE_LIMIT" and body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert limited.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
