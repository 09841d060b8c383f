"""Writing the demand forecast to Tryton as confirmed stock forecasts (stock_forecast), which
its supply planning (stock_supply) turns into purchase or production requests."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any


class StockForecastWrites:
    """Part of TrytonWriter: needs its `session`, `_products` and `warehouse`."""

    session: Any
    _products: dict[str, dict[str, Any]]
    warehouse: Callable[..., int]

    def write_stock_forecast(
        self,
        from_date: date,
        to_date: date,
        quantities: dict[str, Decimal],
        warehouse_code: str = "WH",
    ) -> int:
        """Replace the forecast of (warehouse, customers, period) with these quantities and
        confirm it, so Tryton's supply planning counts it. Returns the forecast id."""
        warehouse = self.warehouse(warehouse_code)
        (customers,) = self.session.model(
            "stock.location", "search", [["type", "=", "customer"]], 0, 1, None
        )
        domain = [
            ["warehouse", "=", warehouse],
            ["destination", "=", customers],
            ["from_date", "=", from_date],
            ["to_date", "=", to_date],
            ["state", "!=", "cancelled"],
        ]
        lines = []
        for code, quantity in quantities.items():
            product = self._products.get(code)
            if product is None:
                raise LookupError(f"no salable ERP product with code {code!r}")
            lines.append(
                {
                    "product": product["id"],
                    "quantity": float(quantity),
                    "unit": product["default_uom"],
                    "minimal_quantity": 1.0,
                }
            )
        # A forecast whose period is over is inactive to Tryton, and still the one to replace.
        found = self.session.model(
            "stock.forecast", "search", domain, 0, 1, None, context={"active_test": False}
        )
        if found:
            (forecast,) = found
            (current,) = self.session.model(
                "stock.forecast", "read", [forecast], ["lines", "state"]
            )
            if current["state"] == "done":  # still draft when a crash came before confirm
                self.session.model("stock.forecast", "draft", [forecast])
            self.session.model(
                "stock.forecast",
                "write",
                [forecast],
                {"lines": [["delete", current["lines"]], ["create", lines]]},
            )
        else:
            (forecast,) = self.session.model(
                "stock.forecast",
                "create",
                [
                    {
                        "warehouse": warehouse,
                        "destination": customers,
                        "from_date": from_date,
                        "to_date": to_date,
                        "lines": [["create", lines]],
                    }
                ],
            )
        self.session.model("stock.forecast", "confirm", [forecast])
        return forecast
