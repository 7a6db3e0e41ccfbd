"""The nightly DAG end to end with dag.test() on the seeds, into a temporary local lake."""

from __future__ import annotations

import re

import pytest
from dagrun import DAY, SEEDS, run_nightly

from claimflow import layout
from claimflow.config import Settings
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore
from claimflow.storage.delta import DeltaLake, table_uri
from claimflow.storage.records import read_jsonl_gz

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(tmp_path, monkeypatch, airflow_db) -> LocalStore:
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(SEEDS))
    monkeypatch.setenv("CLAIMFLOW_SHARD_SIZE", "8")  # several mapped extract tasks
    return LocalStore(tmp_path / "lake")


def published(lake: LocalStore, day: str = DAY) -> dict[str, object]:
    tables = DeltaLake.open(Settings(lake=str(lake.path)))
    return {table: tables.read_day(table, day) for table in layout.TABLES}


def test_a_day_of_seeds_is_published_whole(lake):
    run = run_nightly()
    assert run.state == "success"
    manifest = read_manifest(lake, DAY)
    tables = published(lake)
    for table in layout.TABLES:
        assert manifest.tables[table].rows == tables[table].num_rows, table
        assert set(tables[table].column("run_id").to_pylist()) == {run.run_id}
    acc = manifest.accounting
    assert acc.ingested == acc.published + acc.quarantined
    assert acc.published >= 20
    assert tables["claims"].num_rows > 40 and tables["entities"].num_rows > 100
    assert not list(lake.list("_staging/"))
    assert len(list(read_jsonl_gz(lake, manifest.raw_archive))) == acc.published
    assert manifest.model.version == "3.8.0"
    labels = sorted(ti.rendered_map_index for ti in run.get_task_instances() if ti.task_id == "extract")
    shards = len(labels)  # each mapped extract named by its shard and articles, not 0, 1, 2
    assert shards > 1 and all(label.startswith("shard ") for label in labels)
    assert re.fullmatch(rf"shard 1/{shards} · articles 1, {shards + 1} … \d+ \(\d+\)", labels[0]), labels
    events = asset_events(run.run_id)
    for table in layout.TABLES:
        event = events[f"claimflow_{table}"]
        assert (event["rows"], event["version"], event["day"]) == (manifest.tables[table].rows, manifest.tables[table].version, DAY)
        assert event["table_uri"] == table_uri(Settings(lake=str(lake.path)), table)


def asset_events(run_id: str) -> dict[str, dict]:
    """The extra of each asset event the run emitted, by asset name, from the metadata DB."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetModel.name, AssetEvent.extra)
            .join(AssetEvent, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetEvent.source_run_id == run_id)
        )
        return dict(rows)


def test_rerunning_a_day_replaces_it_without_duplicates(lake):
    assert run_nightly().state == "success"
    first = {t: tab.num_rows for t, tab in published(lake).items()}
    assert run_nightly().state == "success"
    tables = published(lake)
    assert {t: tab.num_rows for t, tab in tables.items()} == first
    for table, column in (("articles", "article_id"), ("claims", "claim_id"), ("mentions", "mention_id")):
        ids = tables[table].column(column).to_pylist()
        assert len(ids) == len(set(ids)), table


def test_a_day_with_no_articles_fails_visibly_publishes_nothing_and_leaves_no_staging(lake, tmp_path, monkeypatch):
    empty = tmp_path / "empty-source"
    empty.mkdir()
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(empty))
    run = run_nightly()
    assert run.state == "failed"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["remove_staging"] == "success"
    assert not list(lake.list("_staging/"))
    assert read_manifest(lake, DAY) is None
    assert not list(lake.list("articles/"))
    names = {found.name for i in lake.list(layout.quality_prefix(DAY)) if (found := layout.parse_quality_file(i.key))}
    assert layout.REPORT in names, "the failed batch's quality report is in the lake"
    assert layout.FAILED_QUARANTINE in names
