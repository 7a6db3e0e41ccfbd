"""A fake clock for the fetcher's pauses and a source's budget, shared by the web tests: no test sleeps."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class FakeClock:
    """A clock whose sleeps return at once and move its time on by what was asked; safe to share
    between the fetcher's threads."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        """Time passing in something other than a sleep (a request, in a fake web)."""
        with self._lock:
            self.now += seconds
