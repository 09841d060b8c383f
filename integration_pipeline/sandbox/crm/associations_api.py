"""HubSpot's v4 associations (single, labelled, batch) of the CRM sandbox."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integration_pipeline.sandbox.crm import schema
from integration_pipeline.sandbox.crm.errors import HubSpotError, validation
from integration_pipeline.sandbox.crm.requests_io import item_error, read_json, record_id
from integration_pipeline.sandbox.crm.store import CrmStore
from integration_pipeline.sandbox.crm.values import now_iso


class AssociationsApi:
    def __init__(self, store: CrmStore) -> None:
        self.store = store

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
                record_id(request.path_params["from_id"]),
                to_type,
                record_id(request.path_params["to_id"]),
            )
        return JSONResponse(
            {"status": "COMPLETE", "results": [], "startedAt": now_iso(), "completedAt": now_iso()}
        )

    async def associate_labelled(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        kinds = await read_json(request)
        if not isinstance(kinds, list) or not kinds:
            raise validation("body must be a list of {associationCategory, associationTypeId}")
        from_id = record_id(request.path_params["from_id"])
        to_id = record_id(request.path_params["to_id"])
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
                record_id(request.path_params["from_id"]),
                to_type,
                record_id(request.path_params["to_id"]),
            )
        return Response(status_code=204)

    async def list_associations(self, request: Request) -> Response:
        from_type, to_type = self._v4_types(request)
        found = self.store.associations(
            from_type, record_id(request.path_params["from_id"]), to_type
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
        inputs = (await read_json(request)).get("inputs") or []
        if len(inputs) > 1000:
            raise validation("Batch association input is limited to 1000 inputs")
        results, errors = [], []
        with self.store.transaction():
            for item in inputs:
                # read takes {"id"}; create and archive take {"from": {"id"}, "to": {"id"}}
                from_id = record_id(item.get("id") or (item.get("from") or {}).get("id"))
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
                to_id = record_id((item.get("to") or {}).get("id"))
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
                    errors.append(item_error(error, {"ids": [str(from_id)]}))
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
