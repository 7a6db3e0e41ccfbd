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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from claimflow import __version__, layout
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed
from claimflow.ingest.articles import build_articles
from claimflow.ingest.sources import RejectedRecord, read_sources
from claimflow.ingest.web import Fetcher
from claimflow.models import Article
from claimflow.nlp.version import installed_version
from claimflow.storage import ObjectStore, open_store
from claimflow.storage.records import (
    StagedFile,
    get_json,
    iter_parquet_rows,
    put_frame_parquet,
    put_json,
    put_json_streamed,
    put_jsonl_gz,
    put_parquet,
    read_jsonl_gz,
)
from claimflow.tables import SCHEMAS, article_row, extraction_record, extraction_rows

if TYPE_CHECKING:
    from claimflow.quality.day import ShardResult

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
    fetcher = Fetcher(delay=settings.fetch_delay)
    inputs = read_sources(settings.sources, day, fetcher=fetcher, aws_conn_id=settings.aws_conn_id)
    for item in build_articles(inputs):
        (rejected if isinstance(item, RejectedRecord) else articles).append(item)
    put_jsonl_gz(store, layout.raw_archive(day), (a.to_dict() for a in articles))
    put_jsonl_gz(store, layout.staging(day, run_id) + "rejected.jsonl.gz", (vars(r) for r in rejected))
    uris = []
    for index, shard in enumerate(_shards(articles, settings)):
        key = layout.staged_shard(day, run_id, "articles", index)
        put_jsonl_gz(store, key, (a.to_dict() for a in shard))
        uris.append(store.uri(key))
    result = Ingested(uris, len(articles) + len(rejected), len(articles), len(rejected))
    put_json(store, layout.staging(day, run_id) + "ingest.json", {"day": day, "run_id": run_id, **vars(result)})
    log.info("ingested day=%s articles=%d rejected=%d shards=%d", day, result.articles, result.rejected, len(uris))
    return result


def extract(settings: Settings, shard_uri: str) -> str:
    """Run the NLP over one staged shard of articles, then validate and stage its tables
    (:func:`stage_extractions`); returns the URI of the shard's result."""
    from claimflow.nlp.pipeline import extract as run_nlp
    from claimflow.nlp.pipeline import load_nlp

    store = lake(settings)
    nlp = load_nlp(settings.spacy_model)
    articles = (Article.from_dict(row) for row in read_jsonl_gz(store, store.key(shard_uri)))
    extractions = run_nlp(nlp, articles, batch_size=settings.batch_size, n_process=settings.n_process)
    return stage_extractions(settings, shard_uri, ((e.article, extraction_record(e)) for e in extractions))


@dataclass(frozen=True)
class _Shard:
    """A staged shard of articles: its run (day and run id, from the run's ingest.json) and name."""

    day: str
    run_id: str
    name: str  # e.g. "shard-00003"

    @classmethod
    def of(cls, store: ObjectStore, key: str) -> _Shard:
        folder, filename = key.rsplit("/", 1)
        stage = folder.rsplit("/", 1)[0] + "/"
        run = get_json(store, stage + "ingest.json")
        if "day" not in run or "run_id" not in run or layout.staging(run["day"], run["run_id"]) != stage:
            raise ValueError(f"shard {key}: expected {stage}ingest.json to name the day and run id of {stage}")
        return cls(run["day"], run["run_id"], filename.split(".", 1)[0])

    @property
    def stage(self) -> str:
        return layout.staging(self.day, self.run_id)

    def part(self, kind: str, table: str) -> str:
        """This shard's staged Parquet file of ``table``; ``kind`` is "tables" or "quarantine"."""
        return f"{self.stage}{kind}/{table}/{self.name}.parquet"


def _quality_run(day: str, run_id: str) -> str:
    """The folder of one run's quality files (report, validation.json, per-shard GX results)."""
    return f"{layout.quality_prefix(day)}run={layout.run_key(run_id)}/"


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

    store = lake(settings)
    shard = _Shard.of(store, store.key(shard_uri))
    tables = _shard_tables(extractions, day=shard.day, run_id=shard.run_id)
    outcome = validate_shard(tables, day=shard.day, suites_dir=settings.include_dir / "gx")
    results = f"{_quality_run(shard.day, shard.run_id)}shards/{shard.name}.json"
    put_json(store, results, outcome.results)
    staged_tables = [
        {"table": t, **put_frame_parquet(store, shard.part("tables", t), outcome.good[t], SCHEMAS[t]).to_dict()}
        for t in layout.TABLES
    ]
    quarantine = _quarantine_strings(outcome.quarantine)
    staged_quarantine = [
        {"table": t, **put_parquet(store, shard.part("quarantine", t), (r for r in quarantine if r["table"] == t),
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
    key = f"{shard.stage}validated/{shard.name}.json"
    put_json(store, key, result.to_dict())
    log.info(
        "validated day=%s shard=%s articles=%d good=%d quarantined=%d failures=%d", shard.day, shard.name,
        len(tables["articles"]), len(outcome.good["articles"]), len(quarantine), len(outcome.failures),
    )
    return store.uri(key)


def _history(store: ObjectStore, day: str) -> list[int]:
    """Published article counts of the days before ``day`` that have a manifest."""
    counts = []
    date = dt.date.fromisoformat(day)
    for back in range(HISTORY_DAYS, 0, -1):
        key = layout.manifest((date - dt.timedelta(days=back)).isoformat())
        if store.exists(key):
            counts.append(get_json(store, key)["tables"]["articles"]["rows"])
    return counts


def _input_quarantine(store: ObjectStore, day: str, run_id: str) -> Iterator[dict[str, Any]]:
    """Ingest's refusals as quarantine rows of the ``inputs`` table, streamed."""
    for r in read_jsonl_gz(store, layout.staging(day, run_id) + "rejected.jsonl.gz"):
        yield {"table": "inputs", "record_id": r["name"], "article_id": None, "reason": r["reason"],
               "detail": r["detail"], "record": None, "dt": day}


def _quarantine_strings(frame) -> list[dict[str, Any]]:
    """Quarantine rows with every value a string or None, as QUARANTINE_SCHEMA wants them
    (a broken table may carry numbers or lists in its id columns)."""
    return [
        {k: (None if _missing(row.get(k)) else str(row[k])) for k in QUARANTINE_SCHEMA_FIELDS}
        for row in frame.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


QUARANTINE_SCHEMA_FIELDS = ("table", "record_id", "article_id", "reason", "detail", "record", "dt")
QUARANTINE_SCHEMA = pa.schema([(name, pa.string()) for name in QUARANTINE_SCHEMA_FIELDS])


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

    store = lake(settings)
    stage = layout.staging(day, run_id)
    quality = _quality_run(day, run_id)
    inputs = {"table": "inputs", **put_parquet(store, f"{stage}quarantine/inputs/ingest.parquet",
                                               _input_quarantine(store, day, run_id), QUARANTINE_SCHEMA).to_dict()}
    ingested = get_json(store, stage + "ingest.json")["records"]
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
            put_jsonl_gz(store, quality + "quarantine.jsonl.gz", rows)
        put_json(store, quality + "validation.json", outcome.results())
        store.put_bytes(quality + "report.html", outcome.report_html().encode("utf-8"))
        log.info("validated day=%s run=%s shards=%d passed=%s %s", day, run_id, outcome.shards, outcome.passed,
                 " ".join(f"{k}={v}" for k, v in outcome.accounting.to_dict().items()))
        if not outcome.passed:
            raise BatchFailed(day, outcome.failures)
        key = stage + "staged.json"
        put_json_streamed(store, key, {
            "accounting": outcome.accounting.to_dict(),
            "quality": {"passed": True, "results": quality + "validation.json", "report": quality + "report.html",
                        "statistics": outcome.statistics()},
            "tables": _lines(entries["tables"]),
            "quarantine": _lines(entries["quarantine"]),
        })
    return store.uri(key)


def _shard_result(store: ObjectStore, uri: str) -> ShardResult:
    """The result an extract task left at ``uri``, or a ValueError naming it."""
    from claimflow.quality.day import ShardResult  # noqa: F811  (imported for typing above)

    try:
        return ShardResult.from_dict(get_json(store, store.key(uri)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"shard result {uri}: not what extract writes ({exc!r})") from exc


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a local JSON-lines file, one at a time."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def publish(settings: Settings, day: str, run_id: str, staged_uri: str) -> dict[str, Any]:
    """Commit a staged day: drop the old manifest, copy files into place, remove files this run
    did not write, write the manifest last. A partition is trusted only through its manifest,
    so a publish that fails half way leaves no manifest and the next try completes it."""
    store = lake(settings)
    staged = get_json(store, store.key(staged_uri))
    store.delete([layout.manifest(day)])
    placed: dict[str, list[tuple[dict[str, Any], str]]] = {"tables": [], "quarantine": []}
    for part, partition in (("tables", layout.partition), ("quarantine", layout.quarantine_partition)):
        numbers: Counter[str] = Counter()  # each table's files are numbered from 0
        for entry in staged[part]:
            placed[part].append((entry, f"{partition(entry['table'], day)}part-{numbers[entry['table']]:05d}.parquet"))
            numbers[entry["table"]] += 1
    for entry, final in placed["tables"] + placed["quarantine"]:
        store.copy(entry["key"], final)
    keep = {final for _, final in placed["tables"] + placed["quarantine"]}
    prefixes = [layout.partition(t, day) for t in layout.TABLES]
    prefixes += [layout.quarantine_partition(t, day) for t in layout.QUARANTINE_TABLES]
    stale = [info.key for prefix in prefixes for info in store.list(prefix) if info.key not in keep]
    store.delete(stale)

    def describe(entries: list[tuple[dict[str, Any], str]]) -> dict[str, Any]:
        tables: dict[str, Any] = {}
        for e, final in entries:
            table = tables.setdefault(e["table"], {"rows": 0, "files": []})
            table["rows"] += e["rows"]
            table["files"].append(StagedFile(final, e["rows"], e["bytes"], e["sha256"]).to_dict())
        return tables

    manifest = {
        "day": day,
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "code_version": __version__,
        "model": {"name": settings.spacy_model, "version": installed_version(settings.spacy_model)},
        "lake": store.root,
        "tables": describe(placed["tables"]),
        "quarantine": describe(placed["quarantine"]),
        "accounting": staged["accounting"],
        "quality": staged["quality"],
        "raw_archive": layout.raw_archive(day),
    }
    put_json(store, layout.manifest(day), manifest)
    store.delete_prefix(layout.staging(day, run_id))
    log.info("published day=%s %s", day, " ".join(f"{t}={v['rows']}" for t, v in manifest["tables"].items()))
    return manifest
