"""A run's work in progress under ``_staging/``: removed when the run ends, published or failed,
and swept away when a crash left it behind (it holds full article text, so it must not pile up)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from claimflow import layout
from claimflow.storage import ObjectStore

log = logging.getLogger(__name__)


def remove_run(store: ObjectStore, day: str, run_id: str) -> int:
    """Delete one run's staging; returns how many objects there were."""
    count = store.delete_prefix(layout.staging(day, run_id))
    log.info("removed staging day=%s run_id=%s objects=%d", day, run_id, count)
    return count


def sweep_staging(store: ObjectStore, older_than: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
    """Delete every run's staging whose newest object is older than ``older_than``: what crashed
    runs left. A run still working keeps writing there, so its staging stays fresh. Returns the
    prefixes removed."""
    now = now or dt.datetime.now(dt.timezone.utc)
    newest: dict[str, dt.datetime] = defaultdict(lambda: dt.datetime.min.replace(tzinfo=dt.timezone.utc))
    for info in store.list(layout.STAGING):
        prefix = layout.staging_run_of(info.key)
        if prefix is None or info.modified is None:
            continue
        newest[prefix] = max(newest[prefix], info.modified)
    stale = sorted(prefix for prefix, modified in newest.items() if now - modified > older_than)
    for prefix in stale:
        count = store.delete_prefix(prefix)
        log.info("swept staging prefix=%s objects=%d last_written=%s", prefix, count, newest[prefix].isoformat())
    return stale
