"""HubSpot's error bodies: {status, message, correlationId, category, errors?, context?}."""

import json
import uuid
from typing import Any


class HubSpotError(Exception):
    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.extra = status, category, message, extra

    def body(self) -> dict[str, Any]:
        return {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
            **self.extra,
        }


def validation(message: str, errors: list[dict] | None = None) -> HubSpotError:
    extra = {"errors": errors} if errors else {}
    return HubSpotError(400, "VALIDATION_ERROR", message, **extra)


def invalid_properties(problems: list[tuple[str, str, str]]) -> HubSpotError:
    """400 for property values HubSpot refuses; `problems` are (property, code, message)."""
    details = [
        {"isValid": False, "message": message, "error": code, "name": name}
        for name, code, message in problems
    ]
    return validation(
        f"Property values were not valid: {json.dumps(details, ensure_ascii=False)}",
        [
            {"message": message, "code": code, "context": {"propertyName": [name]}}
            for name, code, message in problems
        ],
    )


def not_found(message: str) -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", message)


def conflict(message: str) -> HubSpotError:
    return HubSpotError(409, "CONFLICT", message)


def unauthorized() -> HubSpotError:
    return HubSpotError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication "
        "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )
