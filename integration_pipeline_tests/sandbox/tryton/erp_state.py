"""A Tryton SQLite database's state in a form that two builds can be compared in.

Ids differ between two builds that did the same things in another order, so the tables the
sale flow writes are renumbered by content: each table, in dependency order, has its
references (many-to-one columns and "model,id" reference fields) replaced by the canonical
numbers of the rows they point at, and is then numbered by sorting its rows. Every other
table keeps its ids (both builds make them the same way). Audit columns (who and when) are
left out, and dates equal to the build day are written as "<build day>".
"""

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

AUDIT = {"id", "create_date", "create_uid", "write_date", "write_uid"}
# Process records, not business state: the bulk path writes none (see bulk_seed.py).
NOT_STATE = {"ir_model_log", "ir_queue", "ir_cache", "ir_session", "sqlite_sequence"}
# What differs between any two trytond-admin runs: salted hashes, random uuids, and module
# ids that follow the order of a Python set.
RANDOM_PER_BUILD = {
    "res_user": {"password_hash"},
    "ir_avatar": {"uuid"},
    "ir_module_dependency": {"module"},
}

# The tables the sale flow writes, in an order where every reference points backwards,
# with the columns that refer to others of them. Cycles are broken by a later pass:
# an outgoing stock move before the inventory move made from it, invoices before their
# account move (`account_invoice.move` is compared after the moves are numbered).
FLOW: list[tuple[str, str | None, dict[str, str]]] = [
    ("sale_sale", None, {}),
    ("sale_line", None, {"sale": "sale_sale"}),
    ("sale_line-account_tax", None, {"line": "sale_line"}),
    ("stock_shipment_out", None, {}),
    ("stock_move", "origin LIKE 'sale.line,%'", {"shipment": "", "origin": ""}),
    ("stock_move", "origin LIKE 'stock.move,%'", {"shipment": "", "origin": ""}),
    ("account_invoice", None, {"move": "-"}),
    ("account_invoice_line", None, {"invoice": "account_invoice", "origin": ""}),
    ("account_invoice_line-account_tax", None, {"line": "account_invoice_line"}),
    (
        "account_invoice_line-stock_move",
        None,
        {"invoice_line": "account_invoice_line", "stock_move": "stock_move"},
    ),
    ("account_invoice_tax", None, {"invoice": "account_invoice"}),
    ("account_move", None, {"origin": ""}),
    ("account_move_reconciliation", None, {}),
    (
        "account_move_line",
        None,
        {"move": "account_move", "origin": "", "reconciliation": "account_move_reconciliation"},
    ),
    ("account_tax_line", None, {"move_line": "account_move_line"}),
    (
        "account_invoice-account_move_line",
        None,
        {"invoice": "account_invoice", "line": "account_move_line"},
    ),
    ("account_invoice", None, {"move": "account_move"}),
]


def _reference_table(value: str) -> str:
    return value.split(",", 1)[0].replace(".", "_")


class _Canonical:
    def __init__(self, connection: sqlite3.Connection, build_day: date) -> None:
        self.connection = connection
        self.build_day = build_day.isoformat()
        self.numbers: dict[str, dict[int, int]] = {}

    def value(self, table_of: Callable[[Any], str | None], value: Any) -> Any:
        table = None if value is None else table_of(value)
        if table is None:
            return "<build day>" if value == self.build_day else value
        if isinstance(value, str):  # "model,id"
            row_id = int(value.split(",", 1)[1])
            return f"{table}#{self.numbers.get(table, {}).get(row_id, '?')}"
        return f"{table}#{self.numbers.get(table, {}).get(value, '?')}"

    def rows(self, table: str, where: str | None, refs: dict[str, str]) -> list[tuple]:
        cursor = self.connection.execute(
            f'SELECT * FROM "{table}"' + (f" WHERE {where}" if where else "")
        )
        names = [d[0] for d in cursor.description]
        keyed = []
        for raw in cursor:
            row = dict(zip(names, raw, strict=True))
            content = []
            for name in sorted(set(names) - AUDIT - RANDOM_PER_BUILD.get(table, set())):
                target = refs.get(name)
                if target == "-":
                    continue
                if target == "":  # a reference field: "model,id"
                    table_of = _reference_table
                else:
                    table_of = (lambda _v, t=target: t) if target else (lambda _v: None)
                content.append((name, self.value(table_of, row[name])))
            keyed.append((tuple(content), row["id"]))
        keyed.sort(key=lambda item: repr(item[0]))
        numbers = self.numbers.setdefault(table, {})
        for _content, row_id in keyed:
            numbers.setdefault(row_id, len(numbers))
        return [content for content, _ in keyed]


def erp_state(database: Path, build_day: date) -> dict[str, list[tuple]]:
    """Every table's rows (sale flow tables renumbered), keyed by table (and pass)."""
    connection = sqlite3.connect(database)
    try:
        canonical = _Canonical(connection, build_day)
        state: dict[str, list[tuple]] = {}
        for number, (table, where, refs) in enumerate(FLOW):
            state[f"{number:02d} {table} {where or ''}".strip()] = canonical.rows(
                table, where, refs
            )
        flow_tables = {table for table, _, _ in FLOW}
        names = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in names.fetchall():
            if table in flow_tables or table in NOT_STATE:
                continue
            state[table] = canonical.rows(table, None, {})
        return state
    finally:
        connection.close()
