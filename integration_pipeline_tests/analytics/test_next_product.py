"""Next-best products from co-purchases, and the best seller for a basket shared with nobody."""

import pandas as pd

from integration_pipeline.analytics.next_product import next_best_products


def test_co_purchase_first_best_seller_otherwise():
    lines = pd.DataFrame(
        [
            ("a", "tea"), ("a", "cups"),
            ("b", "tea"), ("b", "cups"),
            ("c", "tea"),
            ("d", "sugar"), ("e", "sugar"), ("f", "sugar"), ("f", "tea"),
            ("g", "tea"), ("g", "cups"), ("g", "sugar"),
        ],
        columns=["golden_id", "product_code"],
    )  # fmt: skip
    table = next_best_products(lines).set_index("golden_id")
    assert table.at["c", "next_best_product"] == "cups"  # tea buyers buy cups most
    assert table.at["c", "basis"] == "co-purchase"
    # g has everything: nothing to suggest.
    assert "g" not in table.index
    assert set(table.index) == {"a", "b", "c", "d", "e", "f"}
    assert all(
        (g, p) not in set(map(tuple, lines.to_numpy()))
        for g, p in table["next_best_product"].items()
    )


def test_a_lone_basket_gets_the_best_seller_it_lacks():
    lines = pd.DataFrame(
        [("a", "tea"), ("b", "tea"), ("c", "tea"), ("c", "cups"), ("d", "rare")],
        columns=["golden_id", "product_code"],
    )
    table = next_best_products(lines).set_index("golden_id")
    assert table.at["d", "next_best_product"] == "tea"
    assert table.at["d", "basis"] == "best seller"


def test_no_orders_no_suggestions():
    empty = pd.DataFrame({"golden_id": [], "product_code": []})
    assert next_best_products(empty).empty
