"""
# claimflow over your own ingest

An example for teams that already collect their articles: **their own task** reads the
newsroom's export (JSON lines in the team's own field names: `headline`, `body`, `link`,
`published_at`, `cms_id`, `bylines`), maps each record to claimflow's fields and hands them to
`claimflow.operators.stage_articles`, which checks, de-duplicates (against what other days
published, too) and stages them in shards, quarantining what it refuses with the reason.
`ClaimflowTaskGroup(shards=...)` then runs claimflow's **extract** (one mapped task per shard),
**validate** (Great Expectations) and **publish** (one Delta commit per table, the manifest last)
over them, and removes the staging as the teardown of the team's staging task; a last task of
the team's reads what was published.

Trigger it with the export's address (a local path, `file://` or any address Airflow's
`ObjectStoragePath` reads, such as `s3://bucket/export/2026-11-26.jsonl` with an `aws_default`
connection): `airflow dags trigger claimflow_own_ingest -l 2026-11-26 -c '{"export": "/data/export.jsonl"}'`.
The day is the run's logical date (UTC), as for `claimflow_nightly`. The lake and the model come
from the Airflow Variables `claimflow_lake`, `claimflow_spacy_model` or the `CLAIMFLOW_*`
environment, as for the nightly DAG; give this DAG's day its own lake (or its own days): a day
published here replaces the same day published by `claimflow_nightly` in the same lake.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterator
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException

from claimflow.operators import ClaimflowTaskGroup, stage_articles

log = logging.getLogger(__name__)

# the newsroom export's field for each of claimflow's article fields
FIELDS = {"text": "body", "title": "headline", "url": "link", "published": "published_at", "id": "cms_id",
          "authors": "bylines"}


def newsroom_articles(lines: Iterator[str]) -> Iterator[dict[str, Any] | str]:
    """The export's records in claimflow's field names; a line that is not a JSON object is
    passed on as it is, and stage_articles quarantines it as a ``bad_record``."""
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            yield line
            continue
        if not isinstance(record, dict):
            yield line
            continue
        yield {ours: record[theirs] for ours, theirs in FIELDS.items() if record.get(theirs) is not None}


@dag(
    dag_id="claimflow_own_ingest",
    dag_display_name="claimflow: over your own ingest (example)",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["claimflow", "example"],
    doc_md=__doc__,
    params={"export": Param("", type="string", description="Address of the day's newsroom export (JSON lines)")},
    default_args={
        "retries": 2,
        "retry_delay": datetime.timedelta(seconds=30),
        "execution_timeout": datetime.timedelta(hours=2),
    },
)
def claimflow_own_ingest():
    @task(task_display_name="Stage the newsroom's articles", doc_md="Read the team's export and stage it for claimflow.")
    def stage_newsroom_export(params: dict[str, Any] | None = None) -> list[str]:
        from airflow.sdk import ObjectStoragePath

        export = (params or {}).get("export")
        if not export:
            raise AirflowFailException("expected the export's address in the run's conf, e.g. {\"export\": \"/data/export.jsonl\"}, got none")
        with ObjectStoragePath(export).open("r", encoding="utf-8") as lines:
            return stage_articles(newsroom_articles(lines), origin=export)

    @task(task_display_name="Report what was published", doc_md="Log the day's accounting, as a team's downstream task would use it.")
    def report(published: dict[str, Any]) -> dict[str, Any]:
        log.info("claimflow published day %s: %d articles, %d quarantined; manifest %s", published["day"],
                 published["published"], published["quarantined"], published["manifest"])
        return published

    claimflow = ClaimflowTaskGroup("claimflow", shards=stage_newsroom_export())
    report(claimflow.publish.output)


claimflow_own_ingest()
