"""The deterministic demo-data generator: same seed and config, same dataset, any scale."""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from integration_pipeline.sandbox.demo.crm_side import attach_references, build_crm
from integration_pipeline.sandbox.demo.customers import make_true_customers
from integration_pipeline.sandbox.demo.erp_side import (
    make_parties,
    make_products,
    make_sales,
    make_stocked_products,
)
from integration_pipeline.sandbox.demo.records import (
    DemoConfig,
    DemoDataset,
    ErpSale,
    GroundTruth,
    MarketingSpend,
)

CHANNELS = {"search_ads": 0.4, "social": 0.25, "events": 0.2, "content": 0.15}


def _month_starts(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def make_marketing_spend(config: DemoConfig, rng: random.Random) -> list[MarketingSpend]:
    start = config.as_of - timedelta(days=config.history_days)
    monthly_budget = 2_000_000 * config.customers  # Rial; scales with the customer base
    spend = []
    for month in _month_starts(start, config.as_of - timedelta(days=1)):
        for channel, share in CHANNELS.items():
            amount = Decimal(round(monthly_budget * share * rng.uniform(0.7, 1.3), -3))
            spend.append(MarketingSpend(month, channel, amount))
    return spend


def generate(config: DemoConfig) -> DemoDataset:
    rng = random.Random(config.seed)
    customers = make_true_customers(config, rng)
    parties, party_links = make_parties(customers, rng)
    catalogue = make_products(config, rng)
    sales = make_sales(party_links, catalogue, config, rng)
    products = make_stocked_products(catalogue, sales, rng)

    entity_of_party = {code: customer.entity_id for customer, code in party_links}
    sales_by_entity: dict[str, list[ErpSale]] = defaultdict(list)
    for sale in sales:
        sales_by_entity[entity_of_party[sale.party_code]].append(sale)
    crm, crm_records_of, references = build_crm(config, rng, customers, products, sales_by_entity)
    sales = attach_references(sales, references)

    truth = [GroundTruth("erp", "party", code, entity_of_party[code]) for code in entity_of_party]
    truth += [
        GroundTruth("crm", object_type, record_id, entity_id)
        for entity_id, records in crm_records_of.items()
        for object_type, record_id in records
    ]
    return DemoDataset(
        config=config,
        currency="IRR",
        customers=customers,
        crm=crm,
        erp_parties=parties,
        products=products,
        erp_sales=sales,
        marketing_spend=make_marketing_spend(config, rng),
        ground_truth=truth,
    )
