"""Running the nightly DAG in-process for tests, with dag.test() on the session's metadata DB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-11-26"
SEEDS = ROOT / "seeds"


def nightly_dag(*, retries: int | None = None):
    """The parsed claimflow_nightly DAG; ``retries`` overrides every task's (fault tests use 0)."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags")).dags["claimflow_nightly"]
    if retries is not None:
        for task in dag.tasks:
            task.retries = retries
    return dag


def run_nightly(day: str = DAY, *, retries: int | None = None):
    """Run the nightly DAG for ``day``; returns the finished DagRun (dag.test does not raise:
    assert its ``state``)."""
    logical_date = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    return nightly_dag(retries=retries).test(logical_date=logical_date)
