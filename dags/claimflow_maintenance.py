"""
# claimflow maintenance

Every Sunday at 04:00 UTC, keeps the lake's Delta tables (articles, entities, mentions, claims
and the quarantine tables) consistent and cheap to read and store:

**recover**: a publish killed between its table commits leaves tables whose latest version
holds a day its manifest does not name; each such day is put back as its manifest says (under
the lake's publish lease), before a vacuum could delete the files that hold it.

**upkeep** (one mapped task per table): **OPTIMIZE** compacts a day's small files (a publish
writes one per shard) into larger ones; **VACUUM** deletes files no version within the
retention needs and files no commit references (runs that crashed or lost a commit race);
a **checkpoint** lets readers load the table without replaying its whole log.
Then **sweep_staging** deletes the staging (full article text) that crashed runs left behind,
and **sweep_raw_archives** the raw archives no manifest names (runs that crashed while
publishing, or that a later run of the day superseded) once older than the retention; the
archive a day's manifest names is never removed.

Retention: `CLAIMFLOW_VACUUM_RETENTION_HOURS` (default 168, at least 24): time travel to a
version further back than that, such as an old run's manifest versions, may fail after a
vacuum, and that run's raw archive goes too. Staging age: `CLAIMFLOW_STAGING_MAX_AGE_HOURS` (default 48). The lake is
`CLAIMFLOW_LAKE` or the Airflow Variable `claimflow_lake`. A table that fails one step (for
example a publish committed to it at the same moment) fails only its own task, which retries.
"""

from __future__ import annotations

import datetime

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from claimflow.airflow_glue import task_settings as settings
from claimflow.layout import DELTA_TABLES


@dag(
    dag_id="claimflow_maintenance",
    dag_display_name="claimflow: weekly lake maintenance",
    schedule=CronTriggerTimetable("0 4 * * 0", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["claimflow", "maintenance", "delta"],
    doc_md=__doc__,
    default_args={
        "retries": 2,
        "retry_delay": datetime.timedelta(minutes=5),
        "execution_timeout": datetime.timedelta(hours=2),
    },
)
def claimflow_maintenance():
    @task(
        task_display_name="Roll back torn days",
        doc_md="Put every day a killed publish left half-committed back as its manifest says (claimflow.recovery).",
    )
    def recover(run_id: str | None = None) -> list[str]:
        from claimflow import maintenance

        return maintenance.recover(settings(), run_id or "maintenance")

    @task(
        task_display_name="Compact, vacuum and checkpoint a table",
        doc_md="OPTIMIZE, VACUUM (full, past the retention) and checkpoint one Delta table; logs files and bytes.",
        map_index_template="{{ task.op_kwargs['table'] }}",
    )
    def upkeep(table: str) -> dict | None:
        from claimflow import maintenance

        done = maintenance.maintain(settings(), table)
        return done.to_dict() if done else None

    @task(
        task_display_name="Sweep old staging",
        doc_md="Delete the staging of runs older than CLAIMFLOW_STAGING_MAX_AGE_HOURS (crashed or abandoned runs).",
        trigger_rule="all_done",
    )
    def sweep_staging() -> None:
        from claimflow import maintenance

        maintenance.sweep_staging(settings())

    @task(
        task_display_name="Sweep unnamed raw archives",
        doc_md="Delete raw archives no manifest names (crashed or superseded runs) older than "
        "CLAIMFLOW_VACUUM_RETENTION_HOURS; returns how many.",
        trigger_rule="all_done",
    )
    def sweep_raw_archives() -> int:
        from claimflow import maintenance

        return len(maintenance.sweep_raw_archives(settings()))

    recover() >> upkeep.expand(table=list(DELTA_TABLES)) >> sweep_staging() >> sweep_raw_archives()


claimflow_maintenance()
