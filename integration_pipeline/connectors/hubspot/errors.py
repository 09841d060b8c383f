"""What the connector raises when HubSpot says no for good."""


class HubSpotError(Exception):
    def __init__(self, status: int, message: str, body: dict | None = None) -> None:
        super().__init__(f"HubSpot answered {status}: {message}")
        self.status, self.message, self.body = status, message, body or {}


class HubSpotAuthError(HubSpotError):
    """A wrong or expired token: retrying cannot help."""


class HubSpotUnavailable(HubSpotError):
    """Retries ran out on 429/5xx/timeouts."""
