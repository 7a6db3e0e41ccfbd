"""claimflow's task group in a DAG a user writes (tests/dags/user_dag.py): it parses without
import errors, wires between the user's own tasks, and publishes a day with settings given as
arguments only (no CLAIMFLOW_* environment, no Variables)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagrun import DAY, ROOT, SEEDS, parsed_dag

from claimflow import layout
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore

USER_DAG = Path(__file__).with_name("user_dag.py")


def test_a_users_dag_file_parses_without_import_errors():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(USER_DAG))
    assert bag.import_errors == {}
    assert set(bag.dags) == {"user_news_pipeline"}


def test_the_group_sits_between_the_users_own_tasks():
    dag = parsed_dag("user_news_pipeline", USER_DAG)
    order = [t.task_id for t in dag.topological_sort()]
    assert order[:5] == ["check_news_arrived", "claims.ingest", "claims.extract", "claims.validate", "claims.publish"]
    assert set(order[5:]) == {"claims.remove_staging", "tell_the_desk"}
    assert dag.get_task("claims.ingest").upstream_task_ids == {"check_news_arrived"}
    assert dag.get_task("tell_the_desk").upstream_task_ids == {"claims.publish"}
    teardown = dag.get_task("claims.remove_staging")
    assert teardown.is_teardown and teardown.upstream_task_ids == {"claims.ingest", "claims.publish"}
    assert dag.get_task("claims.publish").retries == 6  # publish's own policy over the DAG's default
    assert dag.get_task("claims.validate").retries == 1


@dataclass(frozen=True)
class UserRun:
    """One ``airflow dags test`` of the user's DAG, as a user runs it: its own Airflow home and
    SQLite DB, the DAG file alone in its DAG folder, the OpenLineage provider writing events to a file."""

    lake: LocalStore
    states: dict[str, str]  # task id (``task[i]`` when mapped) -> state, from the run's DB
    run_id: str
    events: list[dict]  # OpenLineage events, one per line of the file transport's file


@pytest.fixture(scope="module")
def user_run(tmp_path_factory) -> UserRun:
    home = tmp_path_factory.mktemp("user-airflow")
    (home / "dags").mkdir()
    shutil.copy(USER_DAG, home / "dags" / USER_DAG.name)
    events = home / "openlineage.jsonl"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("CLAIMFLOW_", "AIRFLOW"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "file", "log_file_path": str(events), "append": True}),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "newsroom",
        "PYTHONPATH": str(ROOT / "plugins"),
    })
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=600)
    lake = LocalStore(home / "lake")
    conf = json.dumps({"news": str(SEEDS), "lake": str(lake.path)})
    ran = subprocess.run([airflow, "dags", "test", "user_news_pipeline", DAY, "-c", conf], env=env,
                         capture_output=True, text=True, timeout=1800)
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute("SELECT task_id, map_index, state, run_id FROM task_instance WHERE dag_id = 'user_news_pipeline'").fetchall()
    assert rows, ran.stdout[-3000:] + ran.stderr[-3000:]
    lines = events.read_text().splitlines() if events.exists() else []
    return UserRun(lake, {task + (f"[{i}]" if i >= 0 else ""): state for task, i, state, _ in rows}, rows[0][3],
                   [json.loads(line) for line in lines])


@pytest.mark.integration
def test_a_users_dag_publishes_a_day_with_settings_from_its_arguments(user_run):
    """No CLAIMFLOW_* environment and no Variables: the lake, the sources and the shard size come
    from the group's arguments (templated from the run's conf)."""
    assert set(user_run.states.values()) == {"success"}, user_run.states
    assert sum(1 for task in user_run.states if task.startswith("claims.extract[")) >= 2  # CLAIMFLOW_SHARD_SIZE=8
    assert {"check_news_arrived", "tell_the_desk", "claims.remove_staging"} <= set(user_run.states)
    manifest = read_manifest(user_run.lake, DAY)
    assert manifest.run_id == user_run.run_id
    assert manifest.accounting.published >= 20
    assert not list(user_run.lake.list(layout.staging(DAY, user_run.run_id)))


def _completed(events: list[dict], task_id: str) -> dict:
    """The COMPLETE event of the task ``task_id`` (job ``<dag>.<task>``)."""
    return next(e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == f"user_news_pipeline.{task_id}")


@pytest.mark.integration
def test_the_run_emits_lineage_from_the_sources_to_the_four_delta_tables(user_run):
    """With the OpenLineage provider: ingest reads the day's sources, publish writes the four
    Delta tables, each with its schema, the day's rows and the day's Great Expectations results."""
    pytest.importorskip("airflow.providers.openlineage")
    ingest = _completed(user_run.events, "claims.ingest")
    assert [(d["namespace"], d["name"]) for d in ingest["inputs"]] == [("file", str(SEEDS))]
    manifest = read_manifest(user_run.lake, DAY)
    outputs = {d["name"]: d for d in _completed(user_run.events, "claims.publish")["outputs"]}
    assert set(outputs) == {str(user_run.lake.path / table) for table in layout.TABLES}
    for table in layout.TABLES:
        dataset = outputs[str(user_run.lake.path / table)]
        assert dataset["namespace"] == "file"
        assert dataset["outputFacets"]["outputStatistics"]["rowCount"] == manifest.tables[table].rows
        assert {f["name"] for f in dataset["facets"]["schema"]["fields"]} >= {"article_id", "dt", "run_id"}
        checks = dataset["facets"]["dataQualityAssertions"]["assertions"]
        assert checks and all(c["success"] for c in checks if c.get("severity") == "error")
    assert any(c["assertion"] == "expect_column_values_to_be_unique" and c["column"] == "article_id"
               for c in outputs[str(user_run.lake.path / "articles")]["facets"]["dataQualityAssertions"]["assertions"])
