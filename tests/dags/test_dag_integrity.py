"""The DAG folder imports cleanly, cheaply, and every DAG is documented and retried."""

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


@pytest.mark.parametrize("dag_file", ["claimflow_nightly.py", "claimflow_maintenance.py"])
def test_parsing_imports_no_heavy_libraries(dag_file):
    """spaCy, GX, pandas, boto3, pyarrow and deltalake load inside tasks, never when the
    scheduler parses a DAG file."""
    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]); "
        "heavy = [m for m in ('deltalake', 'pyarrow', 'spacy', 'great_expectations', 'pandas', 'boto3') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(DAGS / dag_file)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
