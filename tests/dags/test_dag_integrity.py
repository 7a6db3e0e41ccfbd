"""The DAG folder imports cleanly, cheaply, and every DAG is documented and retried."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dag_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "claimflow_nightly" in dagbag.dags


def test_every_dag_has_tags_docs_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 200, f"{dag_id} has no docs"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.doc_md, f"{dag_id}.{task.task_id} has no docs"


def test_nightly_flow_is_ingest_extract_validate_publish(dagbag):
    dag = dagbag.dags["claimflow_nightly"]
    assert [t.task_id for t in dag.topological_sort()] == ["ingest", "extract", "validate", "publish", "remove_staging"]
    cleanup = dag.get_task("remove_staging")
    assert cleanup.is_teardown and dag.get_task("ingest").is_setup  # runs after a failure too, without deciding the run's state
    assert {a.name for a in dag.get_task("publish").outlets} == {
        "claimflow_articles", "claimflow_entities", "claimflow_mentions", "claimflow_claims"}


def test_mapped_extract_tasks_are_named_by_their_shard(dagbag):
    extract = dagbag.dags["claimflow_nightly"].get_task("extract")
    template = extract.partial_kwargs.get("map_index_template") or extract.map_index_template
    render = extract.dag.get_template_env().from_string(template).render
    assert render(shard_label="shard 2/4 · articles 2, 6 … 998 (250)") == "shard 2/4 · articles 2, 6 … 998 (250)"
    assert render() == ""  # before the task has read its shard: Airflow keeps the index until then


DAG_FILES = sorted(path.name for path in DAGS.glob("*.py"))
HEAVY = ("deltalake", "pyarrow", "spacy", "great_expectations", "pandas", "boto3")
# CPU seconds of one parse (wall time on a shared machine measures its other users); measured
# 0.1-0.7 s, the most for the first file of a process, which loads Airflow's task decorators
PARSE_SECONDS = 1.0


def test_every_example_dag_file_is_checked():
    assert {"claimflow_nightly.py", "claimflow_maintenance.py", "claimflow_own_ingest.py"} <= set(DAG_FILES)


@pytest.mark.parametrize("target", [*DAG_FILES, "claimflow.operators", "tests/dags/user_dag.py"])
def test_parsing_imports_no_heavy_libraries_and_takes_under_a_second(target):
    """spaCy, GX, pandas, boto3, pyarrow and deltalake load inside tasks, never when the
    scheduler parses a DAG file or a user's DAG imports the task group; a parse, timed after
    Airflow's SDK is loaded (as it is in the DAG processor), takes under a second of CPU."""
    path = DAGS / target if target in DAG_FILES else DAGS.parent / target
    load = f"import {target}" if not target.endswith(".py") else f"runpy.run_path({str(path)!r})"
    code = (
        "import sys, time, runpy; import airflow.sdk; start = time.process_time(); "
        f"{load}; elapsed = time.process_time() - start; "
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]; print(','.join(heavy)); print(elapsed)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(DAGS.parent / "plugins")})
    heavy, elapsed = out.stdout.splitlines()[-2:]
    assert heavy == ""
    assert float(elapsed) < PARSE_SECONDS
