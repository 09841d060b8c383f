"""The HTTP face of the CRM sandbox: HubSpot's v3 objects (list, get, create, patch,
delete, batch, search), wired with the properties and v4 associations APIs behind the gate
(auth, rate limits, injected faults)."""

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_pipeline.sandbox.crm import schema, search
from integration_pipeline.sandbox.crm.associations_api import AssociationsApi
from integration_pipeline.sandbox.crm.errors import (
    HubSpotError,
    not_found,
    validation,
)
from integration_pipeline.sandbox.crm.gate import Gate
from integration_pipeline.sandbox.crm.properties_api import PropertiesApi
from integration_pipeline.sandbox.crm.requests_io import (
    csv_param,
    flag_param,
    item_error,
    object_type_of,
    read_json,
    record_id,
)
from integration_pipeline.sandbox.crm.store import CrmStore
from integration_pipeline.sandbox.crm.values import now_iso

MAX_BATCH, MAX_PAGE = 100, 100


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


class CrmApp:
    def __init__(self, store: CrmStore, config: CrmConfig) -> None:
        self.store, self.config = store, config

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
        object_type = object_type_of(request)
        limit = int(request.query_params.get("limit", 10))
        if not 0 < limit <= MAX_PAGE:
            raise validation(f"limit must be between 1 and {MAX_PAGE}")
        after = request.query_params.get("after", "0")
        records = self.store.page(
            object_type,
            record_id(after) if after else 0,
            limit + 1,
            flag_param(request, "archived"),
        )
        wanted, assoc = csv_param(request, "properties"), csv_param(request, "associations")
        body: dict[str, Any] = {
            "results": [self._shape(object_type, r, wanted, assoc) for r in records[:limit]]
        }
        if len(records) > limit:
            last = records[limit - 1]["id"]
            body["paging"] = {"next": {"after": last, "link": f"{request.url.path}?after={last}"}}
        return JSONResponse(body)

    async def get_object(self, request: Request) -> Response:
        object_type = object_type_of(request)
        record = self.store.find(
            object_type,
            request.path_params["record_id"],
            request.query_params.get("idProperty"),
            flag_param(request, "archived"),
        )
        if record is None:
            raise not_found(f"resource not found: {object_type} {request.path_params['record_id']}")
        return JSONResponse(
            self._shape(
                object_type,
                record,
                csv_param(request, "properties"),
                csv_param(request, "associations"),
            )
        )

    def _create(self, object_type: str, item: dict) -> dict:
        if not isinstance(item, dict):
            raise validation("each input must be an object with properties")
        values = self.store.check_values(object_type, item.get("properties") or {})
        record = self.store.insert(object_type, values)
        for association in item.get("associations") or []:
            to_id = record_id((association.get("to") or {}).get("id"))
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
        object_type = object_type_of(request)
        body = await read_json(request)
        with self.store.transaction():
            return JSONResponse(self._create(object_type, body), status_code=201)

    async def patch_object(self, request: Request) -> Response:
        object_type = object_type_of(request)
        body = await read_json(request)
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
        object_type = object_type_of(request)
        with self.store.transaction():
            self.store.archive(object_type, record_id(request.path_params["record_id"]))
        return Response(status_code=204)

    async def merge_objects(self, request: Request) -> Response:
        object_type = object_type_of(request)
        body = await read_json(request)
        try:
            primary = record_id(str(body["primaryObjectId"]))
            merged = record_id(str(body["objectIdToMerge"]))
        except (KeyError, TypeError) as missing:
            raise validation("body needs primaryObjectId and objectIdToMerge") from missing
        with self.store.transaction():
            record = self.store.merge(object_type, primary, merged)
        return JSONResponse(self._shape(object_type, record, None))

    # -- batch --------------------------------------------------------------------------
    async def batch(self, request: Request) -> Response:
        object_type, action = object_type_of(request), request.path_params["action"]
        body = await read_json(request)
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

    def _batch_read(self, object_type, inputs, body, request):
        wanted = body.get("properties") or []
        results, missing = [], []
        for item in inputs:
            key = str(item.get("id", ""))
            record = self.store.find(
                object_type, key, body.get("idProperty"), flag_param(request, "archived")
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
                errors.append(item_error(error, {"inputIndex": [str(position)]}))
        return results, errors

    def _batch_update(self, object_type, inputs, body, request):
        results, errors = [], []
        for item in inputs:
            key = str(item.get("id", ""))
            try:
                with self.store.transaction():  # each input succeeds or fails alone
                    results.append(self._update_one(object_type, item, key))
            except HubSpotError as error:
                errors.append(item_error(error, {"ids": [key]}))
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
                errors.append(item_error(error, {"ids": [key]}))
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
        object_type = object_type_of(request)
        body = await read_json(request)
        types = {n: d.get("type", "string") for n, d in self.store.properties(object_type).items()}
        groups, _, limit, offset = search.check_request(body, self.config.search_cap)
        last_modified = schema.last_modified_property(object_type)
        window = search.sql_window(body, groups, last_modified)
        if window is not None:
            total, page = self.store.search_window(object_type, window, limit, offset)
            next_offset = offset + limit if offset + limit < total else None
        else:
            since = search.modified_since(groups, last_modified)
            total, page, next_offset = search.run(
                self.store.all_active(object_type, since), body, types, self.config.search_cap
            )
        wanted = body.get("properties") or []
        payload: dict[str, Any] = {
            "total": total,
            "results": [self._shape(object_type, r, wanted) for r in page],
        }
        if next_offset is not None:
            payload["paging"] = {"next": {"after": str(next_offset)}}
        return JSONResponse(payload)


def build_app(store: CrmStore, config: CrmConfig) -> Starlette:
    crm, gate = CrmApp(store, config), Gate(config)
    properties, associations = PropertiesApi(store), AssociationsApi(store)
    objects = "/crm/v3/objects/{object_type}"
    v4 = "/crm/v4/objects/{from_type}/{from_id}/associations"
    routes = [
        Route(f"{objects}/batch/{{action}}", crm.batch, methods=["POST"]),
        Route(f"{objects}/search", crm.search, methods=["POST"]),
        Route(f"{objects}/merge", crm.merge_objects, methods=["POST"]),
        Route(objects, crm.list_objects, methods=["GET"]),
        Route(objects, crm.create_object, methods=["POST"]),
        Route(f"{objects}/{{record_id}}", crm.get_object, methods=["GET"]),
        Route(f"{objects}/{{record_id}}", crm.patch_object, methods=["PATCH"]),
        Route(f"{objects}/{{record_id}}", crm.delete_object, methods=["DELETE"]),
        Route("/crm/v3/properties/{object_type}", properties.list_properties, methods=["GET"]),
        Route("/crm/v3/properties/{object_type}", properties.create_property, methods=["POST"]),
        Route("/crm/v3/properties/{object_type}/{name}", properties.get_property, methods=["GET"]),
        Route(
            "/crm/v3/properties/{object_type}/{name}",
            properties.delete_property,
            methods=["DELETE"],
        ),
        Route(
            f"{v4}/default/{{to_type}}/{{to_id}}", associations.associate_default, methods=["PUT"]
        ),
        Route(f"{v4}/{{to_type}}/{{to_id}}", associations.associate_labelled, methods=["PUT"]),
        Route(f"{v4}/{{to_type}}/{{to_id}}", associations.dissociate, methods=["DELETE"]),
        Route(f"{v4}/{{to_type}}", associations.list_associations, methods=["GET"]),
        Route(
            "/crm/v4/associations/{from_type}/{to_type}/batch/{action}",
            associations.batch_associations,
            methods=["POST"],
        ),
    ]

    async def _hubspot_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HubSpotError)
        return JSONResponse(error.body(), status_code=error.status)

    return Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=gate.gate)],
        exception_handlers={HubSpotError: _hubspot_error},
    )
