"""The CRM sandbox's durable state (SQLite), and the record operations HubSpot offers.

One connection, guarded by a lock: the sandbox serves one client process at a time well
enough, and every write is committed before the response is sent.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from integration_pipeline.sandbox.crm import schema
from integration_pipeline.sandbox.crm.errors import (
    conflict,
    invalid_properties,
    not_found,
    validation,
)
from integration_pipeline.sandbox.crm.search import SqlWindow
from integration_pipeline.sandbox.crm.values import iso_from_epoch_ms, normalise, now_iso

DDL = """
CREATE TABLE IF NOT EXISTS objects (
    object_type TEXT NOT NULL, id INTEGER NOT NULL, properties TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, archived INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT, PRIMARY KEY (object_type, id));
CREATE TABLE IF NOT EXISTS associations (
    from_type TEXT NOT NULL, from_id INTEGER NOT NULL, to_type TEXT NOT NULL,
    to_id INTEGER NOT NULL, category TEXT NOT NULL, type_id INTEGER NOT NULL, label TEXT,
    PRIMARY KEY (from_type, from_id, to_type, to_id, category, type_id));
CREATE TABLE IF NOT EXISTS properties (
    object_type TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL,
    PRIMARY KEY (object_type, name));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS objects_email ON objects (
    object_type, lower(json_extract(properties, '$.email'))) WHERE archived = 0;
CREATE INDEX IF NOT EXISTS objects_sku ON objects (
    object_type, lower(json_extract(properties, '$.hs_sku'))) WHERE archived = 0;
CREATE INDEX IF NOT EXISTS objects_modified ON objects (object_type, archived, updated_at);
"""
# The columns `_record` turns into a HubSpot record, in its order.
RECORD_COLUMNS = "id, properties, created_at, updated_at, archived, archived_at"
FIRST_ID = 90_000_000  # ids the server assigns start above the demo data's ranges


class CrmStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(DDL)
        self._lock = threading.RLock()
        self._depth = 0
        self._properties: dict[str, dict[str, dict[str, Any]]] = {}
        with self.transaction():
            self._install_default_properties()
            self._load_properties()

    # -- infrastructure ---------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested, a savepoint (one batch input fails alone)."""
        with self._lock:
            depth = self._depth
            self._depth += 1
            self._db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT s{depth}")
            try:
                yield self._db
                self._db.execute("COMMIT" if depth == 0 else f"RELEASE s{depth}")
            except BaseException:
                if depth == 0:
                    self._db.execute("ROLLBACK")
                else:
                    self._db.execute(f"ROLLBACK TO s{depth}")
                    self._db.execute(f"RELEASE s{depth}")
                raise
            finally:
                self._depth -= 1

    def close(self) -> None:
        self._db.close()

    def _next_id(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        value = int(row[0]) if row else FIRST_ID
        self._db.execute(
            "INSERT INTO meta VALUES ('next_id', ?) ON CONFLICT(key) DO UPDATE SET value = ?",
            (str(value + 1), str(value + 1)),
        )
        return value

    # -- properties -------------------------------------------------------------------
    def _install_default_properties(self) -> None:
        for object_type, names in schema.DEFAULT_PROPERTIES.items():
            for name in names:
                field_type = (
                    "number"
                    if name in schema.NUMBER_PROPERTIES
                    else ("datetime" if name in schema.DATETIME_PROPERTIES else "string")
                )
                definition = {
                    "name": name,
                    "label": name,
                    "type": field_type,
                    "fieldType": "number" if field_type == "number" else "text",
                    "groupName": f"{object_type[:-1]}information",
                    "hubspotDefined": True,
                    "hasUniqueValue": name in schema.UNIQUE_PROPERTIES.get(object_type, set()),
                    "modificationMetadata": {"readOnlyValue": name in schema.READ_ONLY},
                }
                self._db.execute(
                    "INSERT OR IGNORE INTO properties VALUES (?, ?, ?)",
                    (object_type, name, json.dumps(definition)),
                )

    def _load_properties(self) -> None:
        self._properties = {t: {} for t in schema.OBJECT_TYPES}
        for object_type, name, definition in self._db.execute(
            "SELECT * FROM properties"
        ).fetchall():
            self._properties[object_type][name] = json.loads(definition)
            if self._properties[object_type][name].get("hasUniqueValue"):
                self._index_unique(name)

    def _index_unique(self, name: str) -> None:
        """An index for a unique property's lookups (upserts by it, the uniqueness check), as
        HubSpot has: without it each write scans every record of the type."""
        if name.isidentifier():  # property names are; anything else is left unindexed
            self._db.execute(
                f"CREATE INDEX IF NOT EXISTS objects_unique_{name} ON objects (object_type, "
                f"lower(json_extract(properties, '$.{name}'))) WHERE archived = 0"
            )

    def properties(self, object_type: str) -> dict[str, dict[str, Any]]:
        return self._properties[object_type]

    def create_property(self, object_type: str, definition: dict[str, Any]) -> dict[str, Any]:
        name = definition.get("name")
        if not name or not isinstance(name, str):
            raise validation(
                "Property name is required",
                [{"message": "name is required", "code": "REQUIRED_FIELD", "in": "name"}],
            )
        with self.transaction():
            if name in self._properties[object_type]:
                raise conflict(f"A property named '{name}' already exists.")
            stored = {
                "label": name,
                "type": "string",
                "fieldType": "text",
                "groupName": f"{object_type[:-1]}information",
                **definition,
                "hubspotDefined": False,
                "modificationMetadata": {"readOnlyValue": False},
            }
            stored.setdefault("hasUniqueValue", False)
            self._db.execute(
                "INSERT INTO properties VALUES (?, ?, ?)", (object_type, name, json.dumps(stored))
            )
            self._properties[object_type][name] = stored
            if stored["hasUniqueValue"]:
                self._index_unique(name)
        return stored

    def delete_property(self, object_type: str, name: str) -> None:
        with self.transaction():
            definition = self._properties[object_type].get(name)
            if definition is None:
                raise not_found(f"Unable to find property {name} for object type {object_type}")
            if definition.get("hubspotDefined"):
                raise validation(f"Cannot delete HubSpot-defined property {name}")
            self._db.execute(
                "DELETE FROM properties WHERE object_type = ? AND name = ?", (object_type, name)
            )
            del self._properties[object_type][name]

    def check_values(self, object_type: str, values: dict[str, Any]) -> dict[str, str]:
        if not isinstance(values, dict):
            raise validation("properties must be an object of property names to values")
        known = self._properties[object_type]
        problems = [
            (n, "PROPERTY_DOESNT_EXIST", f'Property "{n}" does not exist')
            for n in values
            if n not in known
        ] or [
            (n, "READ_ONLY_VALUE", f"{n} is a read only property")
            for n in values
            if known[n].get("modificationMetadata", {}).get("readOnlyValue")
        ]
        if problems:
            raise invalid_properties(problems)
        return {n: normalise(n, v, known[n].get("type", "string")) for n, v in values.items()}

    # -- records ----------------------------------------------------------------------
    def _row(self, object_type: str, record_id: int) -> tuple | None:
        return self._db.execute(
            f"SELECT {RECORD_COLUMNS} FROM objects WHERE object_type = ? AND id = ?",
            (object_type, record_id),
        ).fetchone()

    @staticmethod
    def _record(row: tuple) -> dict[str, Any]:
        record_id, properties, created_at, updated_at, archived, archived_at = row
        record = {
            "id": str(record_id),
            "properties": json.loads(properties),
            "createdAt": created_at,
            "updatedAt": updated_at,
            "archived": bool(archived),
        }
        if archived:
            record["archivedAt"] = archived_at
        return record

    def _unique_owner(self, object_type: str, name: str, value: str) -> int | None:
        # The path is spelled out (not bound) so that the expression indexes above apply;
        # property names are checked against the registry, and quotes are doubled anyway.
        path = "'$." + name.replace("'", "''") + "'"
        row = self._db.execute(
            "SELECT id FROM objects WHERE object_type = ? AND archived = 0 AND "
            f"lower(json_extract(properties, {path})) = lower(?)",
            (object_type, value),
        ).fetchone()
        return row[0] if row else None

    def _check_unique(self, object_type: str, values: dict[str, str], own_id: int | None) -> None:
        for name in schema.UNIQUE_PROPERTIES.get(object_type, set()) | {
            n for n, d in self._properties[object_type].items() if d.get("hasUniqueValue")
        }:
            value = values.get(name)
            if value:
                owner = self._unique_owner(object_type, name, value)
                if owner is not None and owner != own_id:
                    raise conflict(
                        f"A {object_type[:-1]} with {name} '{value}' already exists."
                        f" Existing ID: {owner}"
                    )

    def insert(
        self,
        object_type: str,
        values: dict[str, str],
        record_id: int | None = None,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """Create a record from checked values (inside a transaction)."""
        self._check_unique(object_type, values, None)
        record_id = record_id or self._next_id()
        stamp = now_iso()
        created = created_at or values.get("createdate") or stamp
        properties = {
            **{k: v for k, v in values.items() if v != ""},
            "hs_object_id": str(record_id),
            "createdate": created,
            schema.last_modified_property(object_type): stamp,
        }
        self._db.execute(
            "INSERT INTO objects VALUES (?, ?, ?, ?, ?, 0, NULL)",
            (object_type, record_id, json.dumps(properties, ensure_ascii=False), created, stamp),
        )
        return self._record(self._row(object_type, record_id))

    def find(
        self, object_type: str, key: str, id_property: str | None = None, archived: bool = False
    ) -> dict[str, Any] | None:
        if id_property and id_property != "hs_object_id":
            if id_property not in self._properties[object_type]:
                raise validation(f"Property {id_property} does not exist for {object_type}")
            record_id = self._unique_owner(object_type, id_property, key)
            if record_id is None:
                return None
        else:
            if not key.isdigit():
                return None
            record_id = int(key)
        row = self._row(object_type, record_id)
        if row is None or bool(row[4]) != archived:
            return None
        return self._record(row)

    def patch(self, object_type: str, record_id: int, values: dict[str, str]) -> dict[str, Any]:
        row = self._row(object_type, record_id)
        if row is None or row[4]:
            raise not_found(f"resource not found: {object_type} {record_id}")
        self._check_unique(object_type, values, record_id)
        properties = json.loads(row[1])
        for name, value in values.items():
            if value == "":
                properties.pop(name, None)  # "" clears a value
            else:
                properties[name] = value
        stamp = now_iso()
        properties[schema.last_modified_property(object_type)] = stamp
        self._db.execute(
            "UPDATE objects SET properties = ?, updated_at = ? WHERE object_type = ? AND id = ?",
            (json.dumps(properties, ensure_ascii=False), stamp, object_type, record_id),
        )
        return self._record(self._row(object_type, record_id))

    def archive(self, object_type: str, record_id: int) -> bool:
        # HubSpot leaves the last-modified date alone: deletes must be read with archived=true.
        cursor = self._db.execute(
            "UPDATE objects SET archived = 1, archived_at = ? WHERE object_type = ? AND id = ? "
            "AND archived = 0",
            (now_iso(), object_type, record_id),
        )
        return cursor.rowcount == 1

    def merge(self, object_type: str, primary_id: int, merged_id: int) -> dict[str, Any]:
        """HubSpot's merge: the primary keeps its values and gains the ones it lacks, takes
        over the other record's associations, and the other record is archived."""
        if primary_id == merged_id:
            raise validation("a record cannot be merged into itself")
        rows = {i: self._row(object_type, i) for i in (primary_id, merged_id)}
        for record_id, row in rows.items():
            if row is None or row[4]:
                raise not_found(f"resource not found: {object_type} {record_id}")
        primary = json.loads(rows[primary_id][1])
        merged = json.loads(rows[merged_id][1])
        self.archive(object_type, merged_id)
        for to_type, to_id, category, type_id, label in self._db.execute(
            "SELECT to_type, to_id, category, type_id, label FROM associations "
            "WHERE from_type = ? AND from_id = ?",
            (object_type, merged_id),
        ).fetchall():
            self.associate(object_type, primary_id, to_type, to_id, category, type_id, label)
        gained = {k: v for k, v in merged.items() if v not in (None, "") and not primary.get(k)}
        gained.pop(schema.last_modified_property(object_type), None)
        gained.pop("hs_object_id", None)
        earlier = primary.get("hs_merged_object_ids")
        gained["hs_merged_object_ids"] = f"{earlier};{merged_id}" if earlier else str(merged_id)
        return self.patch(object_type, primary_id, gained)

    def page(self, object_type: str, after: int, limit: int, archived: bool) -> list[dict]:
        rows = self._db.execute(
            f"SELECT {RECORD_COLUMNS} FROM objects "
            "WHERE object_type = ? AND archived = ? AND id > ? ORDER BY id LIMIT ?",
            (object_type, int(archived), after, limit),
        ).fetchall()
        return [self._record(r) for r in rows]

    def all_active(self, object_type: str, modified_since_ms: int | None = None) -> list[dict]:
        """Live records, or only those last modified at or after `modified_since_ms`
        (`updated_at` is the last-modified property's value: both are stamped together, in
        one fixed-width ISO form that sorts as time does)."""
        since = "" if modified_since_ms is None else iso_from_epoch_ms(modified_since_ms)
        rows = self._db.execute(
            f"SELECT {RECORD_COLUMNS} FROM objects "
            "WHERE object_type = ? AND archived = 0 AND updated_at >= ? ORDER BY id",
            (object_type, since),
        ).fetchall()
        return [self._record(r) for r in rows]

    def search_window(
        self, object_type: str, window: SqlWindow, limit: int, offset: int
    ) -> tuple[int, list[dict]]:
        """(how many live records match, the page asked for), in SQL."""
        where = f"object_type = ? AND archived = 0 AND {window.where}"
        params = [object_type, *window.params]
        (total,) = self._db.execute(
            f"SELECT count(*) FROM objects WHERE {where}", params
        ).fetchone()
        rows = self._db.execute(
            f"SELECT {RECORD_COLUMNS} FROM objects WHERE {where} "
            f"ORDER BY {window.order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return total, [self._record(r) for r in rows]

    def count(self, object_type: str) -> int:
        return self._db.execute(
            "SELECT count(*) FROM objects WHERE object_type = ?", (object_type,)
        ).fetchone()[0]

    # -- associations -----------------------------------------------------------------
    def associate(
        self,
        from_type: str,
        from_id: int,
        to_type: str,
        to_id: int,
        category: str = "HUBSPOT_DEFINED",
        type_id: int | None = None,
        label: str | None = None,
        both_ways: bool = True,
    ) -> None:
        for kind, record_id in ((from_type, from_id), (to_type, to_id)):
            row = self._row(kind, record_id)
            if row is None or row[4]:
                raise not_found(f"No {kind} with ID {record_id} exists")
        type_id = type_id or schema.DEFAULT_ASSOCIATIONS.get((from_type, to_type))
        if type_id is None:
            raise validation(f"{from_type} cannot be associated with {to_type}")
        self._db.execute(
            "INSERT OR IGNORE INTO associations VALUES (?, ?, ?, ?, ?, ?, ?)",
            (from_type, from_id, to_type, to_id, category, type_id, label),
        )
        if both_ways:
            reverse = schema.DEFAULT_ASSOCIATIONS.get((to_type, from_type))
            if reverse is not None:
                self._db.execute(
                    "INSERT OR IGNORE INTO associations VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (to_type, to_id, from_type, from_id, "HUBSPOT_DEFINED", reverse, None),
                )

    def dissociate(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        for a, ai, b, bi in (
            (from_type, from_id, to_type, to_id),
            (to_type, to_id, from_type, from_id),
        ):
            self._db.execute(
                "DELETE FROM associations WHERE from_type = ? AND from_id = ? AND "
                "to_type = ? AND to_id = ?",
                (a, ai, b, bi),
            )

    def associations(self, from_type: str, from_id: int, to_type: str) -> list[dict[str, Any]]:
        grouped: dict[int, list[dict]] = {}
        for to_id, category, type_id, label in self._db.execute(
            "SELECT a.to_id, a.category, a.type_id, a.label FROM associations a "
            "JOIN objects o ON o.object_type = a.to_type AND o.id = a.to_id AND o.archived = 0 "
            "WHERE a.from_type = ? AND a.from_id = ? AND a.to_type = ? ORDER BY a.to_id",
            (from_type, from_id, to_type),
        ):
            grouped.setdefault(to_id, []).append(
                {"category": category, "typeId": type_id, "label": label}
            )
        return [{"toObjectId": k, "associationTypes": v} for k, v in grouped.items()]
