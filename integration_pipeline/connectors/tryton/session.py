"""A logged-in conversation with Tryton for one run: logs in once, logs in again when the
session expires, retries only what cannot have reached the ERP, and checks the version.

Only failures where the request cannot have been applied are retried (connection refused,
502/503/504); a read timeout on a write is not, because the ERP may have done it — the
callers' idempotency (a sale is looked up by its reference first) makes their rerun safe.
"""

import time
from collections.abc import Callable
from typing import Any

import httpx

from integration_pipeline.connectors.tryton.rpc import (
    TrytonAuthError,
    TrytonRPC,
    TrytonUnavailable,
)

SUPPORTED_SERIES = "8.2"
_UNAVAILABLE_STATUS = {502, 503, 504}


class UnsupportedTrytonVersion(Exception):
    pass


class TrytonSession:
    def __init__(
        self,
        server_url: str,
        database: str,
        user: str,
        password: str,
        *,
        attempts: int = 4,
        first_delay: float = 0.5,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.server_url, self.database, self.user = server_url, database, user
        self._password = password
        self._rpc = TrytonRPC(server_url, database, timeout=timeout)
        self._attempts, self._first_delay, self._sleep = attempts, first_delay, sleep
        self._logged_in = False
        self.logins = 0

    def close(self) -> None:
        self._rpc.close()

    def __enter__(self) -> "TrytonSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def context(self) -> dict[str, Any]:
        self._ensure_login()
        return self._rpc.context

    def model(self, model: str, method: str, *params: Any, context: dict | None = None) -> Any:
        """`model.<model>.<method>(*params, context)`; re-logs in once if the session expired."""
        return self._logged_in_call(
            lambda: self._rpc.model(model, method, *params, context=context)
        )

    def call(self, method: str, *params: Any) -> Any:
        """Any other call (wizards: `wizard.<name>.create/execute/delete`), same handling."""
        return self._logged_in_call(lambda: self._rpc.call(method, *params))

    def accept_warning(self, key: str) -> None:
        """Accept a Tryton warning once, as a user clicking "yes" would."""
        self.model(
            "res.user.warning", "create", [{"user": self.user_id, "name": key, "always": False}]
        )

    @property
    def user_id(self) -> int | None:
        self._ensure_login()
        return self._rpc.user_id

    def _logged_in_call(self, call: Callable[[], Any]) -> Any:
        self._ensure_login()
        try:
            return self._with_retries(call)
        except TrytonAuthError:
            self._logged_in = False
            self._ensure_login()
            return self._with_retries(call)

    def require_supported_version(self) -> str:
        version = self._with_retries(self._rpc.server_version)
        # The server reports its series ("8.2"), not the patch release.
        if version.split(".")[:2] != SUPPORTED_SERIES.split("."):
            raise UnsupportedTrytonVersion(
                f"the ERP at {self.server_url} runs Tryton {version}; this connector knows "
                f"Tryton {SUPPORTED_SERIES}.x"
            )
        return version

    def logout(self) -> None:
        """End the ERP session (the next call logs in again)."""
        if self._logged_in:
            self._rpc.call("common.db.logout")
            self._logged_in = False

    def _ensure_login(self) -> None:
        if not self._logged_in:
            self._with_retries(lambda: self._rpc.login(self.user, self._password))
            self._logged_in = True
            self.logins += 1

    def _with_retries(self, call: Callable[[], Any]) -> Any:
        delay = self._first_delay
        for attempt in range(1, self._attempts + 1):
            try:
                return call()
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                cause: Exception = error
            except httpx.HTTPStatusError as error:
                if error.response.status_code not in _UNAVAILABLE_STATUS:
                    raise
                cause = error
            if attempt == self._attempts:
                raise TrytonUnavailable(
                    "Unavailable",
                    f"the ERP at {self.server_url} did not answer after {attempt} attempts "
                    f"({type(cause).__name__}: {cause})",
                    "is the Tryton server running? For the sandbox: integration-pipeline "
                    "sandbox up",
                ) from cause
            self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")
