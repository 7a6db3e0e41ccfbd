"""A staged day written the way ingest and validate leave it (several Parquet files per table,
a raw archive, ``staged.json``), without running the NLP: publish tests in seconds."""

from __future__ import annotations

from typing import Any

from claimflow import layout
from claimflow.config import Settings
from claimflow.storage import open_lake
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
