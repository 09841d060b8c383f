"""The HTTP face of the CRM sandbox: HubSpot's v3 objects, search, properties and v4
associations, with bearer auth, rate limits and optional fault injection."""

import asyncio
import json
import math
import random
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_pipeline.sandbox.crm import schema, search
from integration_pipeline.sandbox.crm.errors import (
    HubSpotError,
    not_found,
    unauthorized,
    validation,
)
from integration_pipeline.sandbox.crm.limits import DailyCounter, RollingWindow
from integration_pipeline.sandbox.crm.store import CrmStore
from integration_pipeline.sandbox.crm.values import now_iso

MAX_BATCH, MAX_PAGE = 100, 100
HEALTH_PATH = "/__sandbox/health"  # not a HubSpot path: used only to wait for start-up


@dataclass(frozen=True)
class CrmConfig:
    token: str
    requests_per_10s: int = 190
    searches_per_s: int = 5
    daily_limit: int = 650_000
    error_rate: float = 0.0  # share of requests answered 500 or 502
    timeout_rate: float = 0.0  # share of requests held for timeout_s (the client times out)
    timeout_s: float = 30.0
    latency_ms: float = 0.0
    retry_after_header: bool = False
    search_cap: int = search.RESULT_CAP  # HubSpot: 10,000; tests lower it
    seed: int = 0


def _object_type(request: Request) -> str:
    name = request.path_params["object_type"]
    name = schema.TYPE_IDS.get(name, name)
    if name not in schema.OBJECT_TYPES:
        raise validation(f"Unable to infer object type from: {request.path_params['object_type']}")
    return name


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except json.JSONDecodeError as error:
        raise validation(
            f"Invalid input JSON on line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None


def _csv(request: Request, name: str) -> list[str]:
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _record_id(value: Any) -> int:
    text = str(value)
    if not text.isdigit():
        raise not_found(f"Object not found. objectId are usually numeric: {text}")
    return int(text)


class CrmApp:
    def __init__(self, store: CrmStore, config: CrmConfig) -> None:
        self.store, self.config = store, config
        self.window = RollingWindow(config.requests_per_10s, 10.0)
        self.search_window = RollingWindow(config.searches_per_s, 1.0)
        self.daily = DailyCounter(config.daily_limit)
        self.random = random.Random(config.seed)

    # -- shaping -------------------------------------------------------------------------
    def _shape(
        self,
        object_type: str,
        record: dict,
        wanted: list[str] | None,
        associations: list[str] | None = None,
    ) -> dict:
        names = wanted or self._default_properties(object_type)
        properties = {n: record["properties"].get(n) for n in names}
        for name in ("hs_object_id", "createdate", schema.last_modified_property(object_type)):
            properties[name] = record["properties"].get(name)
        shaped = {**record, "properties": properties}
        if associations:
            shaped["associations"] = {}
            for to_type in associations:
                to_type = schema.TYPE_IDS.get(to_type, to_type)
                found = self.store.associations(object_type, int(record["id"]), to_type)
                label = f"{schema.SINGULAR[object_type]}_to_{schema.SINGULAR[to_type]}"
                if found:
                    shaped["associations"][to_type] = {
                        "results": [{"id": str(a["toObjectId"]), "type": label} for a in found]
                    }
        return shaped

    @staticmethod
    def _default_properties(object_type: str) -> list[str]:
        return {
            "contacts": ["firstname", "lastname", "email"],
            "companies": ["name", "domain"],
            "deals": ["dealname", "amount", "dealstage", "pipeline", "closedate"],
            "products": ["name", "price", "description"],
            "line_items": ["name", "quantity", "price", "amount"],
            "invoices": ["hs_number", "hs_currency"],
        }.get(object_type, [])

    # -- objects ------------------------------------------------------------------------
    async def list_objects(self, request: Request) -> Response:
        object_type = _object_type(request)
        limit = int(request.query_params.get("limit", 10))
        if not 0 < limit <= MAX_PAGE:
            raise validation(f"limit must be between 1 and {MAX_PAGE}")
        after = request.query_params.get("after", "0")
        records = self.store.page(
            object_type, _record_id(after) if after else 0, limit + 1, _flag(request, "archived")
        )
        wanted, assoc = _csv(request, "properties"), _csv(request, "associations")
        body: dict[str, Any] = {
            "results": [self._shape(object_type, r, wanted, assoc) for r in records[:limit]]
        }
        if len(records) > limit:
            last = records[limit - 1]["id"]
            body["paging"] = {"next": {"after": last, "link": f"{request.url.path}?after={last}"}}
        return JSONResponse(body)

    async def get_object(self, request: Request) -> Response:
        object_type = _object_type(request)
        record = self.store.find(
            object_type,
            request.path_params["record_id"],
            request.query_params.get("idProperty"),
            _flag(request, "archived"),
        )
        if record is None:
            raise not_found(f"resource not found: {object_type} {request.path_params['record_id']}")
        return JSONResponse(
            self._shape(
                object_type, record, _csv(request, "properties"), _csv(request, "associations")
            )
        )

    def _create(self, object_type: str, item: dict) -> dict:
        if not isinstance(item, dict):
            raise validation("each input must be an object with properties")
        values = self.store.check_values(object_type, item.get("properties") or {})
        record = self.store.insert(object_type, values)
        for association in item.get("associations") or []:
            to_id = _record_id((association.get("to") or {}).get("id"))
            for kind in association.get("types") or [{}]:
                to_type = self._type_for(object_type, kind.get("associationTypeId"))
                self.store.associate(
                    object_type,
                    int(record["id"]),
                    to_type,
                    to_id,
                    kind.get("associationCategory", "HUBSPOT_DEFINED"),
                    kind.get("associationTypeId"),
                )
        return self._shape(object_type, record, list(values))

    @staticmethod
    def _type_for(object_type: str, type_id: int | None) -> str:
        for (source, target), known in schema.DEFAULT_ASSOCIATIONS.items():
            if source == object_type and known == type_id:
                return target
        for (source, target), known in schema.PRIMARY_ASSOCIATIONS.items():
            if source == object_type and known == type_id:
                return target
        raise validation(f"association type {type_id} is not defined for {object_type}")

    async def create_object(self, request: Request) -> Response:
        object_type = _object_type(request)
        body = await _json(request)
        with self.store.transaction():
            return JSONResponse(self._create(object_type, body), status_code=201)

    async def patch_object(self, request: Request) -> Response:
        object_type = _object_type(request)
        body = await _json(request)
        with self.store.transaction():
            record = self.store.find(
                object_type,
                request.path_params["record_id"],
                request.query_params.get("idProperty"),
            )
            if record is None:
                raise not_found(
                    f"resource not found: {object_type} {request.path_params['record_id']}"
                )
            values = self.store.check_values(object_type, body.get("properties") or {})
            updated = self.store.patch(object_type, int(record["id"]), values)
        return JSONResponse(self._shape(object_type, updated, list(values)))

    async def delete_object(self, request: Request) -> Response:
        object_type = _object_type(request)
        with self.store.transaction():
            self.store.archive(object_type, _record_id(request.path_params["record_id"]))
        return Response(status_code=204)

    # -- batch --------------------------------------------------------------------------
    async def batch(self, request: Request) -> Response:
        object_type, action = _object_type(request), request.path_params["action"]
        body = await _json(request)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list):
            raise validation("inputs must be a list")
        if len(inputs) > MAX_BATCH:
            raise validation(
                f"Batch input is limited to {MAX_BATCH} inputs; got {len(inputs)}",
                [
                    {
                        "message": f"size must be between 1 and {MAX_BATCH}",
                        "code": "INVALID_BATCH_SIZE",
                        "in": "inputs",
                    }
                ],
            )
        handler = {
            "read": self._batch_read,
            "create": self._batch_create,
            "update": self._batch_update,
            "upsert": self._batch_upsert,
            "archive": self._batch_archive,
        }.get(action)
        if handler is None:
            raise not_found(f"Unknown batch action {action}")
        started = now_iso()
        with self.store.transaction():
            results, errors = handler(object_type, inputs, body, request)
        if action == "archive" and not errors:
            return Response(status_code=204)
        payload: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": now_iso(),
        }
        if errors:
            payload.update(numErrors=len(errors), errors=errors)
            return JSONResponse(payload, status_code=207)
        return JSONResponse(payload, status_code=201 if action == "create" else 200)

    @staticmethod
    def _item_error(error: HubSpotError, context: dict | None = None) -> dict:
        body = error.body()
        return {
            "status": "error",
            "category": body["category"],
            "message": body["message"],
            "context": context or {},
            **({"errors": body["errors"]} if "errors" in body else {}),
        }

    def _batch_read(self, object_type, inputs, body, request):
        wanted = body.get("properties") or []
        results, missing = [], []
        for item in inputs:
            key = str(item.get("id", ""))
            record = self.store.find(
                object_type, key, body.get("idProperty"), _flag(request, "archived")
            )
            if record is None:
                missing.append(key)
            else:
                results.append(self._shape(object_type, record, wanted))
        errors = (
            [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {object_type} objects, they may be deleted "
                    "or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            ]
            if missing
            else []
        )
        return results, errors

    def _batch_create(self, object_type, inputs, body, request):
        results, errors = [], []
        for position, item in enumerate(inputs):
            try:
                with self.store.transaction():  # nested: a savepoint-like unit per input
                    results.append(self._create(object_type, item))
            except HubSpotError as error:
                errors.append(self._item_error(error, {"inputIndex": [str(position)]}))
        return results, errors

    def _batch_update(self, object_type, inputs, body, request):
        results, errors = [], []
        for item in inputs:
            key = str(item.get("id", ""))
            try:
                with self.store.transaction():  # each input succeeds or fails alone
                    results.append(self._update_one(object_type, item, key))
            except HubSpotError as error:
                errors.append(self._item_error(error, {"ids": [key]}))
        return results, errors

    def _update_one(self, object_type: str, item: dict, key: str) -> dict:
        record = self.store.find(object_type, key, item.get("idProperty"))
        if record is None:
            raise not_found(f"Object not found. objectId are usually numeric: {key}")
        values = self.store.check_values(object_type, item.get("properties") or {})
        updated = self.store.patch(object_type, int(record["id"]), values)
        return self._shape(object_type, updated, list(values))

    def _batch_upsert(self, object_type, inputs, body, request):
        results, errors = [], []
        for item in inputs:
            key = str(item.get("id", ""))
            try:
                with self.store.transaction():
                    results.append(self._upsert_one(object_type, item, key))
            except HubSpotError as error:
                errors.append(self._item_error(error, {"ids": [key]}))
        return results, errors

    def _upsert_one(self, object_type: str, item: dict, key: str) -> dict:
        id_property = item.get("idProperty")
        if not id_property:
            raise validation("upsert inputs need idProperty (a unique property)")
        values = self.store.check_values(object_type, item.get("properties") or {})
        record = self.store.find(object_type, key, id_property)
        if record is None:
            created = self.store.insert(object_type, {**values, id_property: key})
            return {**self._shape(object_type, created, list(values)), "new": True}
        updated = self.store.patch(object_type, int(record["id"]), values)
        return {**self._shape(object_type, updated, list(values)), "new": False}

    def _batch_archive(self, object_type, inputs, body, request):
        for item in inputs:
            key = str(item.get("id", ""))
            if key.isdigit():
                self.store.archive(object_type, int(key))
        return [], []

    # -- search ---------------------------------------------------------------------------
    async def search(self, request: Request) -> Response:
        object_type = _object_type(request)
        body = await _json(request)
        types = {n: d.get("type", "string") for n, d in self.store.properties(object_type).items()}
        total, page, next_offset = search.run(
            self.store.all_active(object_type), body, types, self.config.search_cap
        )
        wanted = body.get("properties") or []
        payload: dict[str, Any] = {
            "total": total,
            "results": [self._shape(object_type, r, wanted) for r in page],
        }
        if next_offset is not None:
            payload["paging"] = {"next": {"after": str(next_offset)}}
        return JSONResponse(payload)

    # -- properties -----------------------------------------------------------------------
    async def list_properties(self, request: Request) -> Response:
        object_type = _object_type(request)
        return JSONResponse({"results": list(self.store.properties(object_type).values())})

    async def create_property(self, request: Request) -> Response:
        object_type = _object_type(request)
        body = await _json(request)
        return JSONResponse(self.store.create_property(object_type, body), status_code=201)

    async def get_property(self, request: Request) -> Response:
        object_type, name = _object_type(request), request.path_params["name"]
        definition = self.store.properties(object_type).get(name)
        if definition is None:
            raise not_found(f"Unable to find property {name} for object type {object_type}")
        return JSONResponse(definition)

    async def delete_property(self, request: Request) -> Response:
        self.store.delete_property(_object_type(request), request.path_params["name"])
        return Response(status_code=204)

    # -- associations (v4) ----------------------------------------------------------------
    def _v4_types(self, request: Request) -> tuple[str, str]:
        from_type = schema.TYPE_IDS.get(
            request.path_params["from_type"], request.path_params["from_type"]
        )
        to_type = schema.TYPE_IDS.get(
            request.path_params["to_type"], request.path_params["to_type"]
        )
        for name in (from_type, to_type):
            if name not in schema.OBJECT_TYPES:
                raise validation(f"Unable to infer object type from: {name}")
        return from_type, to_type

    async def associate_default(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        with self.store.transaction():
            self.store.associate(
                from_type,
                _record_id(request.path_params["from_id"]),
                to_type,
                _record_id(request.path_params["to_id"]),
            )
        return JSONResponse(
            {"status": "COMPLETE", "results": [], "startedAt": now_iso(), "completedAt": now_iso()}
        )

    async def associate_labelled(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        kinds = await _json(request)
        if not isinstance(kinds, list) or not kinds:
            raise validation("body must be a list of {associationCategory, associationTypeId}")
        from_id = _record_id(request.path_params["from_id"])
        to_id = _record_id(request.path_params["to_id"])
        with self.store.transaction():
            for kind in kinds:
                self.store.associate(
                    from_type,
                    from_id,
                    to_type,
                    to_id,
                    kind.get("associationCategory", "USER_DEFINED"),
                    int(kind.get("associationTypeId")),
                    kind.get("label"),
                    both_ways=False,
                )
        return JSONResponse(
            {
                "fromObjectTypeId": from_type,
                "fromObjectId": from_id,
                "toObjectTypeId": to_type,
                "toObjectId": to_id,
                "labels": [k.get("label") for k in kinds if k.get("label")],
            },
            status_code=201,
        )

    async def dissociate(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        with self.store.transaction():
            self.store.dissociate(
                from_type,
                _record_id(request.path_params["from_id"]),
                to_type,
                _record_id(request.path_params["to_id"]),
            )
        return Response(status_code=204)

    async def list_associations(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        found = self.store.associations(
            from_type, _record_id(request.path_params["from_id"]), to_type
        )
        limit = min(int(request.query_params.get("limit", 500)), 500)
        offset = int(request.query_params.get("after", 0) or 0)
        body: dict[str, Any] = {"results": found[offset : offset + limit]}
        if offset + limit < len(found):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return JSONResponse(body)

    async def batch_associations(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        action = request.path_params["action"]
        inputs = (await _json(request)).get("inputs") or []
        if len(inputs) > 1000:
            raise validation("Batch association input is limited to 1000 inputs")
        results, errors = [], []
        with self.store.transaction():
            for item in inputs:
                # read takes {"id"}; create and archive take {"from": {"id"}, "to": {"id"}}
                from_id = _record_id(item.get("id") or (item.get("from") or {}).get("id"))
                if action == "read":
                    results.append(
                        {
                            "from": {"id": str(from_id)},
                            "to": [
                                {
                                    "toObjectId": a["toObjectId"],
                                    "associationTypes": a["associationTypes"],
                                }
                                for a in self.store.associations(from_type, from_id, to_type)
                            ],
                        }
                    )
                    continue
                to_id = _record_id((item.get("to") or {}).get("id"))
                try:
                    if action == "archive":
                        self.store.dissociate(from_type, from_id, to_type, to_id)
                    else:
                        for kind in item.get("types") or [{}]:
                            self.store.associate(
                                from_type,
                                from_id,
                                to_type,
                                to_id,
                                kind.get("associationCategory", "HUBSPOT_DEFINED"),
                                kind.get("associationTypeId"),
                            )
                        results.append({"fromObjectId": from_id, "toObjectId": to_id})
                except HubSpotError as error:
                    errors.append(self._item_error(error, {"ids": [str(from_id)]}))
        if action == "archive":
            return Response(status_code=204)
        payload = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": now_iso(),
            "completedAt": now_iso(),
        }
        if errors:
            return JSONResponse(
                {**payload, "numErrors": len(errors), "errors": errors}, status_code=207
            )
        return JSONResponse(payload, status_code=201 if action == "create" else 200)

    # -- the gate every request passes ------------------------------------------------------
    async def gate(self, request: Request, call_next) -> Response:
        if request.url.path == HEALTH_PATH:  # the sandbox's own probe: no auth, limits, faults
            return JSONResponse({"status": "ok"})
        try:
            if request.headers.get("authorization") != f"Bearer {self.config.token}":
                raise unauthorized()
            is_search = request.url.path.endswith("/search")
            verdict = (self.search_window if is_search else self.window).take()
            if not verdict.allowed:
                return self._too_many(
                    verdict.retry_after_s, "SECONDLY" if is_search else "TEN_SECONDLY_ROLLING"
                )
            daily_remaining = self.daily.take()
            if self.config.latency_ms:
                await asyncio.sleep(self.config.latency_ms / 1000)
            fault = await self._fault()
            response = fault or await call_next(request)
        except HubSpotError as error:
            return JSONResponse(error.body(), status_code=error.status)
        if not is_search:
            response.headers.update(
                {
                    "X-HubSpot-RateLimit-Max": str(verdict.limit),
                    "X-HubSpot-RateLimit-Remaining": str(verdict.remaining),
                    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                    "X-HubSpot-RateLimit-Daily": str(self.config.daily_limit),
                    "X-HubSpot-RateLimit-Daily-Remaining": str(daily_remaining),
                }
            )
        return response

    def _too_many(self, retry_after_s: float, policy: str) -> Response:
        body = {
            "status": "error",
            "message": f"You have reached your {policy.lower()} limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": policy,
        }
        # HubSpot's 429s carry the rate-limit headers, not Retry-After; the option adds it
        # (clients such as urllib3 then wait and retry on their own).
        headers = (
            {"Retry-After": str(max(1, math.ceil(retry_after_s)))}
            if (self.config.retry_after_header)
            else {}
        )
        if policy == "TEN_SECONDLY_ROLLING":
            headers.update(
                {
                    "X-HubSpot-RateLimit-Max": str(self.config.requests_per_10s),
                    "X-HubSpot-RateLimit-Remaining": "0",
                    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                }
            )
        return JSONResponse(body, status_code=429, headers=headers)

    async def _fault(self) -> Response | None:
        roll = self.random.random()
        if roll < self.config.error_rate:
            status = self.random.choice([500, 502])
            return JSONResponse(
                {
                    "status": "error",
                    "message": "internal error (injected)",
                    "correlationId": str(uuid.uuid4()),
                    "category": "INTERNAL_ERROR",
                },
                status_code=status,
            )
        if roll < self.config.error_rate + self.config.timeout_rate:
            await asyncio.sleep(self.config.timeout_s)
            return JSONResponse(
                {
                    "status": "error",
                    "message": "gateway timeout (injected)",
                    "correlationId": str(uuid.uuid4()),
                },
                status_code=504,
            )
        return None


def build_app(store: CrmStore, config: CrmConfig) -> Starlette:
    crm = CrmApp(store, config)
    objects = "/crm/v3/objects/{object_type}"
    v4 = "/crm/v4/objects/{from_type}/{from_id}/associations"
    routes = [
        Route(f"{objects}/batch/{{action}}", crm.batch, methods=["POST"]),
        Route(f"{objects}/search", crm.search, methods=["POST"]),
        Route(objects, crm.list_objects, methods=["GET"]),
        Route(objects, crm.create_object, methods=["POST"]),
        Route(f"{objects}/{{record_id}}", crm.get_object, methods=["GET"]),
        Route(f"{objects}/{{record_id}}", crm.patch_object, methods=["PATCH"]),
        Route(f"{objects}/{{record_id}}", crm.delete_object, methods=["DELETE"]),
        Route("/crm/v3/properties/{object_type}", crm.list_properties, methods=["GET"]),
        Route("/crm/v3/properties/{object_type}", crm.create_property, methods=["POST"]),
        Route("/crm/v3/properties/{object_type}/{name}", crm.get_property, methods=["GET"]),
        Route("/crm/v3/properties/{object_type}/{name}", crm.delete_property, methods=["DELETE"]),
        Route(f"{v4}/default/{{to_type}}/{{to_id}}", crm.associate_default, methods=["PUT"]),
        Route(f"{v4}/{{to_type}}/{{to_id}}", crm.associate_labelled, methods=["PUT"]),
        Route(f"{v4}/{{to_type}}/{{to_id}}", crm.dissociate, methods=["DELETE"]),
        Route(f"{v4}/{{to_type}}", crm.list_associations, methods=["GET"]),
        Route(
            "/crm/v4/associations/{from_type}/{to_type}/batch/{action}",
            crm.batch_associations,
            methods=["POST"],
        ),
    ]

    async def _hubspot_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HubSpotError)
        return JSONResponse(error.body(), status_code=error.status)

    return Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=crm.gate)],
        exception_handlers={HubSpotError: _hubspot_error},
    )
