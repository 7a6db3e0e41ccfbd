"""The maintenance DAG: parses cheaply, maps one upkeep task per Delta table, and runs."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from delta_rows import claim_row, write_rows
from deltalake import DeltaTable

from claimflow import layout

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAY = "2026-11-26"


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "claimflow_maintenance.py"))
    assert bag.import_errors == {}
    return bag.dags["claimflow_maintenance"]


def test_weekly_without_catchup_documented_and_retried(dag):
    assert dag.catchup is False and dag.max_active_runs == 1
    assert dag.timetable.expression == "0 4 * * 0"  # Sundays, 04:00 UTC
    assert dag.tags and len(dag.doc_md) > 200
    for task in dag.tasks:
        assert task.retries >= 1 and task.doc_md, task.task_id


def test_recovery_then_upkeep_of_every_table_then_the_sweeps(dag):
    assert [t.task_id for t in dag.topological_sort()] == ["recover", "upkeep", "sweep_staging", "sweep_raw_archives"]
    for sweep in ("sweep_staging", "sweep_raw_archives"):  # one failing table does not skip the sweeps
        assert dag.get_task(sweep).trigger_rule == "all_done"


@pytest.mark.integration
def test_a_run_compacts_the_tables_and_sweeps(dag, tmp_path, monkeypatch, airflow_db):
    pytest.importorskip("claimflow.staging", reason="the staging sweep is lake-commit's (merged later)")
    lake = tmp_path / "lake"
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(lake))
    for index in range(5):
        write_rows(lake / "claims", "claims", [claim_row(DAY, "r1", index, 0, source_kind="person", speaker="Ann")],
                   day=DAY, mode="append")
    stale = lake / layout.staged_file(DAY, "crashed", layout.INGEST)
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    os.utime(stale, (0, 0))  # written in 1970: a crashed run's
    orphan = lake / layout.raw_archive(DAY, "crashed")  # its publish copied the archive, then died
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"articles")
    os.utime(orphan, (0, 0))

    run = dag.test(logical_date=dt.datetime(2026, 11, 29, 4, tzinfo=dt.timezone.utc))

    assert run.state == "success"
    states = {(ti.task_id, ti.rendered_map_index): ti.state for ti in run.get_task_instances()}
    assert {name for _task, name in states if _task == "upkeep"} == set(layout.DELTA_TABLES)
    assert set(states.values()) == {"success"}
    assert len(DeltaTable(str(lake / "claims")).file_uris()) == 1
    assert not stale.exists() and not orphan.exists()
    assert {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()
            if ti.task_id == "sweep_raw_archives"} == {"sweep_raw_archives": 1}
