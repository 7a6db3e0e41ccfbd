"""The time one web source may spend fetching, on an injectable clock.

A feed whose items carry only summaries costs a request per item, and a slow host makes each
one cost up to (retries + 1) × the timeout: without a bound, four items of a dead host take
minutes and a 5 MB feed's thousands take hours. Each source gets a :class:`Budget` of seconds
(``CLAIMFLOW_FETCH_SOURCE_BUDGET``) that its feed, its robots.txt, its redirects and its item
pages all draw on; the fetcher checks it before each wait and request and shortens a request's
timeout to what is left. What the budget leaves out is refused as ``budget``, never dropped
in silence. The clock is a plain callable, so a test moves time on instead of sleeping.

The budget is wall-clock time from the source's first request: records stream to ingest as
they come, so the time ingest spends on the source's pages (extracting their text) while the
next ones are fetched counts too (about 0.1 s a page, a few percent of the default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from claimflow.exceptions import RejectedInput
from claimflow.redact import redact_url

BUDGET = "budget"  # the quarantine reason of what a source's budget or item-page cap left out


@dataclass
class Budget:
    """``seconds`` of fetching for one source, counted on ``clock`` from the budget's creation."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float:
        """Seconds left; zero or less once spent."""
        return self.seconds - (self.clock() - self.started)

    def refuse(self, url: str, why: str = "the source's fetch budget is spent") -> RejectedInput:
        """The ``budget`` refusal of ``url``, saying ``why``."""
        return RejectedInput(BUDGET, f"{redact_url(url)}: not fetched, {why} (CLAIMFLOW_FETCH_SOURCE_BUDGET={self.seconds:g}s)")

    def check(self, url: str) -> None:
        """Raises the ``budget`` refusal of ``url`` when no time is left."""
        if self.remaining() <= 0:
            raise self.refuse(url)
