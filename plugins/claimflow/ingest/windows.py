"""Which inputs and items belong to which day: date placeholders, CC-NEWS file names, recent days.

A source may hold date placeholders so date-partitioned archives read only the run's day:
``archive/{yyyy}/{mm}/{dd}/`` or ``s3://b/news/dt={ds}/``; over a run's late window each distinct
address is read once, as the latest day that gives it. Files named like CC-NEWS'
(``CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz``) carry the day their crawl began. What the web gives
with no date is taken only by runs of today or yesterday (UTC, :func:`is_recent`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

RECENT_DAYS = 1  # runs of this many days before today (UTC) still take undated web content
_CC_NEWS = re.compile(r"CC-NEWS-(\d{4})(\d{2})(\d{2})\d{6}-\d+\.warc(?:\.gz)?$", re.IGNORECASE)


def expand(source: str, day: str) -> str:
    """``source`` with its date placeholders filled in for ``day``."""
    date = dt.date.fromisoformat(day)
    return source.format(ds=day, yyyy=f"{date:%Y}", mm=f"{date:%m}", dd=f"{date:%d}")


def cc_news_day(name: str) -> str | None:
    """The day (``YYYY-MM-DD``) in the name of a file named like CC-NEWS'
    (``CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz``: when its crawl began), else None."""
    match = _CC_NEWS.search(name.rsplit("/", 1)[-1])
    return "-".join(match.groups()) if match else None


def is_recent(day: str, today: dt.date | None = None) -> bool:
    """Whether ``day`` is today or up to RECENT_DAYS before it (UTC, unless ``today`` is given)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return dt.date.fromisoformat(day) >= today - dt.timedelta(days=RECENT_DAYS)


def addresses(sources: tuple[str, ...] | list[str], days: list[str]) -> Iterator[tuple[str, str, str]]:
    """``(source, address, day)`` for each distinct address a source's placeholders give over
    ``days`` (oldest first): a source without placeholders is read once, as the last day's."""
    for source in sources:
        by_address = {expand(source, each): each for each in days}  # the same address: the latest day
        for address, each in by_address.items():
            yield source, address, each
