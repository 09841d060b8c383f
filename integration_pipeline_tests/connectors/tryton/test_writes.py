"""Business writes through the real Tryton server, on SQLite and on PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest

from integration_pipeline.connectors.tryton.rpc import TrytonUnavailable
from integration_pipeline.connectors.tryton.session import TrytonSession
from integration_pipeline.connectors.tryton.writes import (
    AddressWrite,
    PartyWrite,
    SaleLineWrite,
    SaleStatus,
    SaleWrite,
    TrytonWriter,
)
from integration_pipeline_tests.conftest import free_port, session_of

pytestmark = pytest.mark.slow

TEHRAN = AddressWrite("خیابان ولیعصر ۱۲", "تهران", "1596836511", "IR")


def _party(code: str, name: str = "Kaveh Trading") -> PartyWrite:
    return PartyWrite(
        code, name, contacts=(("email", f"{code.lower()}@example.ir"),), address=TEHRAN
    )


def _sale(reference: str, party_code: str, product_code: str, quantity: str = "2") -> SaleWrite:
    line = SaleLineWrite(product_code, Decimal(quantity), Decimal("1250000"))
    return SaleWrite(reference, party_code, date(2026, 11, 20), (line,))


def _product_code(writer: TrytonWriter) -> str:
    return sorted(writer._products)[0]


def test_parties_are_created_once_and_updated_by_code(erp):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        first = writer.upsert_parties([_party("HS-1"), _party("HS-2", "Sara Ahmadi")])
        again = writer.upsert_parties([_party("HS-1", "Kaveh Trading Co")])
        assert again["HS-1"] == first["HS-1"]
        rows = session.model(
            "party.party",
            "search_read",
            [["code", "in", ["HS-1", "HS-2"]]],
            0,
            None,
            None,
            ["code", "name", "contact_mechanisms"],
        )
        by_code = {r["code"]: r for r in rows}
        assert len(rows) == 2 and by_code["HS-1"]["name"] == "Kaveh Trading Co"
        assert len(by_code["HS-1"]["contact_mechanisms"]) == 1  # not added twice


def test_a_sale_is_created_once_per_reference_and_confirmed(erp):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        writer.upsert_parties([_party("HS-10")])
        product = _product_code(writer)
        sales = [_sale(f"hubspot-deal:{n}", "HS-10", product) for n in (101, 102)]
        first = writer.place_sales(sales)
        assert [r.status for r in first] == [SaleStatus.SYNCED] * 2
        assert all(r.created and r.number and r.state == "processing" for r in first)
        assert {r.shipment_state for r in first} == {"waiting"}
        # A rerun (after a crash, say) finds them by reference and creates nothing.
        rerun = writer.place_sales(sales)
        assert [(r.sale_id, r.created) for r in rerun] == [(r.sale_id, False) for r in first]
        count = session.model(
            "sale.sale", "search_count", [["reference", "in", [s.reference for s in sales]]]
        )
        assert count == 2


def test_over_the_credit_limit_the_sale_waits_as_a_quotation(erp):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        party_id = writer.upsert_parties([_party("HS-20")])["HS-20"]
        session.model(
            "party.party", "write", [party_id], {"credit_limit_amount": Decimal("1000000")}
        )
        product = _product_code(writer)
        ok, over = writer.place_sales(
            [
                _sale("hubspot-deal:201", "HS-10-missing", product),
                _sale("hubspot-deal:202", "HS-20", product),
            ]
        )
        assert ok.status is SaleStatus.REJECTED and "HS-10-missing" in ok.message
        assert over.status is SaleStatus.ON_HOLD_CREDIT and over.state == "quotation"
        assert "credit limit" in over.message
        # The cause clears (the limit is raised): the same call now confirms it.
        session.model("party.party", "write", [party_id], {"credit_limit_amount": None})
        (cleared,) = writer.place_sales([_sale("hubspot-deal:202", "HS-20", product)])
        assert cleared.status is SaleStatus.SYNCED and cleared.sale_id == over.sale_id
        assert cleared.state == "processing" and not cleared.created


def test_a_business_refusal_carries_the_erps_message(erp):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        writer.upsert_parties([PartyWrite("HS-30", "No Address Ltd")])
        (result,) = writer.place_sales([_sale("hubspot-deal:301", "HS-30", _product_code(writer))])
        assert result.status is SaleStatus.REJECTED
        assert "no address" in result.message
        (unknown,) = writer.place_sales([_sale("hubspot-deal:302", "HS-30", "NO-SUCH-CODE")])
        assert unknown.status is SaleStatus.REJECTED and "NO-SUCH-CODE" in unknown.message


def test_stock_forecasts_are_written_and_replaced(erp):
    with session_of(erp) as session:
        writer = TrytonWriter(session)
        product = _product_code(writer)
        week = (date(2026, 12, 7), date(2026, 12, 13))
        first = writer.write_stock_forecast(*week, {product: Decimal(12)})
        second = writer.write_stock_forecast(*week, {product: Decimal(30)})
        assert first == second
        (forecast,) = session.model("stock.forecast", "read", [first], ["state", "lines"])
        lines = session.model("stock.forecast.line", "read", forecast["lines"], ["quantity"])
        assert forecast["state"] == "done" and [line["quantity"] for line in lines] == [30.0]
        # A crash between create and confirm leaves a draft: found, filled and confirmed.
        crashed = (date(2026, 12, 14), date(2026, 12, 20))
        warehouse = writer.warehouse("WH")
        (customers,) = session.model(
            "stock.location", "search", [["type", "=", "customer"]], 0, 1, None
        )
        (draft,) = session.model(
            "stock.forecast",
            "create",
            [{"warehouse": warehouse, "destination": customers, "from_date": crashed[0],
              "to_date": crashed[1]}],
        )  # fmt: skip
        assert writer.write_stock_forecast(*crashed, {product: Decimal(5)}) == draft
        (state,) = session.model("stock.forecast", "read", [draft], ["state"])
        assert state["state"] == "done"
        # A week that is over is inactive to Tryton: still found and replaced, not doubled.
        past = (date(2025, 3, 3), date(2025, 3, 9))
        assert writer.write_stock_forecast(*past, {product: Decimal(1)}) == (
            writer.write_stock_forecast(*past, {product: Decimal(2)})
        )


def test_an_expired_session_logs_in_again(running_erp):
    with session_of(running_erp) as session:
        session.model("party.party", "search_count", [])
        session.logout()
        assert session.model("party.party", "search_count", []) > 0
        assert session.logins == 2


def test_an_erp_that_is_down_fails_clearly_after_bounded_retries():
    waits: list[float] = []
    port = free_port()
    session = TrytonSession(f"http://127.0.0.1:{port}", "db", "admin", "x", sleep=waits.append)
    with pytest.raises(TrytonUnavailable) as error:
        session.model("party.party", "search_count", [])
    assert waits == [0.5, 1.0, 2.0]
    assert f"127.0.0.1:{port} did not answer after 4 attempts" in str(error.value)
    assert "sandbox up" in str(error.value)
