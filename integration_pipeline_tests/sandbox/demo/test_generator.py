"""The demo generator: deterministic, at any scale, and as dirty as promised."""

import csv
import json
import re
from collections import Counter
from datetime import date

from integration_pipeline.cleansing.iran_ids import is_valid_company_id, is_valid_national_id
from integration_pipeline.sandbox.demo.dirt import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS, ZWNJ
from integration_pipeline.sandbox.demo.files import write_dataset
from integration_pipeline.sandbox.demo.generator import generate
from integration_pipeline.sandbox.demo.records import DemoConfig

CONFIG = DemoConfig(seed=3, customers=400, as_of=date(2026, 11, 1))


def test_same_seed_same_data_other_seed_other_data():
    assert generate(CONFIG) == generate(CONFIG)
    other = generate(DemoConfig(seed=4, customers=400, as_of=date(2026, 11, 1)))
    assert other.customers != generate(CONFIG).customers


def test_scale_follows_the_customer_count():
    small = generate(DemoConfig(seed=3, customers=50, as_of=date(2026, 11, 1)))
    assert len(small.customers) == 50
    assert len(generate(CONFIG).customers) == 400


def test_a_faster_buying_pace_makes_a_denser_order_history():
    usual = generate(CONFIG)
    dense = generate(DemoConfig(seed=3, customers=400, as_of=date(2026, 11, 1), orders_per_year=6))
    assert dense.customers == usual.customers
    assert len(dense.erp_sales) > 2.5 * len(usual.erp_sales)


def test_true_customers_have_valid_identifiers_and_both_languages():
    dataset = generate(CONFIG)
    for customer in dataset.customers:
        valid = is_valid_company_id if customer.kind == "company" else is_valid_national_id
        assert valid(customer.national_id), customer
    assert Counter(c.locale for c in dataset.customers).keys() == {"fa", "en"}
    assert Counter(c.kind for c in dataset.customers).keys() == {"company", "person"}


def test_the_dirt_real_systems_carry_is_there():
    dataset = generate(CONFIG)
    texts = [p.name for p in dataset.erp_parties] + [
        v for r in dataset.crm for v in r.properties.values()
    ]
    phones = [v for p in dataset.erp_parties for k, v in p.contacts if k in ("phone", "mobile")]
    phones += [r.properties.get("phone", "") for r in dataset.crm]
    assert any("ي" in t or "ك" in t for t in texts), "Arabic ي/ك variants"
    assert any(ZWNJ in t for t in texts) and any("نوین" in t and ZWNJ not in t for t in texts)
    assert any(set(t) & set(PERSIAN_DIGITS) for t in phones)
    assert any(set(t) & set(ARABIC_INDIC_DIGITS) for t in phones)
    for form in (r"^\+98", r"^0098", r"^09", r"^\+98 \d{3} "):
        assert any(re.match(form, p) for p in phones), form
    emails = [r.properties.get("email", "") for r in dataset.crm]
    assert any(e != e.lower() for e in emails), "e-mail case"
    assert any((e and "@" not in e) or "@@" in e for e in emails), "invalid e-mails"
    assert any(e == "" for e in emails), "missing e-mails"


def test_duplicates_exist_inside_each_system_and_across_them():
    dataset = generate(CONFIG)
    per_entity = Counter((g.system, g.entity_id) for g in dataset.ground_truth)
    assert any(n > 1 for (system, _), n in per_entity.items() if system == "erp")
    assert any(n > 1 for (system, _), n in per_entity.items() if system == "crm")
    systems_of = {}
    for g in dataset.ground_truth:
        systems_of.setdefault(g.entity_id, set()).add(g.system)
    assert sum(1 for s in systems_of.values() if s == {"crm", "erp"}) > len(systems_of) / 2


def test_history_pipeline_and_spend_cover_two_years():
    dataset = generate(CONFIG)
    dates = [s.sale_date for s in dataset.erp_sales]
    assert (max(dates) - min(dates)).days > 600
    assert any(len(s.payments) == 2 for s in dataset.erp_sales), "partial payments"
    assert any(s.shipped_on and not s.payments for s in dataset.erp_sales), "unpaid invoices"
    stages = Counter(r.properties["dealstage"] for r in dataset.crm if r.object_type == "deals")
    assert {"closedwon", "closedlost", "contractsent", "appointmentscheduled"} <= stages.keys()
    months = {m.month for m in dataset.marketing_spend}
    assert len(months) >= 24


def test_won_deals_and_erp_sales_share_the_reference_contract():
    dataset = generate(CONFIG)
    won = {
        r.id
        for r in dataset.crm
        if r.object_type == "deals" and r.properties["dealstage"] == "closedwon"
    }
    references = {s.reference for s in dataset.erp_sales if s.reference}
    assert references == {f"hubspot-deal:{deal_id}" for deal_id in won}


def test_files_are_written_with_ground_truth(tmp_path):
    dataset = generate(DemoConfig(seed=3, customers=30, as_of=date(2026, 11, 1)))
    counts = write_dataset(dataset, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["files"] == counts and manifest["customers"] == 30
    with (tmp_path / "ground_truth.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(dataset.ground_truth)
    assert set(rows[0]) == {"system", "object_type", "record_id", "entity_id"}
    lines = (tmp_path / "crm" / "companies.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == counts["crm/companies"]
    assert json.loads(lines[0])["properties"]["name"]


def test_every_phone_is_one_the_erp_accepts():
    # Tryton validates phones with libphonenumber; dirt must change the form, not the number.
    import phonenumbers

    dataset = generate(CONFIG)
    for party in dataset.erp_parties:
        for kind, value in party.contacts:
            if kind in ("phone", "mobile"):
                assert phonenumbers.is_valid_number(phonenumbers.parse(value, party.country)), value
