"""What the UI reads from a lake: published days from their manifests, quality runs, trends.

Manifests and quality files go through an :class:`~claimflow.storage.ObjectStore`, so the page
works on the local folder and on S3 alike. Numbers come from the manifests (one small JSON
per day, read through :mod:`claimflow.manifest`); only the share of anonymous sources needs
the ``claims`` Delta table, and then only its ``source_kind`` column for one day at the
version the manifest recorded, cached per day and version so a page reload reads nothing.
A manifest that cannot be read makes its day "unreadable", never the page fail.
"""

from __future__ import annotations

import functools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import ManifestError
from claimflow.storage import ObjectStore

if TYPE_CHECKING:  # claimflow.manifest imports pyarrow, which the plugin's import must not
    from claimflow.manifest import Manifest

log = logging.getLogger(__name__)

MAX_VERDICT_BYTES = 8 << 20  # a larger validation.json is not read for its verdict
ANONYMOUS = "anonymous"
FETCH_THREADS = 8  # manifests fetched at once: S3 latency, not bandwidth, bounds a page


@dataclass(frozen=True)
class DaySummary:
    """One published day as the runs table shows it, all from its manifest."""

    day: str
    run_id: str
    published_at: str
    accounting: dict[str, int]
    rows: dict[str, int]
    quality_passed: bool
    report: str | None  # key of the quality report the manifest links
    day_report: str | None = None  # key of the day report the manifest names (None before it existed)

    @classmethod
    def of(cls, manifest: Manifest) -> DaySummary:
        return cls(
            day=manifest.day,
            run_id=manifest.run_id,
            published_at=manifest.published_at,
            accounting=asdict(manifest.accounting),
            rows={table: entry.rows for table, entry in manifest.tables.items()},
            quality_passed=manifest.quality.passed,
            report=manifest.quality.report or None,
            day_report=manifest.day_report,
        )


@dataclass(frozen=True)
class UnreadableDay:
    """A day whose manifest is there but cannot be read; why is logged, never shown."""

    day: str

    def to_dict(self) -> dict[str, str]:
        return {"day": self.day, "verdict": "unreadable"}


@dataclass(frozen=True)
class QualityRun:
    """One run's quality folder: which files it left, and their verdict, tell how far it got."""

    day: str
    run: layout.RunKey  # the run id as made safe for keys
    files: tuple[str, ...]
    failed: bool  # a check failed: the batch, the accounting, any day-level check

    @property
    def verdict(self) -> str:
        """``failed`` when any check failed, else ``not published`` (validated, but publish has
        not written a manifest: still running, or publish itself failed)."""
        return "failed" if self.failed else "not published"

    @property
    def report(self) -> str | None:
        return layout.quality_file(self.day, self.run, layout.REPORT) if layout.REPORT in self.files else None

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "run": self.run, "verdict": self.verdict, "report": self.report}


@dataclass(frozen=True)
class FailedDay:
    """A day with quality runs but no manifest: nothing of it is published, and it must show."""

    day: str
    runs: list[QualityRun]

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "runs": [run.to_dict() for run in self.runs]}


@dataclass(frozen=True)
class TrendPoint:
    """One published day's volumes and the two ratios editors watch."""

    day: str
    articles: int
    claims: int
    entities: int
    quarantined: int
    claims_per_article: float | None
    anonymous_share: float | None  # anonymous sources / claims; None without claims or unreadable
    source_kinds: dict[str, int]


class LakeView:
    """Read-only questions the UI asks of one lake."""

    def __init__(self, store: ObjectStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._source_kinds = functools.lru_cache(maxsize=4096)(self._read_source_kinds)
        self._delta_options: dict[str, str] | None = None  # resolved on the first Delta read

    def published_days(self) -> dict[str, int]:
        """Every day with a manifest, oldest first, with the manifest's size (one listing, no
        object read: the size lets an oversized manifest be refused unread)."""
        return {day: info.size for info in self.store.list(layout.MANIFESTS) if (day := layout.manifest_day(info.key))}

    def manifest(self, day: str, *, size: int | None = None) -> Manifest | None:
        """The manifest of ``day``, None when the day is not published; ManifestError when it is
        there but unreadable (the caller shows the day as unreadable)."""
        from claimflow.manifest import read_manifest

        return read_manifest(self.store, day, size=size)

    def days(self, limit: int) -> list[Manifest | UnreadableDay]:
        """The ``limit`` newest published days, newest first: manifests, or UnreadableDay.

        A manifest that disappears between listing and reading (a rerun is republishing that
        day) is left out rather than failing the page.
        """
        sizes = self.published_days()
        days = list(sizes)[::-1][:limit]
        with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
            found = pool.map(lambda day: self._day(day, sizes[day]), days)
        return [entry for entry in found if entry is not None]

    def manifests_between(self, first: str, last: str) -> list[Manifest]:
        """The readable manifests of the published days from ``first`` to ``last``, oldest first
        (an unreadable one is logged and left out: the explorer shows the days it can read)."""
        sizes = {day: size for day, size in self.published_days().items() if first <= day <= last}
        with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
            found = pool.map(lambda day: self._day(day, sizes[day]), sizes)
        return [entry for entry in found if entry is not None and not isinstance(entry, UnreadableDay)]

    def manifests(self, limit: int) -> list[Manifest]:
        """The readable manifests among the ``limit`` newest published days, newest first."""
        return [entry for entry in self.days(limit) if not isinstance(entry, UnreadableDay)]

    def _day(self, day: str, size: int) -> Manifest | UnreadableDay | None:
        try:
            return self.manifest(day, size=size)
        except ManifestError as error:
            log.warning("manifest unreadable day=%s reason=%s", day, error.reason)
            return UnreadableDay(day)

    def quality_runs(self, day: str | None = None) -> list[QualityRun]:
        """The quality folders of one day, or of every day, in key order."""
        return self._runs(self._quality_files(layout.quality_prefix(day) if day else layout.QUALITY))

    def failed_days(self, limit: int) -> list[FailedDay]:
        """The ``limit`` newest days that were validated but have no manifest, newest first."""
        published = set(self.published_days())
        files = {run: names for run, names in self._quality_files(layout.QUALITY).items() if run[0] not in published}
        days = sorted({day for day, _run in files}, reverse=True)[:limit]
        runs = self._runs({run: names for run, names in files.items() if run[0] in days})
        return [FailedDay(day, [run for run in runs if run.day == day]) for day in days]

    def _quality_files(self, prefix: str) -> dict[tuple[str, layout.RunKey], dict[str, int]]:
        """(day, run) -> {file name: size} of the quality folders under ``prefix`` (one listing)."""
        files: dict[tuple[str, layout.RunKey], dict[str, int]] = {}
        for info in self.store.list(prefix):
            if found := layout.parse_quality_file(info.key):
                files.setdefault((found.day, found.run), {})[found.name] = info.size
        return files

    def _runs(self, files: dict[tuple[str, layout.RunKey], dict[str, int]]) -> list[QualityRun]:
        return [QualityRun(d, run, tuple(names), failed=self._run_failed(d, run, names)) for (d, run), names in files.items()]

    def _run_failed(self, day: str, run: layout.RunKey, files: dict[str, int]) -> bool:
        """Whether a run failed a check: its failed batch's quarantine, or ``"passed": false``
        in its validation.json (an unreadable or oversized one says nothing)."""
        if layout.FAILED_QUARANTINE in files:
            return True
        if layout.VALIDATION not in files or files[layout.VALIDATION] > MAX_VERDICT_BYTES:
            return False
        key = layout.quality_file(day, run, layout.VALIDATION)
        try:
            verdict = json.loads(self.store.get_bytes(key))
        except FileNotFoundError:
            return False
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            log.warning("quality verdict unreadable key=%s reason=%s", key, type(error).__name__)
            return False
        return isinstance(verdict, dict) and verdict.get("passed") is False

    def trends(self, days: int) -> list[TrendPoint]:
        """Volumes and ratios of the ``days`` newest published days, oldest first (chart order)."""
        return [self.trend_point(m) for m in reversed(self.manifests(days))]

    def report_key(self, day: str, run: str | None = None) -> str:
        """The report of ``run`` on ``day``, or the one the day's manifest links.

        Raises ``FileNotFoundError`` when the day has no manifest (and no run is named),
        ``ManifestError`` when its manifest is unreadable, ``ValueError`` for a run that is
        not a run key.
        """
        if run is not None:
            return layout.quality_file(day, layout.check_run_key(run), layout.REPORT)
        manifest = self.manifest(day)
        if manifest is None or not manifest.quality.report:
            raise FileNotFoundError(f"{day} has no manifest linking a quality report")
        return manifest.quality.report

    def trend_point(self, manifest: Manifest) -> TrendPoint:
        """One day's point: counts from the manifest, source kinds from the claims table."""
        articles = manifest.tables["articles"].rows
        claims = manifest.tables["claims"]
        kinds = self._kinds_or_unknown(manifest.day, manifest.run_id, claims.version, claims.rows) if claims.rows else {}
        return TrendPoint(
            day=manifest.day,
            articles=articles,
            claims=claims.rows,
            entities=manifest.tables["entities"].rows,
            quarantined=manifest.accounting.quarantined,
            claims_per_article=round(claims.rows / articles, 3) if articles else None,
            anonymous_share=round(kinds.get(ANONYMOUS, 0) / claims.rows, 3) if kinds else None,
            source_kinds=kinds,
        )

    def _kinds_or_unknown(self, day: str, run_id: str, version: int, rows: int) -> dict[str, int]:
        """The day's claims per source kind, or {} (unknown) when the table cannot tell: logged,
        never the page's failure, and not cached, so the next page load tries again."""
        from deltalake.exceptions import DeltaError

        try:
            return self._source_kinds(day, run_id, version, rows)
        except (DeltaError, OSError, _Replaced) as error:
            log.warning("claims unreadable day=%s version=%d reason=%s", day, version, type(error).__name__)
            return {}

    def _read_source_kinds(self, day: str, run_id: str, version: int, rows: int) -> dict[str, int]:
        """Claims per ``source_kind`` of the run ``run_id`` published for ``day`` at ``version``.

        Once maintenance has compacted the day and vacuumed past the retention, that version's
        files are gone (and later its log entries); the latest version then has the same rows
        if it still holds that run's ``rows`` claims for the day (compaction rewrites files,
        not rows); if not, _Replaced.
        """
        try:
            return _kinds(self._claims(day, version).to_table(columns=["source_kind"]))
        except FileNotFoundError:
            latest = self._claims(day, None).to_table(columns=["source_kind", "run_id"])
            if latest.num_rows == rows and set(latest.column("run_id").to_pylist()) == {run_id}:
                return _kinds(latest)
            raise _Replaced(f"claims of {day} at version {version} were vacuumed and the day republished") from None

    def _claims(self, day: str, version: int | None) -> Any:
        from claimflow.readers import open_table
        from claimflow.storage.delta import storage_options, table_uri

        if self._delta_options is None:
            self._delta_options = storage_options(self.settings)
        dataset = open_table(table_uri(self.settings, "claims"), options=self._delta_options, version=version, day=day)
        if dataset is None:
            raise FileNotFoundError(f"no claims table in {self.settings.lake}")
        return dataset


class _Replaced(Exception):
    """The version a manifest names was vacuumed, and the latest holds another run's day."""


def _kinds(table: Any) -> dict[str, int]:
    """Rows per ``source_kind`` of an Arrow table, kinds in name order (a null counts as "null")."""
    import pyarrow.compute as pc

    counts = pc.value_counts(table.column("source_kind")).to_pylist()
    return dict(sorted(("null" if c["values"] is None else str(c["values"]), c["counts"]) for c in counts))
