"""HubSpot's properties API (/crm/v3/properties/{objectType}) of the CRM sandbox."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integration_pipeline.sandbox.crm.errors import not_found
from integration_pipeline.sandbox.crm.requests_io import object_type_of, read_json
from integration_pipeline.sandbox.crm.store import CrmStore


class PropertiesApi:
    def __init__(self, store: CrmStore) -> None:
        self.store = store

    async def list_properties(self, request: Request) -> Response:
        object_type = object_type_of(request)
        return JSONResponse({"results": list(self.store.properties(object_type).values())})

    async def create_property(self, request: Request) -> Response:
        object_type = object_type_of(request)
        body = await read_json(request)
        return JSONResponse(self.store.create_property(object_type, body), status_code=201)

    async def get_property(self, request: Request) -> Response:
        object_type, name = object_type_of(request), request.path_params["name"]
        definition = self.store.properties(object_type).get(name)
        if definition is None:
            raise not_found(f"Unable to find property {name} for object type {object_type}")
        return JSONResponse(definition)

    async def delete_property(self, request: Request) -> Response:
        self.store.delete_property(object_type_of(request), request.path_params["name"])
        return Response(status_code=204)
