"""The four steps of a day, as plain functions: ingest → extract → validate → publish.

Each step reads what the previous one staged in the lake and returns object-store URIs, so the
Airflow tasks that call them pass only URIs through XCom and any worker can run any step.
Every step is keyed on the day and the run id: rerunning a day overwrites, never duplicates.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import math
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

import pyarrow as pa

from claimflow import __version__, layout, staging
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed
from claimflow.ingest.articles import build_articles
from claimflow.ingest.dedup import FirstPublished, canonical_url, first_published
from claimflow.ingest.sources import InputLimits, RawRecord, RejectedRecord, read_sources
from claimflow.ingest.web import Fetcher
from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion, write_manifest
from claimflow.models import Article
from claimflow.nlp.version import installed_version
from claimflow.storage import ObjectStore, delta, lease, open_store
from claimflow.storage.delta import DayCommit, DeltaLake, StagedPart
from claimflow.storage.records import (
    get_json,
    put_frame_parquet,
    put_json,
    put_jsonl_gz,
    put_parquet,
    read_jsonl_gz,
)
from claimflow.tables import SCHEMAS, article_row, extraction_record, extraction_rows

log = logging.getLogger(__name__)

HISTORY_DAYS = 14  # earlier manifests read for the volume check


def lake(settings: Settings) -> ObjectStore:
    return open_store(settings.lake, aws_conn_id=settings.aws_conn_id)


def _shard_count(articles: int, settings: Settings) -> int:
    """How many shards ``articles`` fill: at most ``max_shards``, of about ``shard_size`` each."""
    return min(settings.max_shards, math.ceil(articles / settings.shard_size))


@dataclass(frozen=True)
class Ingested:
    """What ingest staged for a day: the article shards to extract and the input accounting
    (``records`` = ``articles`` + ``rejected``; ``already_published`` are inputs of earlier
    days, read again in the late window, that an earlier day published: not the day's)."""

    shard_uris: list[str]
    records: int
    articles: int
    rejected: int
    already_published: int = 0


class _Candidate(NamedTuple):
    """An article read by the run, as the cross-day index sees it: id, canonical URL, and the
    earlier day it belongs to (None: the run's own day)."""

    article_id: str
    url: str | None
    day: str | None


def _with_days(records: Iterable[RawRecord | RejectedRecord]) -> Iterator[tuple[str | None, Article | RejectedRecord]]:
    """``build_articles`` over ``records``, each result beside the day of the record it came
    from (build_articles gives exactly one result per record, in order)."""
    days: deque[str | None] = deque()

    def noting_days() -> Iterator[RawRecord | RejectedRecord]:
        for record in records:
            days.append(record.day if isinstance(record, RawRecord) else None)
            yield record

    for item in build_articles(noting_days()):
        yield days.popleft(), item


def _write_line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def _read_day(
    records: Iterable[RawRecord | RejectedRecord], spool: IO[str], refused: IO[str]
) -> tuple[list[_Candidate], int]:
    """Build the articles of ``records`` into ``spool`` (one JSON line each) and their refusals
    into ``refused``; returns the articles as candidates, in spool order, and the refusals' count."""
    candidates: list[_Candidate] = []
    rejected = 0
    for record_day, item in _with_days(records):
        if isinstance(item, RejectedRecord):
            _write_line(refused, vars(item))
            rejected += 1
        else:
            _write_line(spool, item.to_archive_dict())  # the page's original bytes too, for the raw archive
            candidates.append(_Candidate(item.article_id, canonical_url(item.url), record_day))
    return candidates, rejected


@dataclass(frozen=True)
class _Sorted:
    """How a day's candidates were sorted against the index: staged, quarantined, skipped."""

    shards: int
    taken: int
    duplicates: int
    already_published: int


def _sort_candidates(
    folder: Path, candidates: list[_Candidate], index: FirstPublished, refused: IO[str], settings: Settings
) -> _Sorted:
    """Stream the spooled articles (``folder/read.jsonl.gz``) into round-robin shard files and
    the raw archive (``folder/shard-NNNNN.jsonl.gz``, ``folder/raw.jsonl.gz``), except what
    another day published: an earlier day's input is skipped, a day's own is quarantined."""
    firsts = [index.of(c.article_id, c.url) for c in candidates]
    already = sum(1 for c, first in zip(candidates, firsts) if first and c.day)
    duplicates = sum(1 for c, first in zip(candidates, firsts) if first and not c.day)
    count = _shard_count(len(candidates) - already - duplicates, settings)
    taken = 0
    with ExitStack() as files:
        shards = [files.enter_context(gzip.open(folder / f"shard-{i:05d}.jsonl.gz", "wt", encoding="utf-8")) for i in range(count)]
        archive = files.enter_context(gzip.open(folder / "raw.jsonl.gz", "wt", encoding="utf-8"))
        spool = files.enter_context(gzip.open(folder / "read.jsonl.gz", "rt", encoding="utf-8"))
        for candidate, first, line in zip(candidates, firsts, spool):
            if first and candidate.day:  # an earlier day's input that that day published
                continue
            if first:
                detail = f"first published on {first} (article {candidate.article_id})"
                _write_line(refused, vars(RejectedRecord(json.loads(line)["path"], "duplicate", detail)))
                continue
            _write_line(shards[taken % count], Article.from_dict(json.loads(line)).to_dict())  # no page bytes
            archive.write(line)
            taken += 1
    return _Sorted(count, taken, duplicates, already)


def ingest(settings: Settings, day: str, run_id: str) -> Ingested:
    """Read, normalize and de-duplicate the day's inputs and its late window's; leave out what
    another day already published; archive the day's articles and stage them in shards.

    Articles stream through local temporary files (all read, then dealt round-robin into the
    shards), so memory holds their ids and URLs, not their texts, whatever the day's size.
    """
    store = lake(settings)
    stage = layout.staging(day, run_id)
    store.delete_prefix(stage)
    inputs = read_sources(
        settings.sources,
        day,
        late_days=settings.late_days,
        fetcher=Fetcher.from_settings(settings),
        limits=InputLimits.from_settings(settings),
        aws_conn_id=settings.aws_conn_id,
    )
    with tempfile.TemporaryDirectory(prefix="claimflow-ingest-") as tmp:
        folder = Path(tmp)
        with gzip.open(folder / "rejected.jsonl.gz", "wt", encoding="utf-8") as refused:
            with gzip.open(folder / "read.jsonl.gz", "wt", encoding="utf-8") as spool:
                candidates, rejected = _read_day(inputs, spool, refused)
            index = first_published(
                delta.table_uri(settings, "articles"), day, {c.article_id for c in candidates},
                {c.url for c in candidates if c.url}, storage_options=delta.storage_options(settings),
            )
            sorted_ = _sort_candidates(folder, candidates, index, refused, settings)
        store.put_file(layout.staged_raw_archive(day, run_id), folder / "raw.jsonl.gz")
        store.put_file(stage + "rejected.jsonl.gz", folder / "rejected.jsonl.gz")
        uris = []
        for number in range(sorted_.shards):
            key = layout.staged_shard(day, run_id, "articles", number)
            store.put_file(key, folder / f"shard-{number:05d}.jsonl.gz")
            uris.append(store.uri(key))
    rejected += sorted_.duplicates
    result = Ingested(uris, sorted_.taken + rejected, sorted_.taken, rejected, sorted_.already_published)
    put_json(store, stage + "ingest.json", vars(result))
    log.info("ingested day=%s articles=%d rejected=%d duplicates=%d already_published=%d shards=%d",
             day, result.articles, result.rejected, sorted_.duplicates, result.already_published, len(uris))
    return result


def extract(settings: Settings, shard_uri: str) -> str:
    """Run the NLP over one staged shard; returns the URI of its extraction records."""
    from claimflow.nlp.pipeline import extract as run_nlp
    from claimflow.nlp.pipeline import load_nlp

    store = lake(settings)
    in_key = store.key(shard_uri)
    out_key = layout.shard_as(in_key, "extracted")
    nlp = load_nlp(settings.spacy_model)
    articles = (Article.from_dict(row) for row in read_jsonl_gz(store, in_key))
    extractions = run_nlp(nlp, articles, batch_size=settings.batch_size, n_process=settings.n_process)
    count = put_jsonl_gz(store, out_key, (extraction_record(e) for e in extractions))
    log.info("extracted shard=%s articles=%d", in_key, count)
    return store.uri(out_key)


def _history(store: ObjectStore, day: str) -> list[int]:
    """Published article counts of the days before ``day`` that have a manifest."""
    counts = []
    date = dt.date.fromisoformat(day)
    for back in range(HISTORY_DAYS, 0, -1):
        key = layout.manifest((date - dt.timedelta(days=back)).isoformat())
        if store.exists(key):
            counts.append(get_json(store, key)["tables"]["articles"]["rows"])
    return counts


def _load_tables(store: ObjectStore, day: str, run_id: str, extracted_uris: list[str]):
    """The day's four tables as DataFrames, built shard by shard so that only one shard's rows
    are ever held as Python dicts (a day's worth cost several times the frames' own memory)."""
    import pandas as pd

    ingested_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    frames: dict[str, list[pd.DataFrame]] = {table: [] for table in layout.TABLES}
    for uri in extracted_uris:
        key = store.key(uri)
        rows: dict[str, list[dict[str, Any]]] = {table: [] for table in layout.TABLES}
        for row in read_jsonl_gz(store, layout.shard_as(key, "articles")):
            rows["articles"].append(article_row(Article.from_dict(row), day=day, run_id=run_id, ingested_at=ingested_at))
        for record in read_jsonl_gz(store, key):
            for table, table_rows in extraction_rows(record, day=day, run_id=run_id).items():
                rows[table].extend(table_rows)
        for table in layout.TABLES:
            if rows[table]:  # an empty frame has object columns and would turn numbers into objects
                frames[table].append(pd.DataFrame(rows[table], columns=SCHEMAS[table].names))
    return {
        # infer_objects: a column all None in one shard (no claim with a source) is numeric again
        table: pd.concat(parts, ignore_index=True).infer_objects() if parts else pd.DataFrame(columns=SCHEMAS[table].names)
        for table, parts in frames.items()
    }


def _input_quarantine(store: ObjectStore, day: str, run_id: str) -> list[dict[str, Any]]:
    """Ingest's refusals as quarantine rows of the ``inputs`` table."""
    return [
        {"table": "inputs", "record_id": r["name"], "article_id": None, "reason": r["reason"],
         "detail": r["detail"], "record": None, "dt": day}
        for r in read_jsonl_gz(store, layout.staging(day, run_id) + "rejected.jsonl.gz")
    ]


def _records(frame) -> Iterator[dict[str, Any]]:
    for row in frame.to_dict(orient="records"):
        yield {key: (None if _missing(value) else value) for key, value in row.items()}


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


QUARANTINE_SCHEMA_FIELDS = ("table", "record_id", "article_id", "reason", "detail", "record", "dt")
QUARANTINE_SCHEMA = pa.schema([(name, pa.string()) for name in QUARANTINE_SCHEMA_FIELDS])


def validate(settings: Settings, day: str, run_id: str, extracted_uris: list[str]) -> str:
    """Check the day's tables with the quality suites, stage the good rows and the quarantine.

    Record-level problems go to quarantine and the day goes on; a batch-level failure stores
    its report where the UI shows it and raises BatchFailed, so nothing of the day is published.
    Returns the URI of the staged file list that publish commits.
    """
    from claimflow.quality import validate_day

    store = lake(settings)
    stage = layout.staging(day, run_id)
    tables = _load_tables(store, day, run_id, extracted_uris)
    outcome = validate_day(tables, day=day, suites_dir=settings.include_dir / "gx", history=_history(store, day))
    quality = f"{layout.quality_prefix(day)}run={layout.run_key(run_id)}/"
    put_json(store, quality + "validation.json", outcome.results)
    store.put_bytes(quality + "report.html", outcome.report_html.encode("utf-8"))
    quarantine = [
        {k: (None if row.get(k) is None else str(row[k])) for k in QUARANTINE_SCHEMA_FIELDS}
        for row in _input_quarantine(store, day, run_id) + list(_records(outcome.quarantine))
    ]
    if not outcome.passed:  # keep what was refused beside the report, then fail the day
        put_jsonl_gz(store, quality + "quarantine.jsonl.gz", quarantine)
        raise BatchFailed(day, outcome.failures)

    staged: dict[str, Any] = {"tables": [], "quarantine": []}
    for table in layout.TABLES:
        part = put_frame_parquet(store, f"{stage}tables/{table}.parquet", outcome.good[table], SCHEMAS[table])
        staged["tables"].append({"table": table, **part.to_dict()})
    for table in layout.QUARANTINE_TABLES:
        rows = [row for row in quarantine if row["table"] == table]
        part = put_parquet(store, f"{stage}quarantine/{table}.parquet", rows, QUARANTINE_SCHEMA)
        staged["quarantine"].append({"table": table, **part.to_dict()})

    ingested = get_json(store, stage + "ingest.json")["records"]
    published = len(outcome.good["articles"])
    quarantined = sum(1 for row in quarantine if row["table"] in ("inputs", "articles"))
    if ingested != published + quarantined:
        raise BatchFailed(day, [f"accounting does not balance: ingested {ingested} != published {published} + quarantined {quarantined}"])
    staged["accounting"] = {"ingested": ingested, "published": published, "quarantined": quarantined}
    staged["quality"] = {"passed": True, "results": quality + "validation.json", "report": quality + "report.html",
                         "statistics": outcome.results.get("statistics", {})}
    key = stage + "staged.json"
    put_json(store, key, staged)
    return store.uri(key)


def _staged_parts(staged: dict[str, Any]) -> dict[str, list[StagedPart]]:
    """The staged files of every Delta table (quarantine ones as ``quarantine/<table>``), in order."""
    parts: dict[str, list[StagedPart]] = {table: [] for table in layout.DELTA_TABLES}
    for section, prefix in (("tables", ""), ("quarantine", "quarantine/")):
        for entry in staged[section]:
            parts[layout.delta_table(prefix + entry["table"])].append(StagedPart(entry["key"], entry["rows"], entry["sha256"]))
    return parts


def _schema(table: str) -> pa.Schema:
    return QUARANTINE_SCHEMA if table.startswith("quarantine/") else SCHEMAS[table]


def publish(settings: Settings, day: str, run_id: str, staged_uri: str) -> Manifest:
    """Commit a staged day: under the day's publish lease, archive the raw articles under this
    run's key, replace the day in every Delta table (one commit each), write the manifest last
    with each table's committed version, then remove the run's staging.

    Each table shows the old day or the new one, never part of one; the manifest names the
    versions that belong together. A publish that fails half way leaves the old manifest, whose
    versions still read the previous run's day, and the next try completes it. Another run
    publishing the same day makes this one fail with PublishConflict (Airflow retries it).
    """
    store = lake(settings)
    staged = get_json(store, store.key(staged_uri))
    parts = _staged_parts(staged)
    ttl = dt.timedelta(minutes=settings.publish_lease_minutes)
    held = lease.acquire(store, day, run_id, ttl)
    try:
        raw = layout.raw_archive(day, run_id)
        store.copy(layout.staged_raw_archive(day, run_id), raw)
        tables, commit = DeltaLake.open(settings), DayCommit(day, run_id, held.generation)
        versions = {}
        for table in layout.DELTA_TABLES:
            held = held.renew(ttl)
            versions[table] = tables.replace_day(store, table, _schema(table), parts[table], commit)
        rows = {table: sum(part.rows for part in table_parts) for table, table_parts in parts.items()}
        quality = staged["quality"]
        manifest = Manifest(
            day=day,
            run_id=run_id,
            published_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            code_version=__version__,
            model=Model(settings.spacy_model, installed_version(settings.spacy_model)),
            lake=store.root,
            tables={t: TableVersion(rows[t], versions[t]) for t in layout.TABLES},
            quarantine={t: TableVersion(rows[f"quarantine/{t}"], versions[f"quarantine/{t}"]) for t in layout.QUARANTINE_TABLES},
            accounting=Accounting(**staged["accounting"]),
            quality=Quality(quality["passed"], quality["results"], quality["report"], quality.get("statistics", {})),
            raw_archive=raw,
        )
        held = held.renew(ttl)
        write_manifest(store, manifest)
    except BaseException:
        _release_after_failure(held)
        raise
    held.release()
    staging.remove_run(store, day, run_id)
    log.info("published day=%s run_id=%s %s", day, run_id,
             " ".join(f"{t}={v.rows}@v{v.version}" for t, v in manifest.tables.items()))
    return manifest


def _release_after_failure(held: lease.PublishLease) -> None:
    """Let the day go after a failed publish; if even that fails (the store is down), the lease
    expires on its own, and a retry of this run takes it over at once."""
    try:
        held.release()
    except Exception as error:  # the publish's own error is the one to raise
        log.warning("could not release publish lease day=%s run_id=%s: %s", held.day, held.run_id, error)
