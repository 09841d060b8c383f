"""A JSON-RPC client for Tryton: one login per client, typed errors, Tryton's value encoding.

Tryton answers errors with HTTP 200 and `{"error": [class name, [message, description]]}`;
they become `TrytonUserError` (a business rule said no), `TrytonWarning` (a warning the
caller may accept, such as the credit limit) or `TrytonError`. A wrong password is HTTP 401.
"""

import base64
import itertools
from typing import Any

import httpx

from integration_pipeline.connectors.tls import tls_context
from integration_pipeline.connectors.tryton.codec import decode, encode


class TrytonError(Exception):
    """The ERP refused or failed a call; `message` is the ERP's own text."""

    def __init__(self, kind: str, message: str, description: str = "") -> None:
        super().__init__(f"{kind}: {message}" + (f" ({description})" if description else ""))
        self.kind, self.message, self.description = kind, message, description


class TrytonUserError(TrytonError):
    pass


class TrytonWarning(TrytonError):
    """A warning such as CreditLimitWarning; `key` lets a caller accept it explicitly."""

    def __init__(self, kind: str, key: str, message: str, description: str = "") -> None:
        super().__init__(kind, message, description)
        self.key = key


class TrytonAuthError(TrytonError):
    pass


class TrytonUnavailable(TrytonError):
    """The ERP did not answer (refused connection, 502/503/504) after the bounded retries."""


class TrytonRPC:
    def __init__(self, server_url: str, database: str, timeout: float = 60.0) -> None:
        self.server_url = server_url.rstrip("/")
        self.database = database
        self._client = httpx.Client(timeout=timeout, verify=tls_context())
        self._ids = itertools.count(1)
        self.context: dict[str, Any] = {}
        self.user_id: int | None = None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "TrytonRPC":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, path: str, method: str, params: list[Any]) -> Any:
        body = {"id": next(self._ids), "method": method, "params": encode(params)}
        response = self._client.post(f"{self.server_url}{path}", json=body)
        if response.status_code == 401:
            raise TrytonAuthError("Unauthorized", "the ERP refused the login or the session")
        response.raise_for_status()
        payload = response.json()
        if payload.get("error"):
            raise _to_exception(payload["error"])
        return decode(payload.get("result"))

    def login(self, user: str, password: str) -> None:
        user_id, session, *_ = self._post(
            f"/{self.database}/rpc/", "common.db.login", [user, {"password": password}]
        )
        self.user_id = user_id
        token = base64.b64encode(f"{user}:{user_id}:{session}".encode()).decode()
        self._client.headers["Authorization"] = f"Session {token}"
        self.context = self.call("model.res.user.get_preferences", True, {})

    def server_version(self) -> str:
        return self._post("/rpc/", "common.server.version", [])

    def call(self, method: str, *params: Any) -> Any:
        return self._post(f"/{self.database}/rpc/", method, list(params))

    def model(self, model: str, method: str, *params: Any, context: dict | None = None) -> Any:
        """Call `model.<model>.<method>` with the session's context as the last parameter."""
        return self.call(f"model.{model}.{method}", *params, {**self.context, **(context or {})})


def _to_exception(error: list[Any]) -> TrytonError:
    kind = error[0]
    details = error[1] if len(error) > 1 else []
    if isinstance(details, str):
        details = [details]
    if kind.endswith("Warning") and len(details) >= 2:
        # Warnings carry (key, message, description).
        description = details[2] if len(details) > 2 else ""
        return TrytonWarning(kind, str(details[0]), str(details[1]), str(description))
    message = str(details[0]) if details else kind
    description = str(details[1]) if len(details) > 1 else ""
    if kind in ("UserError", "AccessError", "DomainValidationError", "RequiredValidationError"):
        return TrytonUserError(kind, message, description)
    return TrytonError(kind, message, description)
