"""Property values as HubSpot treats them: strings on the wire, typed for comparison."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integration_pipeline.sandbox.crm.errors import invalid_properties
from integration_pipeline.sandbox.crm.schema import DATETIME_PROPERTIES, NUMBER_PROPERTIES


def now_iso() -> str:
    return iso_from_datetime(datetime.now(UTC))


def iso_from_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_from_epoch_ms(epoch_ms: int) -> str:
    return iso_from_datetime(datetime.fromtimestamp(epoch_ms / 1000, UTC))


def to_epoch_ms(value: str) -> int | None:
    """A datetime property as epoch milliseconds (accepts ISO-8601, a date, or epoch ms)."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def normalise(name: str, value: Any, field_type: str) -> str:
    """Check one written value and return it as stored (a string)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise invalid_properties(
            [(name, "INVALID_VALUE", f"{value!r} is not a valid value for {name}")]
        )
    if value == "":
        return ""
    if field_type == "number" or name in NUMBER_PROPERTIES:
        try:
            Decimal(value)
        except InvalidOperation:
            raise invalid_properties(
                [(name, "INVALID_DECIMAL", f"{value} is not a valid number")]
            ) from None
    if field_type == "datetime" or name in DATETIME_PROPERTIES:
        epoch = to_epoch_ms(value)
        if epoch is None:
            raise invalid_properties([(name, "INVALID_DATE", f"{value} is not a valid datetime")])
        return iso_from_datetime(datetime.fromtimestamp(epoch / 1000, UTC))
    return value


def comparable(name: str, value: str, field_type: str) -> Any:
    """A value as search compares it: numbers and datetimes numerically, text case-blind."""
    if value in ("", None):
        return None
    if field_type == "datetime" or name in DATETIME_PROPERTIES:
        return to_epoch_ms(value)
    if field_type == "number" or name in NUMBER_PROPERTIES or name == "hs_object_id":
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return value.lower()
