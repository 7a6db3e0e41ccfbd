"""The four steps of a day, as plain functions: ingest → extract → validate → publish.

Each step reads what the previous one staged in the lake and returns object-store URIs, so the
Airflow tasks that call them pass only URIs through XCom and any worker can run any step.
Every step is keyed on the day and the run id: rerunning a day overwrites, never duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from claimflow import __version__, layout, recovery, staging
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed, ManifestError
from claimflow.explore.report import write_day_report
from claimflow.identity.registry import resolve_day
from claimflow.ingest.articles import given_records
from claimflow.ingest.dedup import DUPLICATE, REVISION, FirstPublished, canonical_url, classify, first_published
from claimflow.ingest.records import InputLimits, RawRecord, RejectedRecord
from claimflow.ingest.sources import read_sources
from claimflow.ingest.spool import spool_day
from claimflow.ingest.web import Fetcher
from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion, read_manifest, write_manifest
from claimflow.models import Article
from claimflow.nlp.version import installed_version
from claimflow.storage import ObjectStore, lease, open_lake
from claimflow.storage.delta import DayCommit, DeltaLake, StagedPart, staged_batches
from claimflow.storage.records import (
    get_json,
    iter_parquet_rows,
    put_frame_parquet,
    put_json,
    put_json_streamed,
    put_jsonl_gz,
    put_parquet,
    read_jsonl_gz,
)
from claimflow.tables import (
    ID_COLUMNS,
    QUARANTINE_COLUMNS,
    QUARANTINE_SCHEMA,
    SCHEMAS,
    article_row,
    extraction_record,
    extraction_rows,
    schema_of,
)

if TYPE_CHECKING:
    from claimflow.quality.day import ShardResult

log = logging.getLogger(__name__)

HISTORY_DAYS = 14  # earlier manifests read for the volume check
T = TypeVar("T")
PROGRESS_SECONDS = 30.0  # a long shard's extract logs how far it got this often


@dataclass(frozen=True)
class Ingested:
    """What ingest staged for a day: the article shards to extract and the input accounting
    (``records`` = ``articles`` + ``rejected``; ``already_published`` are inputs of earlier
    days, read again in the late window, that an earlier day published: not the day's;
    ``index_version`` is the ``articles`` version de-duplication read, None before the table
    exists: publish re-checks the days committed after it)."""

    shard_uris: list[str]
    records: int
    articles: int
    rejected: int
    already_published: int = 0
    index_version: int | None = None


def ingest(settings: Settings, day: str, run_id: str) -> Ingested:
    """Read, normalize and de-duplicate the day's inputs and its late window's; leave out what
    another day already published; archive the day's articles and stage them in shards.

    Articles stream through local temporary files (:func:`claimflow.ingest.spool.spool_day`),
    so memory holds their ids and URLs, not their texts, whatever the day's size.
    """
    inputs = read_sources(
        settings.sources,
        day,
        late_days=settings.late_days,
        fetcher=Fetcher.from_settings(settings),
        limits=InputLimits.from_settings(settings),
        s3=settings.s3,
        aws_conn_id=settings.aws_conn_id,
    )
    return _stage(settings, day, run_id, inputs)


def stage_articles(settings: Settings, day: str, run_id: str, articles: Iterable[Article | Mapping[str, Any]],
                   *, origin: str = "articles") -> Ingested:
    """Stage articles another task read (a team's own ingest) for extract, as :func:`ingest`
    stages a source's: each becomes a JSON-like record (:func:`claimflow.ingest.articles.given_records`,
    named ``<origin>#<n>``), then is normalized, checked, de-duplicated against what other days
    published, archived raw and dealt into shards; refusals are quarantined with their reason.
    All of them belong to ``day``; ``settings.sources`` is not read."""
    return _stage(settings, day, run_id, given_records(articles, origin))


def _stage(settings: Settings, day: str, run_id: str, inputs: Iterable[RawRecord | RejectedRecord]) -> Ingested:
    """The staging both ways in share: clear the run's staging, spool ``inputs`` against the
    published articles, upload the shards, the raw archive, the refusals and ``ingest.json``."""
    store = open_lake(settings)
    store.delete_prefix(layout.staging(day, run_id))
    tables = DeltaLake.open(settings)
    index_version = _published_version(settings, store, tables, day, run_id)

    def published(ids: set[str], urls: set[str]) -> FirstPublished:
        if index_version is None:  # nothing published yet
            return FirstPublished()
        return first_published(tables.uri("articles"), day, ids, urls, storage_options=tables.options,
                               version=index_version)

    with tempfile.TemporaryDirectory(prefix="claimflow-ingest-") as tmp:
        spooled = spool_day(inputs, Path(tmp), published,
                            shard_size=settings.shard_size, max_shards=settings.max_shards)
        store.put_file(layout.staged_raw_archive(day, run_id), spooled.archive)
        store.put_file(layout.staged_file(day, run_id, layout.REJECTED), spooled.refusals)
        uris = []
        for number, path in enumerate(spooled.shards):
            key = layout.staged_shard(day, run_id, number)
            store.put_file(key, path)
            uris.append(store.uri(key))
    result = Ingested(uris, spooled.taken + spooled.rejected, spooled.taken, spooled.rejected, spooled.already_published,
                      index_version)
    put_json(store, layout.staged_file(day, run_id, layout.INGEST), {"day": day, "run_id": run_id, **vars(result)})
    log.info("ingested day=%s articles=%d rejected=%d duplicates=%d superseded=%d revisions=%d already_published=%d shards=%d",
             day, result.articles, result.rejected, spooled.duplicates, spooled.superseded, spooled.revisions,
             result.already_published, len(uris))
    return result


def _published_version(settings: Settings, store: ObjectStore, tables: DeltaLake, day: str, run_id: str) -> int | None:
    """The ``articles`` version at which every day is as its manifest says: torn days rolled back
    under the lake publish lease (held for that only), then the latest version (None: no table)."""
    with lease.holding_lake(store, day, run_id, dt.timedelta(minutes=settings.publish_lease_minutes)) as held:
        recovery.recover(store, tables, run_id=run_id, lake=held.lake.generation, before_commit=held.renew)
        return tables.version("articles")


def extract(settings: Settings, shard_uri: str, *, on_label: Callable[[str], None] | None = None) -> str:
    """Run the NLP over one staged shard of articles, then validate and stage its tables
    (:func:`stage_extractions`); returns the URI of the shard's result.

    Args:
        settings: The run's settings.
        shard_uri: A shard ingest staged.
        on_label: Called first with the shard's :attr:`_Shard.label` (the DAG names its mapped
            task with it).
    """
    from claimflow.nlp.pipeline import extract as run_nlp
    from claimflow.nlp.pipeline import load_nlp

    store = open_lake(settings)
    shard = _Shard.of(store, store.key(shard_uri))
    if on_label is not None:
        on_label(shard.label)
    log.info("extract day=%s shard=%s: %s", shard.day, shard.name, shard.label)
    nlp = load_nlp(settings.spacy_model, settings.include_dir)
    articles = (Article.from_dict(row) for row in read_jsonl_gz(store, store.key(shard_uri)))
    extractions = run_nlp(nlp, articles, batch_size=settings.batch_size, n_process=settings.n_process)
    done = _progress(((e.article, extraction_record(e)) for e in extractions), shard)
    return stage_extractions(settings, shard_uri, done)


def _progress(extractions: Iterator[T], shard: _Shard, *, every: float = PROGRESS_SECONDS) -> Iterator[T]:
    """``extractions`` unchanged, logging every ``every`` seconds how many of the shard's articles are done."""
    started = last = time.monotonic()
    for done, extraction in enumerate(extractions, 1):
        yield extraction
        now = time.monotonic()
        if now - last >= every:
            last = now
            rate = done / (now - started)
            log.info("extract progress shard=%s articles=%d/%d elapsed=%.0fs left=%.0fs", shard.name, done,
                     shard.articles, now - started, max(0, shard.articles - done) / rate)


@dataclass(frozen=True)
class _Shard:
    """A staged shard of articles: its run (day and run id, from the run's ingest.json), name,
    and which of the day's articles it holds (ingest deals them round-robin over the shards)."""

    day: str
    run_id: str
    name: str  # e.g. "shard-00003"
    number: int  # from 0, its place among the day's shards
    shards: int  # the day's shards
    day_articles: int  # the day's articles, all shards

    @classmethod
    def of(cls, store: ObjectStore, key: str) -> _Shard:
        shard = layout.parse_staged_shard(key)
        ingested = layout.staged_file(shard.day, shard.run, layout.INGEST)
        run = get_json(store, ingested)
        if run.get("day") != shard.day or layout.run_key(str(run.get("run_id"))) != shard.run:
            raise ValueError(f"shard {key}: expected {ingested} to name the day and run id of its staging")
        names = [layout.parse_staged_shard(store.key(uri)).name for uri in run.get("shard_uris") or []]
        if shard.name not in names:
            raise ValueError(f"shard {key}: {ingested} does not list it among the day's shards")
        return cls(shard.day, run["run_id"], shard.name, names.index(shard.name), len(names), int(run.get("articles") or 0))

    @property
    def articles(self) -> int:
        """How many articles this shard holds: every ``shards``-th of the day's, from its number."""
        return len(range(self.number, self.day_articles, self.shards))

    @property
    def label(self) -> str:
        """The shard and its articles, numbered from 1 in ingest order: ``shard 2/4 · articles 2, 6 … 98 (25)``."""
        held = range(self.number + 1, self.day_articles + 1, self.shards)
        if len(held) == 0:
            articles = "no articles"
        elif len(held) <= 2:
            articles = f"article{'s' if len(held) > 1 else ''} {', '.join(map(str, held))}"
        else:
            articles = f"articles {held[0]}, {held[1]} … {held[-1]} ({len(held):,})"
        return f"shard {self.number + 1}/{self.shards} · {articles}"

    def part(self, table: str, *, quarantine: bool = False) -> str:
        """This shard's staged Parquet file of ``table``'s good rows, or of its quarantine."""
        key = layout.staged_quarantine if quarantine else layout.staged_table
        return key(self.day, self.run_id, table, self.name)


def _shard_tables(extractions: Iterable[tuple[Article, dict[str, Any]]], *, day: str, run_id: str):
    """One shard's four tables as DataFrames with the lake's columns."""
    import pandas as pd

    ingested_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in layout.TABLES}
    for article, record in extractions:
        rows["articles"].append(article_row(article, day=day, run_id=run_id, ingested_at=ingested_at))
        for table, table_rows in extraction_rows(record, day=day, run_id=run_id).items():
            rows[table].extend(table_rows)
    return {
        # infer_objects: a column all None (no claim with a source) is numeric again
        table: pd.DataFrame(rows[table], columns=SCHEMAS[table].names).infer_objects() if rows[table]
        else pd.DataFrame(columns=SCHEMAS[table].names)  # typed by SCHEMAS when written
        for table in layout.TABLES
    }


def stage_extractions(settings: Settings, shard_uri: str, extractions: Iterable[tuple[Article, dict[str, Any]]]) -> str:
    """Validate one shard's extractions and stage them; returns the URI of the shard's result.

    Builds the shard's tables, checks them with the suites (all but the day-level checks),
    stages the good rows and the quarantine as one Parquet file per table, the GX results
    under the run's quality folder, and a small :class:`ShardResult` that ``validate`` reads.
    A critical failure is recorded there, not raised, so that ``validate`` fails the day with
    every shard's problems in one report. Memory grows with the shard, never with the day.
    """
    from claimflow.quality import validate_shard
    from claimflow.quality.day import ShardResult

    store = open_lake(settings)
    shard = _Shard.of(store, store.key(shard_uri))
    tables = _shard_tables(extractions, day=shard.day, run_id=shard.run_id)
    outcome = validate_shard(tables, day=shard.day, suites_dir=settings.include_dir / "gx")
    results = layout.quality_shard(shard.day, shard.run_id, shard.name)
    put_json(store, results, outcome.results)
    staged_tables = [
        {"table": t, **put_frame_parquet(store, shard.part(t), outcome.good[t], SCHEMAS[t]).to_dict()}
        for t in layout.TABLES
    ]
    quarantine = _quarantine_strings(outcome.quarantine)
    staged_quarantine = [
        {"table": t, **put_parquet(store, shard.part(t, quarantine=True), (r for r in quarantine if r["table"] == t),
                                   QUARANTINE_SCHEMA).to_dict()}
        for t in layout.TABLES
    ]
    result = ShardResult(
        shard=shard.name,
        outcomes=outcome.tables,
        failures=outcome.failures,
        article_ids=[str(a) for a in tables["articles"]["article_id"].dropna()],
        staged_tables=staged_tables,
        staged_quarantine=staged_quarantine,
        results=results,
    )
    key = layout.validated_shard(shard.day, shard.run_id, shard.name)
    put_json(store, key, result.to_dict())
    log.info(
        "extracted day=%s shard=%s articles=%d entities=%d mentions=%d claims=%d; validated good_articles=%d "
        "quarantined=%d failures=%d", shard.day, shard.name, len(tables["articles"]), len(tables["entities"]),
        len(tables["mentions"]), len(tables["claims"]), len(outcome.good["articles"]), len(quarantine), len(outcome.failures),
    )
    return store.uri(key)


def _history(store: ObjectStore, day: str) -> list[int]:
    """Published article counts of the days before ``day`` that have a manifest."""
    counts = []
    date = dt.date.fromisoformat(day)
    for back in range(HISTORY_DAYS, 0, -1):
        earlier = (date - dt.timedelta(days=back)).isoformat()
        try:
            manifest = read_manifest(store, earlier)
        except ManifestError as exc:  # one unreadable day must not decide the volume of another
            log.warning("volume history skips day=%s: %s", earlier, exc.reason)
            continue
        if manifest is not None:
            counts.append(manifest.tables["articles"].rows)
    return counts


def _input_quarantine(store: ObjectStore, day: str, run_id: str) -> Iterator[dict[str, Any]]:
    """Ingest's refusals as quarantine rows of the ``inputs`` table, streamed."""
    for r in read_jsonl_gz(store, layout.staged_file(day, run_id, layout.REJECTED)):
        yield {"table": "inputs", "record_id": r["name"], "article_id": None, "reason": r["reason"],
               "detail": r["detail"], "record": None, "dt": day}


def _quarantine_strings(frame) -> list[dict[str, Any]]:
    """Quarantine rows with every value a string or None, as QUARANTINE_SCHEMA wants them
    (a broken table may carry numbers or lists in its id columns)."""
    return [
        {k: (None if _missing(row.get(k)) else str(row[k])) for k in QUARANTINE_COLUMNS}
        for row in frame.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def validate(settings: Settings, day: str, run_id: str, extracted_uris: list[str]) -> str:
    """Check the day from its shards' results, never their rows; stage the file list for publish.

    The shards validated their rows already (:func:`stage_extractions`); here the day-level
    checks run once: volume, article ids unique across shards, accounting. The report and
    ``validation.json`` go to the run's quality folder either way. A failed day (a shard's
    critical failure or a day-level one) also keeps what was refused there, which marks it
    failed for the UI, and raises BatchFailed. Returns the URI of ``staged.json``: one entry per
    shard and table, the accounting and the quality verdict.
    """
    from claimflow.quality.day import DayCheck
    from claimflow.quality.suites import load_config

    store = open_lake(settings)
    refused = layout.staged_quarantine(day, run_id, "inputs", layout.INPUTS_QUARANTINE)
    inputs = {"table": "inputs",
              **put_parquet(store, refused, _input_quarantine(store, day, run_id), QUARANTINE_SCHEMA).to_dict()}
    ingested = get_json(store, layout.staged_file(day, run_id, layout.INGEST))["records"]
    verdict, report = (layout.quality_file(day, run_id, name) for name in (layout.VALIDATION, layout.REPORT))
    config = load_config(settings.include_dir / "gx")
    with tempfile.TemporaryDirectory(prefix="claimflow-validate-") as tmp, DayCheck(day, config, _history(store, day)) as check:
        entries = {"tables": Path(tmp) / "tables.jsonl", "quarantine": Path(tmp) / "quarantine.jsonl"}
        entries["quarantine"].write_text(json.dumps(inputs) + "\n")
        with entries["tables"].open("a") as tables, entries["quarantine"].open("a") as quarantine:
            for uri in extracted_uris:  # one shard's result in memory at a time
                result = _shard_result(store, uri)
                check.add(result)
                tables.writelines(json.dumps(e) + "\n" for e in result.staged_tables)
                quarantine.writelines(json.dumps(e) + "\n" for e in result.staged_quarantine)
        outcome = check.finish(ingested=ingested, inputs_quarantined=inputs["rows"])
        if not outcome.passed:  # keep what was refused beside the report, then fail the day
            rows = (row for entry in _lines(entries["quarantine"]) for row in iter_parquet_rows(store, entry["key"]))
            put_jsonl_gz(store, layout.quality_file(day, run_id, layout.FAILED_QUARANTINE), rows)
        put_json(store, verdict, outcome.results())
        store.put_bytes(report, outcome.report_html().encode("utf-8"))
        log.info("validated day=%s run=%s shards=%d passed=%s %s", day, run_id, outcome.shards, outcome.passed,
                 " ".join(f"{k}={v}" for k, v in outcome.accounting.to_dict().items()))
        if not outcome.passed:
            raise BatchFailed(day, outcome.failures)
        key = layout.staged_file(day, run_id, layout.STAGED)
        put_json_streamed(store, key, {
            "accounting": outcome.accounting.to_dict(),
            "quality": {"passed": True, "results": verdict, "report": report,
                        "statistics": outcome.statistics()},
            "tables": _lines(entries["tables"]),
            "quarantine": _lines(entries["quarantine"]),
        })
    return store.uri(key)


def _shard_result(store: ObjectStore, uri: str) -> ShardResult:
    """The result an extract task left at ``uri``, or a ValueError naming it."""
    from claimflow.quality.day import ShardResult

    try:
        return ShardResult.from_dict(get_json(store, store.key(uri)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"shard result {uri}: not what extract writes ({exc!r})") from exc


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a local JSON-lines file, one at a time."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)

def _staged_parts(staged: dict[str, Any]) -> dict[str, list[StagedPart]]:
    """The staged files of every Delta table (quarantine ones as ``quarantine/<table>``), in order."""
    parts: dict[str, list[StagedPart]] = {table: [] for table in layout.DELTA_TABLES}
    for section, prefix in (("tables", ""), ("quarantine", "quarantine/")):
        for entry in staged[section]:
            parts[layout.delta_table(prefix + entry["table"])].append(StagedPart(entry["key"], entry["rows"], entry["sha256"]))
    return parts


def _ingest_index_version(store: ObjectStore, day: str, run_id: str) -> int | None:
    """The ``articles`` version ingest de-duplicated against (None: unknown, or no table then)."""
    try:
        return get_json(store, layout.staged_file(day, run_id, layout.INGEST)).get("index_version")
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class _Meanwhile:
    """What other days published since ingest read the index, for the staged articles: the
    duplicates (article id -> the day that published the text) and the revisions (article id ->
    the article that began the story at its canonical URL)."""

    duplicates: dict[str, str]
    revisions: dict[str, str]


def _published_elsewhere(store: ObjectStore, tables: DeltaLake, day: str, run_id: str,
                         articles: list[StagedPart]) -> _Meanwhile:
    """The staged articles another day has published by now, or whose story it has: ingest's
    look-up again (:func:`classify`), over the days committed since the version ingest read (all
    days when unknown). Run after :func:`recovery.recover` under the lake lease, so the latest
    version is what was published and no other day commits meanwhile: the authoritative
    cross-day check."""
    since = _ingest_index_version(store, day, run_id)
    days = None
    if since is not None:
        days = {c["day"] for c in tables.commits("articles", newer_than=since) if c.get("day") and c["day"] != day}
        if not days:
            return _Meanwhile({}, {})
    pairs = [
        (article_id, canonical_url(url))
        for batch in staged_batches(store, articles, SCHEMAS["articles"], columns=["article_id", "url"])
        for article_id, url in zip(batch.column("article_id").to_pylist(), batch.column("url").to_pylist(), strict=True)
    ]
    index = first_published(tables.uri("articles"), day, {a for a, _ in pairs}, {u for _, u in pairs if u},
                            storage_options=tables.options, days=days)
    verdicts = [(article_id, classify(index, article_id, url)) for article_id, url in pairs]
    found = _Meanwhile({a: v.first_day for a, v in verdicts if v.kind == DUPLICATE},
                       {a: v.revises for a, v in verdicts if v.kind == REVISION and v.revises})
    if found.duplicates or found.revisions:
        log.warning("publish found what other days published meanwhile day=%s run_id=%s duplicates=%d revisions=%d",
                    day, run_id, len(found.duplicates), len(found.revisions))
    return found


def _revised_rows(store: ObjectStore, articles: list[StagedPart], revisions: dict[str, str]) -> list[pa.RecordBatch]:
    """The staged article rows of ``revisions``, each linked to the article that began its story."""
    if not revisions:
        return []
    wanted = pc.field("article_id").isin(pa.array(sorted(revisions), pa.string()))
    rows = [row for batch in staged_batches(store, articles, SCHEMAS["articles"], filter=wanted) for row in batch.to_pylist()]
    return [pa.RecordBatch.from_pylist([{**row, "revises": revisions[row["article_id"]]} for row in rows],
                                       schema=SCHEMAS["articles"])]


def _duplicate_rows(store: ObjectStore, parts: dict[str, list[StagedPart]], duplicates: dict[str, str],
                    day: str) -> dict[str, list[dict[str, Any]]]:
    """The quarantine rows of the duplicates' staged rows of every table, reason ``duplicate``."""
    quarantined: dict[str, list[dict[str, Any]]] = {table: [] for table in layout.TABLES}
    if not duplicates:
        return quarantined
    for table in layout.TABLES:
        keep = pc.field("article_id").isin(pa.array(sorted(duplicates), pa.string()))
        for batch in staged_batches(store, parts[table], SCHEMAS[table], filter=keep):
            for row in batch.to_pylist():
                first = duplicates[row["article_id"]]
                quarantined[table].append({
                    "table": table, "record_id": str(row[ID_COLUMNS[table]]), "article_id": row["article_id"],
                    "reason": "duplicate", "detail": f"first published on {first} (article {row['article_id']})",
                    "record": json.dumps(row, ensure_ascii=False, default=str), "dt": day,
                })
    return quarantined


def publish(settings: Settings, day: str, run_id: str, staged_uri: str) -> Manifest:
    """Commit a staged day: under the day's publish lease and the lake's, archive the raw articles
    under this run's key, roll back torn days (:func:`recovery.recover`), quarantine as
    ``duplicate`` the staged articles another day has published meanwhile (with their entities,
    mentions and claims), resolve the day's entities against the entity registry
    (:func:`claimflow.identity.registry.resolve_day`: the staged entity ids become the surviving
    ones, the registry's rows for the day are staged), replace the day in every Delta table (one
    commit each), write the day report (:mod:`claimflow.explore.report`; a failure is logged, never
    the publish's), write the manifest last with each table's committed version and the report's
    key, then remove the run's staging.

    Each table shows the old day or the new one, never part of one; the manifest names the
    versions that belong together. A publish that fails or is killed half way leaves the old
    manifest, whose versions still read the previous run's day, and the next publish or ingest
    of any day rolls the torn tables back before reading them. Another run publishing the same
    day, or any other day, makes this one wait for the lake lease (up to the lease's time), then
    fail with PublishConflict if the day's lease is still taken (Airflow retries it).
    """
    store = open_lake(settings)
    staged = get_json(store, store.key(staged_uri))
    parts = _staged_parts(staged)
    ttl = dt.timedelta(minutes=settings.publish_lease_minutes)
    with lease.holding_lake(store, day, run_id, ttl) as held:  # first: waiting must not age the day's lease
        held.day = lease.acquire(store, day, run_id, ttl)
        raw = layout.raw_archive(day, run_id)
        store.copy(layout.staged_raw_archive(day, run_id), raw)
        tables = DeltaLake.open(settings)
        recovery.recover(store, tables, run_id=run_id, lake=held.lake.generation, before_commit=held.renew)
        meanwhile = _published_elsewhere(store, tables, day, run_id, parts["articles"])
        duplicates = meanwhile.duplicates
        # the registry as recovered, under the lake lease; the duplicates' entities count for nothing
        parts = resolve_day(settings, store, day, run_id, parts, lake=tables, leaving_out=duplicates)
        quarantined = _duplicate_rows(store, parts, duplicates, day)  # with the ids the lake uses
        commit = DayCommit(day, run_id, held.day.generation, held.lake.generation)
        versions = {}
        for table in layout.DELTA_TABLES:
            held.renew()
            name = table.removeprefix("quarantine/")
            if table.startswith("quarantine/"):
                added = [pa.RecordBatch.from_pylist(quarantined[name], schema=QUARANTINE_SCHEMA)] if quarantined.get(name) else []
                versions[table] = tables.replace_day(store, table, schema_of(table), parts[table], commit, add=added)
            else:
                dropped = duplicates if table in layout.TABLES else {}  # the registry has no article rows
                revised = _revised_rows(store, parts[table], meanwhile.revisions) if table == "articles" else []
                versions[table] = tables.replace_day(store, table, schema_of(table), parts[table], commit,
                                                     drop={*dropped, *meanwhile.revisions} if revised else dropped, add=revised)
        rows = {table: sum(part.rows for part in table_parts) for table, table_parts in parts.items()}
        for table, moved in quarantined.items():
            rows[table] -= len(moved)
            rows[f"quarantine/{table}"] += len(moved)
        accounting = Accounting(**staged["accounting"])
        accounting = Accounting(accounting.ingested, accounting.published - len(duplicates),
                                accounting.quarantined + len(duplicates))
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
            accounting=accounting,
            quality=Quality(quality["passed"], quality["results"], quality["report"], quality.get("statistics", {})),
            raw_archive=raw,
            registry=TableVersion(rows[layout.REGISTRY], versions[layout.REGISTRY]),
        )
        # the report reads the day at the versions just committed; a failure leaves it out, logged
        manifest = replace(manifest, day_report=write_day_report(settings, store, manifest))
        held.renew()
        write_manifest(store, manifest)
    staging.remove_run(store, day, run_id)
    log.info("published day=%s run_id=%s %s", day, run_id,
             " ".join(f"{t}={v.rows}@v{v.version}" for t, v in manifest.tables.items()))
    return manifest
