"""Tryton's JSON-RPC encoding of values JSON has no type for (Decimal, date, datetime)."""

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, datetime):
        return {
            "__class__": "datetime",
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, bytes):
        return {"__class__": "bytes", "base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("__class__")
        if kind == "Decimal":
            return Decimal(value["decimal"])
        if kind == "date":
            return date(value["year"], value["month"], value["day"])
        if kind == "datetime":
            return datetime(
                value["year"],
                value["month"],
                value["day"],
                value.get("hour", 0),
                value.get("minute", 0),
                value.get("second", 0),
                value.get("microsecond", 0),
            )
        if kind == "bytes":
            return base64.b64decode(value["base64"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
