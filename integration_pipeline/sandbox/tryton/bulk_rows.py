"""Rows for Tryton's tables, collected in memory and written with one INSERT per table.

The bulk seeding path (bulk_seed.py) writes what Tryton's business methods would have
written; this module only holds the rows, hands out ids and writes them through Tryton's
own connection, so the backend's adapters (Decimal, date) store values as the ORM does.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sql import Table
from trytond.transaction import Transaction

AUDIT_USER = 1  # the admin user the ORM path runs as (create_uid)


class TableRows:
    """Rows per table with ids taken after the table's current maximum."""

    def __init__(self) -> None:
        self._rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._next_id: dict[str, int] = {}
        self._created = datetime.now()

    def add(self, table: str, **values: Any) -> dict[str, Any]:
        """A new row with its id; the caller may fill it in further until `write`."""
        if table not in self._next_id:
            self._next_id[table] = _max_id(table) + 1
        row = {"id": self._next_id[table], **values}
        self._next_id[table] += 1
        self._rows[table].append(row)
        return row

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self._rows[table]

    def write(self, order: list[str]) -> dict[str, int]:
        """Insert every table's rows, tables in `order` (PostgreSQL checks each foreign key
        as the row goes in); returns the count per table."""
        unordered = set(self._rows) - set(order)
        if unordered:
            raise ValueError(f"tables missing from the insert order: {sorted(unordered)}")
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        counts = {}
        for name in order:
            rows = self._rows.get(name)
            if not rows:
                continue
            columns = sorted({key for row in rows for key in row})
            table = Table(name)
            audit = {"create_date": self._created, "create_uid": AUDIT_USER}
            values = [[{**audit, **row}.get(c) for c in [*columns, *audit]] for row in rows]
            query = table.insert([getattr(table, c) for c in [*columns, *audit]], [values[0]])
            sql, _ = tuple(query)
            cursor.executemany(sql, values)
            # PostgreSQL hands out ids from a sequence the explicit ids did not advance;
            # Tryton's setnextid takes the last id used.
            transaction.database.setnextid(transaction.connection, name, self._next_id[name] - 1)
            counts[name] = len(rows)
        return counts


def _max_id(table: str) -> int:
    cursor = Transaction().connection.cursor()
    cursor.execute(f'SELECT MAX(id) FROM "{table}"')
    (value,) = cursor.fetchone()
    return value or 0
