"""Client-side pacing that keeps a client under HubSpot's rolling windows.

HubSpot counts requests over a rolling 10 seconds (190 for Professional) and searches per
second (5). Waiting here, before sending, makes 429s rare; the server's
X-HubSpot-RateLimit-Remaining header corrects the local view when other clients share the
same app's budget.
"""

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable

OWN_SKEW = 2


class Governor:
    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window_s = limit, window_s
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_s = 0.0
        # The server stamps a request when it arrives, a little after we send it; waiting
        # this much longer keeps our window from expiring before the server's does.
        self.margin_s = 0.05

    def acquire(self) -> None:
        """Block until one more request fits in the window, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window_s:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                wait = self.window_s - (now - self._sent[0]) + self.margin_s
            self.waited_s += wait
            self._sleep(wait)

    def observe_latency(self, seconds: float) -> None:
        self.margin_s = min(1.0, max(0.05, 1.5 * seconds))

    def observe(self, remaining: int | None) -> None:
        """The server says how many requests are left: trust it when it sees fewer."""
        if remaining is None:
            return
        with self._lock:
            now = self._clock()
            while self._sent and now - self._sent[0] >= self.window_s:
                self._sent.popleft()
            missing = (self.limit - remaining) - len(self._sent)
            # Someone else spent budget we did not see: count it as spent just now. A gap of
            # one or two is our own requests seen at the server's slightly different instants
            # (counting those would block slots for a whole window for nothing).
            if missing > OWN_SKEW:
                self._sent.extend([now] * missing)


_SHARED: dict[tuple, tuple[Governor, Governor]] = {}
_SHARED_LOCK = threading.Lock()


def shared_governors(
    base_url: str, token: str, requests_per_10s: int, searches_per_s: int
) -> tuple[Governor, Governor]:
    """The (requests, searches) governors of one app's budget, shared by every client of this
    process: the steps of a run each open their own client, and the budget is the app's."""
    key = (
        base_url.rstrip("/"),
        hashlib.sha256(token.encode()).hexdigest(),
        requests_per_10s,
        searches_per_s,
    )
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = (Governor(requests_per_10s, 10.0), Governor(searches_per_s, 1.0))
        return _SHARED[key]
