"""
# claimflow nightly

Every night at 00:00 UTC, once the day before has closed (and for any past day with `airflow
backfill create`), turns that day's news articles into **named entities** and **attributed
claims** (who said what, with source, cue and content as character spans) and publishes them to
the lake as **Delta Lake tables** partitioned by `dt`.

**ingest** → **extract** (one mapped task per shard of articles) → **validate** (Great
Expectations: bad rows quarantined with a reason, a broken batch fails here) → **publish**
(under the lake's publish lease and the day's: torn days rolled back, what another day published
meanwhile quarantined as a duplicate, one Delta commit per table replacing the day, the raw
archive kept under the run's key, the manifest with every table's Delta version written last;
one asset event per table) → **remove staging** (a teardown: runs whether the day published or failed).

Rerunning a day replaces it in every table. Runs never mix: publishes of any days take turns
under the lake's publish lease, and an article is published on one day only.

**Which day.** Days are UTC calendar days. The run of day D fires at 00:00 UTC on D+1 and
processes D: its logical date is D 00:00 UTC (the start of its daily data interval), and so it is
for `airflow dags test claimflow_nightly D` (`make run DAY=D`), `airflow dags trigger -l D` and
`airflow backfill create --from-date D1 --to-date D2` (each day D1 … D2 once, as itself; run a
backfill with `--max-active-runs 1` so that days are read in order, and with
`--reprocess-behavior completed` to rerun days that already ran). A run's id carries the time it
was due (`scheduled__2026-11-27T00:00:00+00:00` is the run of the 26th). A run triggered with no
logical date processes the last closed day. The rule is `claimflow.days.run_day`.

**Late arrivals.** The run of D also reads the sources of the `CLAIMFLOW_LATE_DAYS` days before
D again (default 2: date placeholders expanded for each, feed items published from D-2 00:00
UTC on): a feed item of D's last minutes or a file copied late into D's folder is taken by a
later run. Articles are de-duplicated across days against the published `articles` table
(canonical URL and content hash → first day): what an earlier day already published is skipped
and counted (`already_published`), a day-D input repeating it is quarantined as `duplicate`.
A rerun never counts its own earlier articles as duplicates.
Configuration: `CLAIMFLOW_*` environment variables or the Airflow Variables `claimflow_lake`,
`claimflow_sources`, `claimflow_spacy_model` (see the project README).
"""

from __future__ import annotations

import datetime

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task
from airflow.sdk.exceptions import AirflowFailException

from claimflow.airflow_glue import task_settings as settings
from claimflow.days import run_day
from claimflow.layout import TABLES

# One asset per published table, named rather than tied to a lake URI (which is configuration);
# each event's extra says where that day's partition is and how many rows it holds.
ASSETS = {table: Asset(name=f"claimflow_{table}") for table in TABLES}



@dag(
    dag_id="claimflow_nightly",
    dag_display_name="claimflow: nightly news claims",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
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
    def ingest(logical_date=None, data_interval_start=None, run_id: str | None = None) -> list[str]:
        from claimflow import stages

        return stages.ingest(settings(), run_day(logical_date, data_interval_start), run_id).shard_uris

    @task(
        task_display_name="Extract entities and claims",
        doc_md="Run spaCy and the claim component over one shard of articles; validate the shard's tables with the Great Expectations suites and stage them.",
        map_index_template="{{ shard_label | default('') }}",  # "shard 2/4 · articles 2, 6 … 998 (250)", set below
    )
    def extract(shard_uri: str) -> str:
        from airflow.sdk import get_current_context

        from claimflow import stages

        context = get_current_context()

        def name_the_task(label: str) -> None:
            context["shard_label"] = label  # what map_index_template renders once the task ends

        return stages.extract(settings(), shard_uri, on_label=name_the_task)

    @task(
        task_display_name="Validate data quality",
        doc_md="Check the day from its shards' results: volume, article ids across shards, accounting; write the report; fail the day on any critical problem.",
        trigger_rule="none_failed",
    )
    def validate(extracted: list[str], logical_date=None, data_interval_start=None, run_id: str | None = None) -> str:
        from claimflow import stages
        from claimflow.exceptions import BatchFailed

        try:
            return stages.validate(settings(), run_day(logical_date, data_interval_start), run_id, list(extracted or []))
        except BatchFailed as exc:  # a bad batch stays bad on retry: fail now, visibly
            raise AirflowFailException(str(exc)) from exc

    @task(
        task_display_name="Publish to the lake",
        doc_md=(
            "Take the lake's publish lease (waiting for another publish) and the day's, roll back "
            "torn days, quarantine what another day published meanwhile, replace the day in every "
            "Delta table (one commit each), keep the raw archive under this run's key, write the "
            "manifest with each table's Delta version last. Fails with PublishConflict while a "
            "crashed run's lease holds the day; the retries publish it afterwards."
        ),
        outlets=list(ASSETS.values()),
        retries=6,
        retry_delay=datetime.timedelta(minutes=1),
        max_retry_delay=datetime.timedelta(minutes=15),
    )
    def publish(staged_uri: str, logical_date=None, data_interval_start=None, run_id: str | None = None, outlet_events=None) -> dict:
        from claimflow import layout, stages
        from claimflow.storage.delta import table_uri

        ds = run_day(logical_date, data_interval_start)
        config = settings()
        manifest = stages.publish(config, ds, run_id, staged_uri)
        for table, asset in ASSETS.items():
            outlet_events[asset].extra = {
                "day": ds,
                "run_id": run_id,
                "rows": manifest.tables[table].rows,
                "version": manifest.tables[table].version,
                "table_uri": table_uri(config, table),
            }
        return {"day": ds, "manifest": f"{manifest.lake}/{layout.manifest(ds)}", **vars(manifest.accounting)}

    @task(task_display_name="Remove staging", doc_md="Delete the run's staged files, whether the day published or failed.")
    def remove_staging(logical_date=None, data_interval_start=None, run_id: str | None = None) -> int:
        from claimflow import staging
        from claimflow.storage import open_lake

        return staging.remove_run(open_lake(settings()), run_day(logical_date, data_interval_start), run_id)

    ingested = ingest()
    published = publish(validate(extract.expand(shard_uri=ingested)))
    published >> remove_staging().as_teardown(setups=ingested)


claimflow_nightly()
