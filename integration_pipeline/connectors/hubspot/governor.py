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
CLOCK_SLACK_S = 0.01  # our clock and the server's need not tick alike


class Governor:
    """Counts requests over a rolling window. Each request is counted at the latest instant
    the server can have stamped it: when its answer came back (the send time until then). A
    slot that frees `window_s` after that instant is free at the server too, whatever the
    latency, so no safety margin is needed (a margin of 1.5 latencies, used before, allowed 5
    searches per 1.45 s, not per second, when answers took 0.3 s)."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window_s = limit, window_s
        self._clock, self._sleep = clock, sleep
        self._sent: deque[list[float]] = deque()  # one [instant] cell per request counted
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def _expire(self, now: float) -> None:
        while self._sent and now - self._sent[0][0] >= self.window_s:
            self._sent.popleft()

    def acquire(self) -> list[float]:
        """Block until one more request fits in the window, then count it; returns its cell
        for `answered`."""
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                if len(self._sent) < self.limit:
                    cell = [now]
                    self._sent.append(cell)
                    return cell
                wait = self.window_s - (now - self._sent[0][0]) + CLOCK_SLACK_S
            self.waited_s += wait
            self._sleep(wait)

    def answered(self, cell: list[float]) -> None:
        """The request of `cell` got its answer (or failed): count it as of now."""
        with self._lock:
            cell[0] = self._clock()

    def observe(self, remaining: int | None) -> None:
        """The server says how many requests are left: trust it when it sees fewer."""
        if remaining is None:
            return
        with self._lock:
            now = self._clock()
            self._expire(now)
            missing = (self.limit - remaining) - len(self._sent)
            # Someone else spent budget we did not see: count it as spent just now. A gap of
            # one or two is our own requests seen at the server's slightly different instants
            # (counting those would block slots for a whole window for nothing).
            if missing > OWN_SKEW:
                self._sent.extend([now] for _ in range(missing))


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
