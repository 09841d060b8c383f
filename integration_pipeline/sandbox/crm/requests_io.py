"""Reading HubSpot-style requests: object types, JSON bodies, query parameters, ids."""

import json
from typing import Any

from starlette.requests import Request

from integration_pipeline.sandbox.crm import schema
from integration_pipeline.sandbox.crm.errors import HubSpotError, not_found, validation


def object_type_of(request: Request) -> str:
    name = request.path_params["object_type"]
    name = schema.TYPE_IDS.get(name, name)
    if name not in schema.OBJECT_TYPES:
        raise validation(f"Unable to infer object type from: {request.path_params['object_type']}")
    return name


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except json.JSONDecodeError as error:
        raise validation(
            f"Invalid input JSON on line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None


def csv_param(request: Request, name: str) -> list[str]:
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def flag_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def record_id(value: Any) -> int:
    text = str(value)
    if not text.isdigit():
        raise not_found(f"Object not found. objectId are usually numeric: {text}")
    return int(text)


def item_error(error: HubSpotError, context: dict | None = None) -> dict:
    """One entry of a 207's `errors`: the refused input's category, message and context."""
    body = error.body()
    return {
        "status": "error",
        "category": body["category"],
        "message": body["message"],
        "context": context or {},
        **({"errors": body["errors"]} if "errors" in body else {}),
    }
