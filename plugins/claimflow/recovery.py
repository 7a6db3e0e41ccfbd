"""Torn days: Delta commits of a day that its manifest does not name, rolled back before anything
reads what was published.

A publish commits every table of ``layout.DELTA_TABLES`` one by one and writes the manifest last. Killed in between, it
leaves tables whose latest version holds its rows for a day that no manifest published (a
*torn* day): a reader at the manifest's versions is fine, but anything reading the latest
version (cross-day de-duplication, above all) would take them for published. So whoever holds
the lake-wide publish lease (``storage.lease.acquire_lake``) first calls :func:`recover`: every
table's newest commit of a day is either the version the day's manifest names, or a restore of
it; any other is put back to the manifest's rows (or the day emptied, when it has no manifest).

Finding them stays cheap however long the lake's history: the log is read newest first and
stops at the first commit a manifest names, since that publish recovered every day before
committing (``DeltaLake.commits`` reads the log a few entries at a time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from claimflow import layout
from claimflow.exceptions import ManifestError
from claimflow.manifest import Manifest, read_manifest
from claimflow.storage import ObjectStore
from claimflow.storage.delta import NOTHING, DeltaLake
from claimflow.tables import schema_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TornDay:
    """A day whose newest commit in ``table`` (``version``) is not its manifest's: ``restores`` is
    the version the manifest names (None: no manifest, or none naming ``table``: the day is
    emptied there), ``published_by`` the run it names."""

    table: str
    day: str
    version: int
    restores: int | None
    published_by: str | None
    read_at: int | None = None  # the version before the day's oldest torn commit: the manifest's rows, in files
    # only that torn commit removed (the manifest's own version may be compacted and vacuumed away)


class _Manifests:
    """The manifests read while scanning, each once; an unreadable one is logged and left alone."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.read: dict[str, Manifest | None | ManifestError] = {}

    def get(self, day: str) -> Manifest | None | ManifestError:
        if day not in self.read:
            try:
                self.read[day] = read_manifest(self.store, day)
            except ManifestError as error:
                log.warning("recovery leaves day=%s alone: its manifest is unreadable (%s)", day, error.reason)
                self.read[day] = error
        return self.read[day]


def torn_days(store: ObjectStore, tables: DeltaLake, *, full: bool = False) -> list[TornDay]:
    """Every (table, day) whose newest commit its manifest does not name, newest first per table.
    ``full`` reads each table's whole log instead of stopping at the first commit a manifest
    names (maintenance, weekly: a lake torn before the lake lease existed is found too)."""
    manifests = _Manifests(store)
    torn: list[TornDay] = []
    for table in layout.DELTA_TABLES:
        decided: set[str] = set()
        opened: dict[str, int] = {}  # a torn day of this table whose older torn commits are still being read
        for entry in tables.commits(table):
            day = entry.get("day")
            if not day:  # the table's creation, compaction, vacuum: no day's rows change
                continue
            manifest = manifests.get(day)
            if isinstance(manifest, ManifestError):
                decided.add(day)
                continue
            # None: no manifest, or one written before the table existed (the registry): the day has no rows there
            named = manifest.versions().get(table) if manifest else None
            restores = entry.get("restores")
            settled = entry["version"] == named or (restores is not None and int(restores) == (NOTHING if named is None else named))
            if day in opened:  # an older commit of a torn day: torn too, unless it is (a restore of) the manifest's
                if settled:
                    del opened[day]
                else:
                    torn[opened[day]] = replace(torn[opened[day]], read_at=entry["version"] - 1)
            if entry["version"] == named and not full:
                break  # a complete publish's commit: it had recovered every older one
            if day in decided:
                continue
            decided.add(day)
            if entry["version"] == named:
                continue  # (full scan) the day is as its manifest says
            if restores is not None and int(restores) == (NOTHING if named is None else named):
                continue  # an earlier recovery put the day back already
            opened[day] = len(torn)
            torn.append(TornDay(table, day, entry["version"], named, manifest.run_id if manifest else None,
                                entry["version"] - 1 if named is not None else None))
    return torn


def recover(store: ObjectStore, tables: DeltaLake, *, run_id: str, lake: int,
            before_commit: Callable[[], None] = lambda: None, full: bool = False) -> list[TornDay]:
    """Roll back every torn day (see :func:`torn_days`); returns them. Call it holding the lake
    publish lease (number ``lake``, the restores' fence), with ``before_commit`` renewing it."""
    torn = torn_days(store, tables, full=full)
    for each in torn:
        before_commit()
        tables.restore_day(each.table, schema_of(each.table), each.day, each.restores, run_id=run_id, lake=lake,
                           published_by=each.published_by, read_at=each.read_at)
    if torn:
        log.warning("recovered torn days run_id=%s %s", run_id,
                    " ".join(f"{t.table}/{t.day}@v{t.version}->{t.restores}" for t in torn))
    return torn
