"""The day report: the day view's content as one self-contained HTML file, for people who never
open Airflow (mail it, put it on a wiki).

Publish writes it beside the day's manifest (``layout.day_report``) before the manifest, which
names it; ``claimflow report`` makes it on demand. A report that cannot be made never fails the
publish: the manifest then names none, and the reason is logged with the day.
"""

from __future__ import annotations

import datetime as dt
import logging

from claimflow import layout
from claimflow.config import Settings
from claimflow.explore.data import day_data
from claimflow.explore.html import day_report
from claimflow.manifest import Manifest
from claimflow.storage import ObjectStore

log = logging.getLogger(__name__)


def render_day_report(settings: Settings, manifest: Manifest) -> str:
    """The report of the day ``manifest`` published, read at its versions."""
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return day_report(day_data(settings, manifest), generated=generated)


def write_day_report(settings: Settings, store: ObjectStore, manifest: Manifest) -> str | None:
    """Write the report of ``manifest``'s day at ``layout.day_report``; its key, or None (logged
    with the day, the run and the reason) when it could not be made or written."""
    key = layout.day_report(manifest.day, manifest.run_id)
    try:
        store.put_bytes(key, render_day_report(settings, manifest).encode("utf-8"))
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the day stays published
        log.warning("day report not written day=%s run_id=%s reason=%s: %s", manifest.day, manifest.run_id,
                    type(error).__name__, error)
        return None
    log.info("day report written day=%s key=%s", manifest.day, key)
    return key
