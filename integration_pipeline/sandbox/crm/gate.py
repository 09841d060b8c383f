"""What every request to the CRM sandbox passes first: bearer auth, HubSpot's rate limits
(rolling 10 s and search per second, with their headers and 429 bodies) and injected faults."""

import asyncio
import math
import random
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integration_pipeline.sandbox.crm.errors import HubSpotError, unauthorized
from integration_pipeline.sandbox.crm.limits import DailyCounter, RollingWindow

HEALTH_PATH = "/__sandbox/health"  # not a HubSpot path: used only to wait for start-up


class Gate:
    def __init__(self, config) -> None:
        self.config = config
        self.window = RollingWindow(config.requests_per_10s, 10.0)
        self.search_window = RollingWindow(config.searches_per_s, 1.0)
        self.daily = DailyCounter(config.daily_limit)
        self.random = random.Random(config.seed)

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
