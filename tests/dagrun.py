"""Running the nightly DAG in-process for tests, with dag.test() on the session's metadata DB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-11-26"
SEEDS = ROOT / "seeds"


def parsed_dag(dag_id: str, folder: Path = ROOT / "dags", *, retries: int | None = None):
    """The parsed DAG ``dag_id`` of ``folder`` (a folder or one file); ``retries`` overrides
    every task's (fault tests use 0)."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(folder)).dags[dag_id]
    if retries is not None:
        for task in dag.tasks:
            task.retries = retries
    return dag


def nightly_dag(*, retries: int | None = None):
    """The parsed claimflow_nightly DAG."""
    return parsed_dag("claimflow_nightly", retries=retries)


def run_dag(dag, day: str = DAY, conf: dict | None = None):
    """Run ``dag`` for ``day`` with the run's ``conf``; returns the finished DagRun (dag.test
    does not raise: assert its ``state``)."""
    logical_date = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    return dag.test(logical_date=logical_date, run_conf=conf)


def run_nightly(day: str = DAY, *, retries: int | None = None):
    """Run the nightly DAG for ``day``."""
    return run_dag(nightly_dag(retries=retries), day)


def task_states(run) -> dict[str, str]:
    """Each task instance's state by task id (a mapped task's instances as ``task[i]``)."""
    return {ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): ti.state
            for ti in run.get_task_instances()}
