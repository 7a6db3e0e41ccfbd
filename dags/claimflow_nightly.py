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

**Built from claimflow's building blocks**: this DAG is one `ClaimflowTaskGroup` (from
`claimflow.operators`); drop the same group into your own DAG between your own tasks, or use its
operators over articles your own task staged (`claimflow_own_ingest` shows how).
"""

from __future__ import annotations

import datetime

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag

from claimflow.operators import ClaimflowTaskGroup


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
    # the building block users drop into their own DAGs, with its tasks named as they always were
    ClaimflowTaskGroup("claimflow", prefix_group_id=False)


claimflow_nightly()
