"""Upkeep of the lake's Delta tables: compact small files, vacuum old ones, checkpoint the log.

Every publish writes a few files per day and every rerun tombstones the previous ones; left
alone, a table's file count, its storage and the log a reader replays grow without bound.
The weekly ``claimflow_maintenance`` DAG first rolls back torn days (:func:`recover`), then
runs :func:`maintain` once per table of ``layout.DELTA_TABLES``, then :func:`sweep_staging` and
:func:`sweep_raw_archives`.

Vacuum removes the files that no version newer than the retention still needs, and, as a
*full* vacuum, files no commit ever referenced (those of a run that lost a commit race or
crashed while writing). Both make time travel to versions older than the retention fail; and
a retention shorter than a publish can take would delete the uncommitted files of a publish in
flight, which is why ``Settings.vacuum_retention_hours`` has a floor
(``config.MIN_VACUUM_RETENTION_HOURS``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import ManifestError, TableMaintenanceFailed
from claimflow.manifest import read_manifest
from claimflow.storage import ObjectStore, open_lake
from claimflow.storage.delta import storage_options, table_uri

log = logging.getLogger(__name__)
T = TypeVar("T")

# A table property that, when set, is the table's own minimum retention; delta-rs enforces it.
RETENTION_PROPERTY = "delta.deletedFileRetentionDuration"


@dataclass(frozen=True)
class TableUpkeep:
    """What one table's upkeep did: files compacted, files vacuumed, the version checkpointed."""

    table: str
    files_removed: int  # small files compaction replaced (tombstoned, deleted by a later vacuum)
    files_added: int  # the larger files compaction wrote
    bytes_removed: int
    bytes_added: int
    files_vacuumed: int  # files physically deleted
    bytes_vacuumed: int
    version: int  # the table's version after upkeep, the one checkpointed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def maintain_table(
    table: str, uri: str, *, retention_hours: int, options: dict[str, str] | None = None
) -> TableUpkeep | None:
    """Compact, vacuum and checkpoint the Delta table at ``uri`` (and drop expired log entries).

    Args:
        table: The table's name in the lake (``claims``, ``quarantine/inputs``), for logs and errors.
        uri: The table's URI.
        retention_hours: Files that stopped being part of the table more recently than this, and
            unreferenced files younger than this, are kept.
        options: delta-rs storage options (S3 endpoint and credentials).

    Returns:
        What was done, or None when the table does not exist yet (nothing was ever published to it).

    Raises:
        TableMaintenanceFailed: a step failed (a concurrent publish won the commit, the store is
            down, the table's own retention property is longer than ``retention_hours``).
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        delta = DeltaTable(uri, storage_options=options)
    except TableNotFoundError:
        log.info("maintenance skipped table=%s reason=absent uri=%s", table, uri)
        return None
    compacted = _step(table, "compact", lambda: delta.optimize.compact())
    vacuumed_files, vacuumed_bytes = _step(table, "vacuum", lambda: _vacuum(delta, uri, retention_hours, options))
    _step(table, "checkpoint", lambda: _checkpoint(delta))
    upkeep = TableUpkeep(
        table=table,
        files_removed=int(compacted["numFilesRemoved"]),
        files_added=int(compacted["numFilesAdded"]),
        bytes_removed=_total_size(compacted["filesRemoved"]),
        bytes_added=_total_size(compacted["filesAdded"]),
        files_vacuumed=vacuumed_files,
        bytes_vacuumed=vacuumed_bytes,
        version=delta.version(),
    )
    log.info(
        "maintenance done table=%s files_removed=%d files_added=%d bytes_removed=%d bytes_added=%d "
        "files_vacuumed=%d bytes_vacuumed=%d version=%d retention_hours=%d",
        table, upkeep.files_removed, upkeep.files_added, upkeep.bytes_removed, upkeep.bytes_added,
        upkeep.files_vacuumed, upkeep.bytes_vacuumed, upkeep.version, retention_hours,
    )  # fmt: skip
    return upkeep


def _step(table: str, step: str, action: Callable[[], T]) -> T:
    """Run one step; a delta-rs or storage error becomes a failure naming the table and step."""
    from deltalake.exceptions import DeltaError

    try:
        return action()
    except (DeltaError, OSError) as error:
        raise TableMaintenanceFailed(table, step, f"{type(error).__name__}: {error}") from error


def _checkpoint(delta: Any) -> None:
    """Checkpoint the current version, then delete log entries older than the table's log
    retention (``delta.logRetentionDuration``, 30 days by default) that the checkpoint covers."""
    delta.create_checkpoint()
    delta.cleanup_metadata()


def _vacuum(delta: Any, uri: str, retention_hours: int, options: dict[str, str] | None) -> tuple[int, int]:
    """Delete files older than the retention, tracked or not; (files deleted, bytes deleted).

    delta-rs lists a table's old tombstones again on every vacuum, deleted or not, so the files
    are first listed (dry run) and only those still stored are counted; with none, no vacuum
    commit is written. delta-rs's retention check compares with the table's
    ``delta.deletedFileRetentionDuration`` and, where a table sets none, with a built-in week,
    which would refuse any shorter retention an operator configured: so the check is on only
    where the table sets its own minimum (a shorter ``retention_hours`` then fails rather than
    overriding the table); claimflow's own floor is checked where the setting is read.
    """
    from deltalake.fs import DeltaStorageHandler
    from pyarrow.fs import FileType

    vacuum = {
        "retention_hours": retention_hours,
        "enforce_retention_duration": RETENTION_PROPERTY in delta.metadata().configuration,
        "full": True,
    }
    candidates = delta.vacuum(dry_run=True, **vacuum)
    stored = DeltaStorageHandler(uri, options).get_file_info(candidates) if candidates else []
    present = [info for info in stored if info.type != FileType.NotFound]
    if present:
        delta.vacuum(dry_run=False, **vacuum)
    return len(present), sum(info.size or 0 for info in present)


def _total_size(stats: Any) -> int:
    """``totalSize`` of compaction's file statistics (a JSON string or a dict in delta-rs 1.x)."""
    import json

    if isinstance(stats, str):
        stats = json.loads(stats)
    return int(stats.get("totalSize", 0))


def recover(settings: Settings, run_id: str) -> list[str]:
    """Roll back the torn days a killed publish left (``claimflow.recovery``, reading each
    table's whole log, as far back as Delta keeps it), under the lake publish lease; returns them
    as ``table/day``. Run before compaction and vacuum: a torn day is put back from the files of
    the version before its torn commit, which a vacuum deletes once they have been superseded for
    longer than the retention."""
    from claimflow import recovery
    from claimflow.storage import lease, open_lake
    from claimflow.storage.delta import DeltaLake

    store = open_lake(settings)
    ttl = dt.timedelta(minutes=settings.publish_lease_minutes)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    with lease.holding_lake(store, today, run_id, ttl) as held:
        torn = recovery.recover(store, DeltaLake.open(settings), run_id=run_id, lake=held.lake.generation,
                                before_commit=held.renew, full=True)
    log.info("recovery done run_id=%s torn=%d", run_id, len(torn))
    return [f"{t.table}/{t.day}" for t in torn]


def maintain(settings: Settings, table: str) -> TableUpkeep | None:
    """The upkeep of ``table`` (one of ``layout.DELTA_TABLES``) in the configured lake."""
    return maintain_table(
        table,
        table_uri(settings, table),
        retention_hours=settings.vacuum_retention_hours,
        options=storage_options(settings),
    )


def sweep_staging(settings: Settings) -> list[str]:
    """Delete the staging of runs untouched for ``settings.staging_max_age_hours``: what a run
    that crashed before publishing or cleaning up left, full article text included. Returns
    the run prefixes removed. (``claimflow.staging`` and the setting are lake-commit's.)"""
    from claimflow.staging import sweep_staging as sweep

    swept = sweep(open_lake(settings), older_than=dt.timedelta(hours=settings.staging_max_age_hours))
    log.info("staging swept older_than_hours=%d runs=%d", settings.staging_max_age_hours, len(swept))
    return swept


def remove_unnamed_archives(store: ObjectStore, older_than: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
    """Delete the raw archives that no manifest names, once older than ``older_than``: those of
    runs that crashed during publish (the archive is copied before the tables are committed) or
    that a later run of the day superseded. Never the archive the day's manifest names, and
    nothing of a day whose manifest is unreadable (which archive it names is unknown). A publish
    in flight copied its archive moments ago, so the retention keeps it. Returns the keys removed."""
    now = now or dt.datetime.now(dt.timezone.utc)
    named: dict[str, str | None] = {}  # day -> the archive its manifest names (None: no manifest)
    unreadable: set[str] = set()
    removed: list[str] = []
    for info in store.list(layout.RAW):
        day = layout.raw_archive_day(info.key)
        if day is None or day in unreadable or info.modified is None or now - info.modified <= older_than:
            continue
        if day not in named:
            try:
                manifest = read_manifest(store, day)
            except ManifestError as error:
                log.warning("raw archives kept day=%s: its manifest is unreadable (%s)", day, error.reason)
                unreadable.add(day)
                continue
            named[day] = manifest.raw_archive if manifest else None
        if info.key != named[day]:
            removed.append(info.key)
            log.info("removing raw archive key=%s bytes=%d last_written=%s named=%s",
                     info.key, info.size, info.modified.isoformat(), named[day])
    store.delete(removed)
    return removed


def sweep_raw_archives(settings: Settings) -> list[str]:
    """Delete the raw archives no manifest names (crashed or superseded runs', full article text
    and pages) older than ``settings.vacuum_retention_hours``: the retention of the table
    versions those runs could have been read at. Returns the keys removed."""
    removed = remove_unnamed_archives(open_lake(settings), older_than=dt.timedelta(hours=settings.vacuum_retention_hours))
    log.info("raw archives swept older_than_hours=%d removed=%d", settings.vacuum_retention_hours, len(removed))
    return removed
