"""A staged day written the way ingest and validate leave it (several Parquet files per table,
a raw archive, ``staged.json``), without running the NLP: publish tests in seconds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from claimflow import layout
from claimflow.config import Settings
from claimflow.storage import lease, open_lake
from claimflow.storage.records import put_json, put_jsonl_gz, put_parquet
from claimflow.tables import ID_COLUMNS, QUARANTINE_SCHEMA, SCHEMAS


def _row(table: str, index: int, day: str, run_id: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(SCHEMAS[table].names)
    row.update({ID_COLUMNS[table]: f"{table}-{index}", "article_id": f"{day}/articles-{index % 3}", "dt": day, "run_id": run_id})
    return row


def stage_day(settings: Settings, day: str, run_id: str, rows: dict[str, int], *, shards: int = 2,
              rejected: int = 1) -> str:
    """Stage ``rows[table]`` rows of every table, cut into ``shards`` files, and ``rejected``
    refused inputs; every row's ``run_id`` column names the run. Returns the staged.json URI."""
    store = open_lake(settings)
    staged: dict[str, Any] = {"tables": [], "quarantine": []}
    for table in layout.TABLES:
        for shard in range(shards):
            part = put_parquet(store, layout.staged_table(day, run_id, table, layout.shard_name(shard)),
                               (_row(table, i, day, run_id) for i in range(shard, rows.get(table, 0), shards)),
                               SCHEMAS[table])
            staged["tables"].append({"table": table, **part.to_dict()})
    refused = [{"table": "inputs", "record_id": f"bad-{i}", "article_id": None, "reason": "empty",
                "detail": run_id, "record": None, "dt": day} for i in range(rejected)]
    for table in layout.QUARANTINE_TABLES:
        part = put_parquet(store, layout.staged_quarantine(day, run_id, table, layout.shard_name(0)),
                           (r for r in refused if r["table"] == table),
                           QUARANTINE_SCHEMA)
        staged["quarantine"].append({"table": table, **part.to_dict()})
    articles = rows.get("articles", 0)
    put_jsonl_gz(store, layout.staged_raw_archive(day, run_id), ({"article_id": f"articles-{i}", "run": run_id} for i in range(articles)))
    staged["accounting"] = {"ingested": articles + rejected, "published": articles, "quarantined": rejected}
    staged["quality"] = {"passed": True, "results": layout.quality_file(day, run_id, layout.VALIDATION),
                         "report": layout.quality_file(day, run_id, layout.REPORT), "statistics": {}}
    key = layout.staged_file(day, run_id, layout.STAGED)
    put_json(store, key, staged)
    return store.uri(key)


def stage_records(settings: Settings, day: str, run_id: str, shards: list[list[dict[str, Any]]]) -> str:
    """Stage extraction records (as ``claimflow extract`` prints them), one list per shard, the
    way validate leaves good rows for publish; no quarantine. Returns the staged.json URI."""
    from claimflow.models import Article
    from claimflow.tables import article_row, extraction_rows

    store = open_lake(settings)
    staged: dict[str, Any] = {"tables": [], "quarantine": []}
    for number, records in enumerate(shards):
        rows: dict[str, list[dict[str, Any]]] = {table: [] for table in layout.TABLES}
        for record in records:
            article = Article(record["article_id"], record["text"], record["path"])
            rows["articles"].append(article_row(article, day=day, run_id=run_id, ingested_at=f"{day}T23:00:00+00:00"))
            for table, table_rows in extraction_rows(record, day=day, run_id=run_id).items():
                rows[table].extend(table_rows)
        for table in layout.TABLES:
            part = put_parquet(store, layout.staged_table(day, run_id, table, layout.shard_name(number)), rows[table],
                               SCHEMAS[table])
            staged["tables"].append({"table": table, **part.to_dict()})
    for table in layout.QUARANTINE_TABLES:
        part = put_parquet(store, layout.staged_quarantine(day, run_id, table, layout.shard_name(0)), [], QUARANTINE_SCHEMA)
        staged["quarantine"].append({"table": table, **part.to_dict()})
    articles = sum(map(len, shards))
    put_jsonl_gz(store, layout.staged_raw_archive(day, run_id), ({"run": run_id} for _ in range(articles)))
    staged["accounting"] = {"ingested": articles, "published": articles, "quarantined": 0}
    staged["quality"] = {"passed": True, "results": layout.quality_file(day, run_id, layout.VALIDATION),
                         "report": layout.quality_file(day, run_id, layout.REPORT), "statistics": {}}
    key = layout.staged_file(day, run_id, layout.STAGED)
    put_json(store, key, staged)
    return store.uri(key)


def expire_leases(settings: Settings) -> None:
    """Let the time of a dead run's leases run out (CLAIMFLOW_PUBLISH_LEASE_MINUTES later), as if
    that much time had passed: a publish that could not release them (killed, or its store down)."""
    store = open_lake(settings)
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    for info in store.list(layout.LEASES):
        held = lease.LeaseRecord.from_json(store.get_bytes(info.key))
        store.put_bytes(info.key, dataclasses.replace(held, expires=past).to_json())
