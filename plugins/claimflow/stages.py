"""The four steps of a day, as plain functions: ingest → extract → validate → publish.

Each step reads what the previous one staged in the lake and returns object-store URIs, so the
Airflow tasks that call them pass only URIs through XCom and any worker can run any step.
Every step is keyed on the day and the run id: rerunning a day overwrites, never duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from claimflow import __version__, layout, staging
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed
from claimflow.ingest.articles import build_articles
from claimflow.ingest.sources import InputLimits, RejectedRecord, read_sources
from claimflow.ingest.web import Fetcher
from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion, write_manifest
from claimflow.models import Article
from claimflow.nlp.version import installed_version
from claimflow.storage import ObjectStore, lease, open_store
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


def _shards(items: list[Any], settings: Settings) -> list[list[Any]]:
    """``items`` cut into at most ``max_shards`` near-equal shards of about ``shard_size``."""
    count = min(settings.max_shards, math.ceil(len(items) / settings.shard_size))
    return [items[i::count] for i in range(count)]


@dataclass(frozen=True)
class Ingested:
    """What ingest staged for a day: the article shards to extract and the input accounting."""

    shard_uris: list[str]
    records: int
    articles: int
    rejected: int


def ingest(settings: Settings, day: str, run_id: str) -> Ingested:
    """Read, normalize and de-duplicate the day's inputs; archive them; stage article shards."""
    store = lake(settings)
    store.delete_prefix(layout.staging(day, run_id))
    articles: list[Article] = []
    rejected: list[RejectedRecord] = []
    fetcher = Fetcher.from_settings(settings)
    inputs = read_sources(
        settings.sources, day, fetcher=fetcher, limits=InputLimits.from_settings(settings), aws_conn_id=settings.aws_conn_id
    )
    for item in build_articles(inputs):
        (rejected if isinstance(item, RejectedRecord) else articles).append(item)
    put_jsonl_gz(store, layout.staged_raw_archive(day, run_id), (a.to_archive_dict() for a in articles))
    put_jsonl_gz(store, layout.staging(day, run_id) + "rejected.jsonl.gz", (vars(r) for r in rejected))
    uris = []
    for index, shard in enumerate(_shards(articles, settings)):
        key = layout.staged_shard(day, run_id, "articles", index)
        put_jsonl_gz(store, key, (a.to_dict() for a in shard))
        uris.append(store.uri(key))
    result = Ingested(uris, len(articles) + len(rejected), len(articles), len(rejected))
    put_json(store, layout.staging(day, run_id) + "ingest.json", vars(result))
    log.info("ingested day=%s articles=%d rejected=%d shards=%d", day, result.articles, result.rejected, len(uris))
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
