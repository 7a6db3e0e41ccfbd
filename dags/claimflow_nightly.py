"""
# claimflow nightly

Every night at 23:30 UTC (and for any past day with `airflow backfill create`), turns the day's
news articles into **named entities** and **attributed claims** (who said what, with source,
cue and content as character spans) and publishes them to the lake as Parquet.

**ingest** → **extract** (one mapped task per shard of articles) → **validate** (Great
Expectations: bad rows quarantined with a reason, a broken batch fails here) → **publish**
(commit to `<table>/dt=YYYY-MM-DD/`, manifest written last, one asset event per table).

The day processed is the run's logical date (`ds`); rerunning a day replaces its partition.
Configuration: `CLAIMFLOW_*` environment variables or the Airflow Variables `claimflow_lake`,
`claimflow_sources`, `claimflow_spacy_model` (see the project README).
"""

from __future__ import annotations

import datetime

import pendulum
from airflow.sdk import Asset, dag, task
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from claimflow.config import Settings
from claimflow.layout import TABLES

# One asset per published table, named rather than tied to a lake URI (which is configuration);
# each event's extra says where that day's partition is and how many rows it holds.
ASSETS = {table: Asset(name=f"claimflow_{table}") for table in TABLES}


def settings() -> Settings:
    """Settings from the environment, overridden by the Airflow Variables claimflow_*."""
    import os

    from airflow.sdk import Variable

    env = dict(os.environ)
    for name in ("lake", "sources", "spacy_model"):
        value = Variable.get(f"claimflow_{name}", default=None)
        if value:
            env[f"CLAIMFLOW_{name.upper()}"] = value
    return Settings.from_env(env)


@dag(
    dag_id="claimflow_nightly",
    dag_display_name="claimflow: nightly news claims",
    schedule=CronTriggerTimetable("30 23 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=4,
    tags=["claimflow", "nlp", "news"],
    doc_md=__doc__,
    default_args={
        "retries": 2,
        "retry_delay": datetime.timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "execution_timeout": datetime.timedelta(hours=2),
    },
)
def claimflow_nightly():
    @task(task_display_name="Ingest articles", doc_md="Read, normalize and de-duplicate the day's articles; archive them raw; stage shards.")
    def ingest(ds: str | None = None, run_id: str | None = None) -> list[str]:
        from claimflow import stages

        return stages.ingest(settings(), ds, run_id).shard_uris

    @task(task_display_name="Extract entities and claims", doc_md="Run spaCy and the claim component over one shard of articles; validate the shard's tables with the Great Expectations suites and stage them.")
    def extract(shard_uri: str) -> str:
        from claimflow import stages

        return stages.extract(settings(), shard_uri)

    @task(
        task_display_name="Validate data quality",
        doc_md="Check the day from its shards' results: volume, article ids across shards, accounting; write the report; fail the day on any critical problem.",
        trigger_rule="none_failed",
    )
    def validate(extracted: list[str], ds: str | None = None, run_id: str | None = None) -> str:
        from claimflow import stages
        from claimflow.exceptions import BatchFailed

        try:
            return stages.validate(settings(), ds, run_id, list(extracted or []))
        except BatchFailed as exc:  # a bad batch stays bad on retry: fail now, visibly
            raise AirflowFailException(str(exc)) from exc

    @task(task_display_name="Publish to the lake", doc_md="Commit the day's partitions; write the manifest last.", outlets=list(ASSETS.values()))
    def publish(staged_uri: str, ds: str | None = None, run_id: str | None = None, outlet_events=None) -> dict:
        from claimflow import layout, stages

        manifest = stages.publish(settings(), ds, run_id, staged_uri)
        for table, asset in ASSETS.items():
            outlet_events[asset].extra = {
                "day": ds,
                "rows": manifest["tables"][table]["rows"],
                "partition": f"{manifest['lake']}/{layout.partition(table, ds)}",
                "run_id": run_id,
            }
        return {"day": ds, "manifest": f"{manifest['lake']}/{layout.manifest(ds)}", **manifest["accounting"]}

    publish(validate(extract.expand(shard_uri=ingest())))


claimflow_nightly()
