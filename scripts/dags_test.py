"""``airflow dags test DAG_ID DAY``, with the run's start date the moment it started.

Airflow 3.3's ``DAG.test()`` creates its run with ``start_date=logical_date`` (apache/airflow#66127),
so a run of a past day, as ``make run`` makes, shows a duration of days in the UI's runs list
("11d16:41:07" for a run of 20 s). This runs the same ``DAG.test()`` on the DAG the CLI would
find, then sets the run's start date to the time the run was created: its duration becomes
what it took. Exits 1 when the run failed, as ``airflow dags test`` does.

    python scripts/dags_test.py claimflow_nightly 2026-11-26
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any


def run_dag_test(dag_id: str, logical_date: dt.datetime) -> Any:
    """Run ``dag_id`` for ``logical_date`` as ``airflow dags test`` does; returns the finished
    DagRun with its true start date (also written to the metadata DB)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.cli import get_bagged_dag
    from airflow.utils.session import create_session
    from sqlalchemy import update

    dag = get_bagged_dag(None, dag_id)
    started = dt.datetime.now(dt.timezone.utc)
    dag_run = dag.test(logical_date=logical_date)
    with create_session() as session:
        session.execute(update(DagRun).where(DagRun.id == dag_run.id).values(start_date=started))
    dag_run.start_date = started
    return dag_run


def logical_date_of(day: str) -> dt.datetime:
    """``YYYY-MM-DD`` (or an ISO date-time; naive means UTC) as an aware date-time."""
    try:
        value = dt.datetime.fromisoformat(day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day like 2026-11-26, got {day!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dag_id")
    parser.add_argument("logical_date", type=logical_date_of, help="the run's logical date, e.g. 2026-11-26")
    args = parser.parse_args(argv)
    dag_run = run_dag_test(args.dag_id, args.logical_date)
    print(f"{dag_run.run_id}: {dag_run.state} in {(dag_run.end_date - dag_run.start_date).total_seconds():.1f} s")
    return 1 if dag_run.state == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
