"""HubSpot's rate limits: a rolling 10-second window per app, and search at 5 per second."""

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float


class RollingWindow:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> Verdict:
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= self.window_s:
                self._hits.popleft()
            if len(self._hits) >= self.limit:
                retry = self.window_s - (now - self._hits[0])
                return Verdict(False, self.limit, 0, max(retry, 0.0))
            self._hits.append(now)
            return Verdict(True, self.limit, self.limit - len(self._hits), 0.0)


class DailyCounter:
    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            self.used += 1
            return max(self.limit - self.used, 0)
