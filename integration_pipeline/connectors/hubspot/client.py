"""HubSpot's v3 API over pooled httpx connections, paced by governors, with retries.

Retries: 429, 5xx and timeouts, with exponential backoff and full jitter, honouring
Retry-After when the server sends it. A 401 is raised at once (a wrong token never turns
into a retry loop); other 4xx are the caller's to handle.
"""

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from integration_pipeline.connectors.hubspot.errors import (
    HubSpotAuthError,
    HubSpotError,
    HubSpotUnavailable,
)
from integration_pipeline.connectors.hubspot.governor import shared_governors
from integration_pipeline.connectors.tls import tls_context

BATCH_LIMIT = 100
RETRYABLE = {429, 500, 502, 503, 504}


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers seen (each was retried)
    paced_s: float = 0.0


@dataclass
class BatchOutcome:
    """Per-record results and per-record errors (HubSpot's 207), never a failed batch."""

    results: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    failed_inputs: list[tuple[dict, dict]] = field(default_factory=list)  # (input, error)

    def quarantine_rows(self, entity: str, run_id: str) -> list[dict[str, str]]:
        """One row per refused input, with the CRM's reason: nothing is dropped silently."""
        return [
            {
                "entity": entity,
                "key": str(item.get("id") or item.get("properties", {}).get("email") or ""),
                "rule": str(error.get("category") or "CRM_REJECTED"),
                "value": json.dumps(item, ensure_ascii=False, sort_keys=True),
                "reason": str(error.get("message") or ""),
                "run_id": run_id,
            }
            for item, error in self.failed_inputs
        ]


def _failed_inputs(chunk: list[dict], errors: list[dict]) -> list[tuple[dict, dict]]:
    """Match each error of a 207 to the inputs it names (by index, or by id)."""
    by_id = {str(item.get("id")): item for item in chunk if item.get("id") is not None}
    failed = []
    for error in errors:
        context = error.get("context") or {}
        named = [chunk[int(i)] for i in context.get("inputIndex", []) if int(i) < len(chunk)]
        named += [by_id[i] for i in context.get("ids", []) if i in by_id]
        failed += [(item, error) for item in named]
    return failed


class HubSpotClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        requests_per_10s: int = 190,
        searches_per_s: int = 5,
        max_retries: int = 6,
        timeout_s: float = 30.0,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
    ) -> None:
        if not token:
            raise HubSpotAuthError(401, "no token given: set INTEGRATION_PIPELINE_CRM_TOKEN")
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout_s,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_keepalive_connections=8, max_connections=16),
            verify=tls_context(),
        )
        self.governor, self.search_governor = shared_governors(
            base_url, token, requests_per_10s, searches_per_s
        )
        self.max_retries, self.backoff_base_s, self.backoff_cap_s = (
            max_retries,
            backoff_base_s,
            backoff_cap_s,
        )
        self.stats = ClientStats()
        self._random = random.Random()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "HubSpotClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------
    def request(
        self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        governor = self.search_governor if path.endswith("/search") else self.governor
        for attempt in range(self.max_retries + 1):
            before = governor.waited_s
            slot = governor.acquire()
            self.stats.paced_s += governor.waited_s - before
            self.stats.requests += 1
            try:
                response = self._http.request(method, path, json=json, params=params)
            except httpx.TransportError as error:  # timeouts, resets, refused connections
                governor.answered(slot)
                failure: Exception | httpx.Response = error
            else:
                governor.answered(slot)
                if response.status_code == 401:
                    raise HubSpotAuthError(401, _message(response), _body(response))
                remaining = response.headers.get("X-HubSpot-RateLimit-Remaining")
                governor.observe(int(remaining) if remaining and remaining.isdigit() else None)
                if response.status_code not in RETRYABLE:
                    return response
                failure = response
                if response.status_code == 429:
                    self.stats.throttled += 1
            if attempt == self.max_retries:
                break
            self.stats.retries += 1
            time.sleep(self._delay(attempt, failure))
        if isinstance(failure, httpx.Response):
            raise HubSpotUnavailable(failure.status_code, _message(failure), _body(failure))
        raise HubSpotUnavailable(0, f"{type(failure).__name__}: {failure}")

    def _delay(self, attempt: int, failure: Exception | httpx.Response) -> float:
        if isinstance(failure, httpx.Response):
            retry_after = failure.headers.get("Retry-After")
            if retry_after and retry_after.replace(".", "", 1).isdigit():
                return float(retry_after)
            if failure.status_code == 429:  # the window frees within 10 s
                return min(self.backoff_cap_s, 1.0 + self._random.uniform(0, 1.0)) * (attempt + 1)
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2**attempt)
        return self._random.uniform(0, ceiling)  # "full jitter"

    def call(
        self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """A request whose non-2xx answer is an error; returns the JSON body (or None)."""
        response = self.request(method, path, json=json, params=params)
        if response.status_code >= 400:
            raise HubSpotError(response.status_code, _message(response), _body(response))
        return response.json() if response.content else None

    # -- objects -----------------------------------------------------------------------
    def pages(
        self,
        object_type: str,
        properties: list[str],
        associations: list[str] = (),
        archived: bool = False,
        page_size: int = 100,
    ) -> Iterator[list[dict]]:
        """Every record of a type (or every archived one), page by page."""
        params: dict[str, Any] = {"limit": page_size, "archived": str(archived).lower()}
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        while True:
            body = self.call("GET", f"/crm/v3/objects/{object_type}", params=params)
            yield body["results"]
            after = (body.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            params["after"] = after

    def search(self, object_type: str, request: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/crm/v3/objects/{object_type}/search", json=request)

    def batch(
        self, object_type: str, action: str, inputs: list[dict], extra: dict[str, Any] | None = None
    ) -> BatchOutcome:
        """read/create/update/upsert/archive in calls of at most 100 inputs."""
        outcome = BatchOutcome()
        for start in range(0, len(inputs), BATCH_LIMIT):
            chunk = inputs[start : start + BATCH_LIMIT]
            response = self.request(
                "POST",
                f"/crm/v3/objects/{object_type}/batch/{action}",
                json={"inputs": chunk, **(extra or {})},
            )
            if response.status_code == 204:
                continue
            body = _body(response)
            if response.status_code >= 400:  # the whole call refused: every input failed
                error = {
                    "status": "error",
                    "category": body.get("category"),
                    "message": _message(response),
                }
                outcome.errors.append(error)
                outcome.failed_inputs += [(item, error) for item in chunk]
                continue
            outcome.results += body.get("results", [])
            outcome.errors += body.get("errors", [])
            outcome.failed_inputs += _failed_inputs(chunk, body.get("errors", []))
        return outcome

    def merge(self, object_type: str, primary_id: str, merged_id: str) -> dict[str, Any]:
        """HubSpot's merge: `merged_id` is folded into `primary_id` (and archived)."""
        return self.call(
            "POST",
            f"/crm/v3/objects/{object_type}/merge",
            json={"primaryObjectId": str(primary_id), "objectIdToMerge": str(merged_id)},
        )

    def ensure_properties(self, object_type: str, definitions: list[dict[str, Any]]) -> list[str]:
        """Create the custom properties that do not exist yet; returns the names created."""
        existing = {
            p["name"] for p in self.call("GET", f"/crm/v3/properties/{object_type}")["results"]
        }
        created = []
        for definition in definitions:
            if definition["name"] in existing:
                continue
            response = self.request("POST", f"/crm/v3/properties/{object_type}", json=definition)
            if response.status_code not in (201, 409):  # 409: created meanwhile, fine
                raise HubSpotError(response.status_code, _message(response), _body(response))
            created.append(definition["name"])
        return created


def _body(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(response: httpx.Response) -> str:
    return str(_body(response).get("message") or response.reason_phrase or response.status_code)
