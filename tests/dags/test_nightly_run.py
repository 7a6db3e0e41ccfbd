"""The nightly DAG end to end with dag.test() on the seeds, into a temporary local lake."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from claimflow import layout
from claimflow.storage import LocalStore
from claimflow.storage.records import get_json
from dagrun import DAY, SEEDS, run_nightly

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(tmp_path, monkeypatch, airflow_db) -> LocalStore:
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(SEEDS))
    monkeypatch.setenv("CLAIMFLOW_SHARD_SIZE", "8")  # several mapped extract tasks
    return LocalStore(tmp_path / "lake")


def published(lake: LocalStore, day: str = DAY) -> dict[str, object]:
    """Every table's rows of ``day``: one file per shard that validated it."""
    return {table: pq.read_table(lake.path / layout.partition(table, day)) for table in layout.TABLES}


def test_a_day_of_seeds_is_published_whole(lake):
    run = run_nightly()
    assert run.state == "success"
    manifest = get_json(lake, layout.manifest(DAY))
    tables = published(lake)
    for table in layout.TABLES:
        assert manifest["tables"][table]["rows"] == tables[table].num_rows, table
        for entry in manifest["tables"][table]["files"]:
            assert entry["bytes"] == (lake.path / entry["key"]).stat().st_size
    acc = manifest["accounting"]
    assert acc["ingested"] == acc["published"] + acc["quarantined"]
    assert acc["published"] >= 20
    assert tables["claims"].num_rows > 40 and tables["entities"].num_rows > 100
    assert not list(lake.list("_staging/"))
    assert lake.exists(layout.raw_archive(DAY))
    assert manifest["model"]["version"] == "3.8.0"
    events = asset_events(run.run_id)
    for table in layout.TABLES:
        assert events[f"claimflow_{table}"]["rows"] == manifest["tables"][table]["rows"]
        assert events[f"claimflow_{table}"]["day"] == DAY


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
    lake.put_bytes(layout.partition("claims", DAY) + "part-00099.parquet", b"stale file from an older run")
    assert run_nightly().state == "success"
    tables = published(lake)
    assert {t: tab.num_rows for t, tab in tables.items()} == first
    for table, column in (("articles", "article_id"), ("claims", "claim_id"), ("mentions", "mention_id")):
        ids = tables[table].column(column).to_pylist()
        assert len(ids) == len(set(ids)), table
    parts = [i.key for i in lake.list(layout.partition("claims", DAY))]
    assert parts == [layout.part_file("claims", DAY, n) for n in range(len(parts))] and len(parts) > 1


def test_a_day_with_no_articles_fails_visibly_and_publishes_nothing(lake, tmp_path, monkeypatch):
    empty = tmp_path / "empty-source"
    empty.mkdir()
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(empty))
    assert run_nightly().state == "failed"
    assert not lake.exists(layout.manifest(DAY))
    assert not list(lake.list(layout.partition("articles", DAY)))
    reports = [i.key for i in lake.list(layout.quality_prefix(DAY)) if i.key.endswith("report.html")]
    assert reports, "the failed batch's quality report is in the lake"
    assert any(i.key.endswith("quarantine.jsonl.gz") for i in lake.list(layout.quality_prefix(DAY)))
