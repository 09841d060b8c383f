"""Next-best product per customer from co-purchase patterns: the product most often bought
by the customers who bought what this customer bought, and that it has not bought yet;
the best seller it lacks when it shares no basket with anyone."""

import pandas as pd


def next_best_products(order_lines: pd.DataFrame) -> pd.DataFrame:
    """`order_lines`: golden_id, product_code. One row per customer: golden_id,
    next_best_product, basis ('co-purchase' | 'best seller')."""
    owned = order_lines[["golden_id", "product_code"]].drop_duplicates()
    if owned.empty:
        return pd.DataFrame(columns=["golden_id", "next_best_product", "basis"])
    popularity = owned["product_code"].value_counts()
    pairs = owned.merge(owned, on="golden_id", suffixes=("", "_other"))
    pairs = pairs[pairs["product_code"] != pairs["product_code_other"]]
    # How many customers bought both; lift-like normalisation keeps best sellers from
    # winning every basket.
    together = pairs.groupby(["product_code", "product_code_other"]).size().rename("both")
    together = together.reset_index()
    together["score"] = together["both"] / together["product_code_other"].map(popularity) ** 0.5
    candidates = owned.merge(together, on="product_code")
    mine = set(zip(owned["golden_id"], owned["product_code"], strict=True))
    candidates = candidates[
        [
            (g, p) not in mine
            for g, p in zip(candidates["golden_id"], candidates["product_code_other"], strict=True)
        ]
    ]
    scored = (
        candidates.groupby(["golden_id", "product_code_other"])["score"]
        .sum()
        .reset_index()
        .sort_values(["golden_id", "score", "product_code_other"], ascending=[True, False, True])
        .drop_duplicates("golden_id")
        .rename(columns={"product_code_other": "next_best_product"})
    )
    scored["basis"] = "co-purchase"
    rows = [scored[["golden_id", "next_best_product", "basis"]]]
    rest = sorted(set(owned["golden_id"]) - set(scored["golden_id"]))
    ranked = list(popularity.sort_values(ascending=False, kind="stable").index)
    bought = owned.groupby("golden_id")["product_code"].agg(set)
    fallback = []
    for customer in rest:
        best = next((p for p in ranked if p not in bought[customer]), None)
        if best is not None:
            fallback.append((customer, best, "best seller"))
    rows.append(pd.DataFrame(fallback, columns=["golden_id", "next_best_product", "basis"]))
    return pd.concat(rows, ignore_index=True)
