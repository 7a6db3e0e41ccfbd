"""What the UI reads from a lake: published days from their manifests, quality runs, trends.

Everything goes through an :class:`~claimflow.storage.ObjectStore`, so the page works on the
local folder and on S3 alike. Numbers come from the manifests (one small JSON per day); only
the share of anonymous sources needs the claims Parquet, and then only its ``source_kind``
column, cached by the file's SHA-256 so a page reload does not download it again.
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimflow import layout
from claimflow.storage import ObjectStore

MANIFESTS = "_manifests/"
QUALITY = "quality/"
_MANIFEST_KEY = re.compile(r"^_manifests/dt=(?P<day>\d{4}-\d{2}-\d{2})/_manifest\.json$")
_QUALITY_KEY = re.compile(r"^quality/dt=(?P<day>\d{4}-\d{2}-\d{2})/run=(?P<run>[A-Za-z0-9._-]+)/(?P<name>[^/]+)$")
RUN_KEY = re.compile(r"^[A-Za-z0-9._-]+$")  # what layout.run_key makes of a run id
# stages.validate stores the refused rows beside the report only when the batch fails.
FAILED_MARKER = "quarantine.jsonl.gz"
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

    @classmethod
    def of(cls, manifest: dict[str, Any]) -> DaySummary:
        quality = manifest.get("quality", {})
        return cls(
            day=manifest["day"],
            run_id=manifest["run_id"],
            published_at=manifest.get("published_at", ""),
            accounting=dict(manifest.get("accounting", {})),
            rows={table: entry["rows"] for table, entry in manifest.get("tables", {}).items()},
            quality_passed=bool(quality.get("passed")),
            report=quality.get("report"),
        )


@dataclass(frozen=True)
class QualityRun:
    """One run's quality folder: which files it left tells how far the run got."""

    day: str
    run: str  # the run id as made safe for keys
    files: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """``failed`` when the batch broke a critical expectation, else ``not published``
        (validated, but publish has not written a manifest: still running, or it failed)."""
        return "failed" if FAILED_MARKER in self.files else "not published"

    @property
    def report(self) -> str | None:
        return f"{layout.quality_prefix(self.day)}run={self.run}/report.html" if "report.html" in self.files else None

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
    anonymous_share: float | None  # anonymous sources / claims; None on a day without claims
    source_kinds: dict[str, int]


class LakeView:
    """Read-only questions the UI asks of one lake."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._source_kinds = functools.lru_cache(maxsize=4096)(self._read_source_kinds)

    def published_days(self) -> list[str]:
        """Every day with a manifest, oldest first (a listing of keys, no object read)."""
        return [m["day"] for info in self.store.list(MANIFESTS) if (m := _MANIFEST_KEY.match(info.key))]

    def manifest(self, day: str) -> dict[str, Any]:
        """The manifest of ``day``; raises ``FileNotFoundError`` when the day is not published."""
        from claimflow.storage.records import get_json

        return get_json(self.store, layout.manifest(day))

    def manifests(self, limit: int) -> list[dict[str, Any]]:
        """The manifests of the ``limit`` newest published days, newest first.

        A manifest that disappears between listing and reading (a rerun is republishing that
        day) is left out rather than failing the page.
        """
        days = self.published_days()[::-1][:limit]
        with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
            found = pool.map(self._manifest_or_none, days)
        return [manifest for manifest in found if manifest is not None]

    def _manifest_or_none(self, day: str) -> dict[str, Any] | None:
        try:
            return self.manifest(day)
        except FileNotFoundError:
            return None

    def quality_runs(self, day: str | None = None) -> list[QualityRun]:
        """The quality folders of one day, or of every day, in key order."""
        prefix = layout.quality_prefix(day) if day else QUALITY
        files: dict[tuple[str, str], list[str]] = {}
        for info in self.store.list(prefix):
            if match := _QUALITY_KEY.match(info.key):
                files.setdefault((match["day"], match["run"]), []).append(match["name"])
        return [QualityRun(d, run, tuple(names)) for (d, run), names in files.items()]

    def failed_days(self, limit: int) -> list[FailedDay]:
        """The ``limit`` newest days that were validated but have no manifest, newest first."""
        published = set(self.published_days())
        failed: dict[str, list[QualityRun]] = {}
        for run in self.quality_runs():
            if run.day not in published:
                failed.setdefault(run.day, []).append(run)
        return [FailedDay(day, failed[day]) for day in sorted(failed, reverse=True)[:limit]]

    def trends(self, days: int) -> list[TrendPoint]:
        """Volumes and ratios of the ``days`` newest published days, oldest first (chart order)."""
        return [self.trend_point(m) for m in reversed(self.manifests(days))]

    def report_key(self, day: str, run: str | None = None) -> str:
        """The report of ``run`` on ``day``, or the one the day's manifest links.

        Raises ``FileNotFoundError`` when the day has no manifest (and no run is named) or
        the manifest links no report; ``ValueError`` for a run that is not a run key.
        """
        if run is not None:
            if not RUN_KEY.match(run):
                raise ValueError(f"expected a run key like manual__2026-11-26T00_00_00_00_00, got {run!r}")
            return f"{layout.quality_prefix(day)}run={run}/report.html"
        report = self.manifest(day).get("quality", {}).get("report")
        if not report:
            raise FileNotFoundError(f"the manifest of {day} links no quality report")
        return report

    def trend_point(self, manifest: dict[str, Any]) -> TrendPoint:
        """One day's point: counts from the manifest, source kinds from its claims files."""
        tables = manifest.get("tables", {})
        articles = tables.get("articles", {}).get("rows", 0)
        claims = tables.get("claims", {}).get("rows", 0)
        kinds = self._claims_source_kinds(tables.get("claims", {}).get("files", [])) if claims else {}
        return TrendPoint(
            day=manifest["day"],
            articles=articles,
            claims=claims,
            entities=tables.get("entities", {}).get("rows", 0),
            quarantined=manifest.get("accounting", {}).get("quarantined", 0),
            claims_per_article=round(claims / articles, 3) if articles else None,
            anonymous_share=round(kinds.get(ANONYMOUS, 0) / claims, 3) if claims else None,
            source_kinds=kinds,
        )

    def _claims_source_kinds(self, files: Iterable[dict[str, Any]]) -> dict[str, int]:
        total: dict[str, int] = {}
        for entry in files:
            for kind, count in self._source_kinds(entry["key"], entry.get("sha256", "")).items():
                total[kind] = total.get(kind, 0) + count
        return dict(sorted(total.items()))

    def _read_source_kinds(self, key: str, sha256: str) -> dict[str, int]:
        """Claims per ``source_kind`` in one Parquet file; ``sha256`` only keys the cache, so a
        republished file (new content, new hash) is read again."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        with tempfile.TemporaryDirectory(prefix="claimflow-ui-") as tmp:
            path = Path(tmp) / "claims.parquet"
            self.store.get_file(key, path)
            column = pq.read_table(path, columns=["source_kind"]).column("source_kind")
        counts = pc.value_counts(column).to_pylist()
        return {"null" if item["values"] is None else str(item["values"]): item["counts"] for item in counts}
