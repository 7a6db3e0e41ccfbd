"""A small lake for the UI tests, written as publish and validate leave it: Delta tables, day
manifests through ``claimflow.manifest``, and each run's quality folder.

Five days, one per state the page must show: validated but never published, failed after
validation (the accounting did not balance), published twice, and a day whose batch failed
data quality.
"""

from __future__ import annotations

from pathlib import Path

from delta_rows import article_row, claim_row, manifest_for, write_rows

from claimflow import layout
from claimflow.config import Settings
from claimflow.manifest import write_manifest
from claimflow.storage import LocalStore
from claimflow.storage.delta import table_uri
from claimflow.storage.records import put_json, put_jsonl_gz

ACCOUNTING, UNPUBLISHED, PUBLISHED_1, PUBLISHED_2, FAILED = (
    "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26")
# source_kind of each claim, one claim per article
CLAIMS = {PUBLISHED_1: ["anonymous", "person", "organisation"], PUBLISHED_2: ["organisation", "anonymous"]}


def run_id(day: str) -> str:
    return f"scheduled__{day}T23:30:00+00:00"


def _quality(store: LocalStore, day: str, *, failure: str | None = None, batch_failed: bool = False) -> None:
    """The run's quality folder: the verdict, the report, and a failed batch's quarantine."""
    run = run_id(day)
    put_json(store, layout.quality_file(day, run, layout.VALIDATION),
             {"passed": failure is None, "failures": [failure] if failure else []})
    verdict = f"FAILED: {failure}" if failure else "PASSED"
    store.put_bytes(layout.quality_file(day, run, layout.REPORT),
                    f"<html><body><h1>{day}: {verdict}</h1></body></html>".encode())
    if batch_failed:
        put_jsonl_gz(store, layout.quality_file(day, run, layout.FAILED_QUARANTINE), [])


def publish_day(settings: Settings, day: str, kinds: list[str], run: str | None = None) -> None:
    """Commit ``kinds`` (one claim per article) as ``day`` of run ``run`` and write its manifest."""
    run = run or run_id(day)
    claims = [claim_row(day, run, i, 0, source_kind=k, speaker=None if k == "anonymous" else "Ann")
              for i, k in enumerate(kinds)]
    articles = [article_row(day, run, i) for i in range(len(kinds))]
    versions = {"articles": write_rows(table_uri(settings, "articles"), "articles", articles, day=day)}
    # a file per claim, as a publish of one shard per article leaves it (maintenance compacts them)
    versions["claims"] = write_rows(table_uri(settings, "claims"), "claims", claims[:1], day=day)
    for claim in claims[1:]:
        versions["claims"] = write_rows(table_uri(settings, "claims"), "claims", [claim], day=day, mode="append")
    tables = {"articles": (len(articles), versions["articles"]), "claims": (len(claims), versions["claims"])}
    store = LocalStore(settings.lake)
    write_manifest(store, manifest_for(day, run, store.root, tables=tables, accounting=(len(kinds), len(kinds), 0)))


def build_lake(root: Path) -> Path:
    """A lake at ``root / "lake"``, each day in the state its name says."""
    settings = Settings(lake=str(root / "lake"))
    store = LocalStore(settings.lake)
    _quality(store, ACCOUNTING, failure="accounting does not balance: ingested 3 != published 1 + quarantined 1")
    _quality(store, UNPUBLISHED)
    for day in (PUBLISHED_1, PUBLISHED_2):
        _quality(store, day)
        publish_day(settings, day, CLAIMS[day])
    _quality(store, FAILED, failure="articles.volume failed: observed 0", batch_failed=True)
    return root / "lake"
