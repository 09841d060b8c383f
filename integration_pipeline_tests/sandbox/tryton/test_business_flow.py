"""Sale → shipment → invoice → payment through the real Tryton server of the sandbox."""

from decimal import Decimal

import pytest

from integration_pipeline.connectors.tryton.rpc import TrytonRPC, TrytonUserError, TrytonWarning

pytestmark = pytest.mark.slow


def _storage(rpc: TrytonRPC) -> list[int]:
    return rpc.model("stock.location", "search", [["code", "=", "STO"]], 0, 1, None)


def _on_hand(rpc: TrytonRPC, product: int) -> float:
    (row,) = rpc.model(
        "product.product", "read", [product], ["quantity"], context={"locations": _storage(rpc)}
    )
    return row["quantity"]


def _new_party(rpc: TrytonRPC, name: str, credit_limit: Decimal | None = None) -> tuple[int, int]:
    (country,) = rpc.model("country.country", "search", [["code", "=", "IR"]], 0, 1, None)
    values = {"name": name, "addresses": [["create", [{"city": "تهران", "country": country}]]]}
    if credit_limit is not None:
        values["credit_limit_amount"] = credit_limit
    (party,) = rpc.model("party.party", "create", [values])
    (read,) = rpc.model("party.party", "read", [party], ["addresses"])
    return party, read["addresses"][0]


def _sale(rpc: TrytonRPC, party: int, address: int, product: dict, quantity: float) -> int:
    taxes = rpc.model("account.tax", "search", [], 0, 1, None)
    (sale,) = rpc.model(
        "sale.sale",
        "create",
        [
            {
                "party": party,
                "invoice_address": address,
                "shipment_address": address,
                "reference": f"test:{party}",
                "lines": [
                    [
                        "create",
                        [
                            {
                                "product": product["id"],
                                "quantity": quantity,
                                "unit": product["default_uom"],
                                "unit_price": Decimal("1500000"),
                                "taxes": [["add", taxes]],
                            }
                        ],
                    ]
                ],
            }
        ],
    )
    return sale


def _pay(rpc: TrytonRPC, invoice: int, amount: Decimal) -> None:
    """Run the invoice's pay wizard as the Tryton client does."""
    session, start, _ = rpc.call("wizard.account.invoice.pay.create", rpc.context)
    context = {
        **rpc.context,
        "active_id": invoice,
        "active_ids": [invoice],
        "active_model": "account.invoice",
    }
    view = rpc.call("wizard.account.invoice.pay.execute", session, {}, start, context)
    form = {k: v for k, v in view["view"]["defaults"].items() if not k.endswith(".")}
    (method,) = rpc.model("account.invoice.payment.method", "search", [], 0, 1, None)
    form.update(payment_method=method, amount=amount, description="test payment")
    answer = rpc.call(
        "wizard.account.invoice.pay.execute", session, {"start": form}, "choice", context
    )
    if answer.get("view"):  # less than the amount due: Tryton asks how to treat the rest
        ask = {k: v for k, v in answer["view"]["defaults"].items() if not k.endswith(".")}
        ask["type"] = "partial"
        rpc.call(
            "wizard.account.invoice.pay.execute",
            session,
            {"start": form, "ask": ask},
            "pay",
            context,
        )
    rpc.call("wizard.account.invoice.pay.delete", session, context)


def test_sale_ships_invoices_and_is_paid(running_erp):
    with running_erp.rpc() as rpc:
        # The product the seeded warehouse holds most of (some end the history sold out).
        product = max(
            rpc.model(
                "product.product",
                "search_read",
                [["salable", "=", True]],
                0,
                None,
                None,
                ["default_uom", "quantity"],
                context={"locations": _storage(rpc)},
            ),
            key=lambda p: p["quantity"],
        )
        before = _on_hand(rpc, product["id"])
        assert before >= 3, "the seeded warehouse must hold stock to sell"
        party, address = _new_party(rpc, "Flow Test Co")

        sale = _sale(rpc, party, address, product, 3)
        rpc.model("sale.sale", "quote", [sale])
        rpc.model("sale.sale", "confirm", [sale])
        (state,) = rpc.model(
            "sale.sale", "read", [sale], ["state", "shipments", "invoices", "total_amount"]
        )
        assert state["state"] == "processing"
        assert len(state["shipments"]) == 1 and len(state["invoices"]) == 1
        assert state["total_amount"] == Decimal("4950000")  # 3 × 1,500,000 + 10 % VAT

        for transition in ("assign_try", "pick", "pack", "do"):
            rpc.model("stock.shipment.out", transition, state["shipments"])
        assert _on_hand(rpc, product["id"]) == before - 3

        rpc.model("account.invoice", "post", state["invoices"])
        (invoice,) = rpc.model("account.invoice", "read", state["invoices"], ["state", "number"])
        assert invoice["state"] == "posted" and invoice["number"]
        (receivable,) = rpc.model("party.party", "read", [party], ["receivable"])
        assert receivable["receivable"] == Decimal("4950000")

        _pay(rpc, state["invoices"][0], Decimal("2000000"))
        (receivable,) = rpc.model("party.party", "read", [party], ["receivable"])
        assert receivable["receivable"] == Decimal("2950000")
        _pay(rpc, state["invoices"][0], Decimal("2950000"))

        (invoice,) = rpc.model(
            "account.invoice", "read", state["invoices"], ["state", "amount_to_pay"]
        )
        assert invoice == {
            "id": state["invoices"][0],
            "state": "paid",
            "amount_to_pay": Decimal("0"),
        }
        (final,) = rpc.model(
            "sale.sale", "read", [sale], ["state", "invoice_state", "shipment_state"]
        )
        assert (final["state"], final["invoice_state"], final["shipment_state"]) == (
            "done",
            "paid",
            "sent",
        )


def test_credit_limit_comes_back_as_a_warning(running_erp):
    with running_erp.rpc() as rpc:
        (product,) = rpc.model(
            "product.product",
            "search_read",
            [["code", "=", "P-0002"]],
            0,
            1,
            None,
            ["default_uom"],
        )
        party, address = _new_party(rpc, "Tight Credit Ltd", credit_limit=Decimal("1000000"))
        sale = _sale(rpc, party, address, product, 2)
        rpc.model("sale.sale", "quote", [sale])
        with pytest.raises(TrytonWarning) as warning:
            rpc.model("sale.sale", "confirm", [sale])
        assert "credit" in warning.value.message.lower()
        (state,) = rpc.model("sale.sale", "read", [sale], ["state"])
        assert state["state"] == "quotation"


def test_business_errors_carry_the_erps_message(running_erp):
    with running_erp.rpc() as rpc, pytest.raises(TrytonUserError) as error:
        rpc.model(
            "party.party",
            "create",
            [
                {
                    "name": "Bad phone",
                    "contact_mechanisms": [
                        ["create", [{"type": "phone", "value": "12-not-a-phone"}]]
                    ],
                }
            ],
        )
    assert "12-not-a-phone" in error.value.message
