"""The four steps as plain functions on a local lake, no scheduler."""

from __future__ import annotations

import pytest

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.storage import LocalStore
from claimflow.storage.records import get_json, read_parquet
from claimflow.tables import ID_COLUMNS

DAY = "2026-11-26"
RUN = "manual__2026-11-26T00:00:00+00:00"
ARTICLE = "The minister said on Tuesday that the bridge would reopen in May. Critics, however, said the plan was late."


@pytest.fixture
def settings(tmp_path) -> Settings:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        (src / f"{i}.txt").write_text(f"{ARTICLE} Story number {i}.")
    (src / "copy.txt").write_text(f"{ARTICLE} Story number 0.")  # the same text again
    (src / "empty.txt").write_text("")
    return Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": str(src),
                              "CLAIMFLOW_SHARD_SIZE": "2"})


def run_day(settings: Settings) -> dict:
    ingested = stages.ingest(settings, DAY, RUN)
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    return stages.publish(settings, DAY, RUN, stages.validate(settings, DAY, RUN, extracted))


def test_shards_are_near_equal_and_bounded():
    settings = Settings.from_env({"CLAIMFLOW_SHARD_SIZE": "3", "CLAIMFLOW_MAX_SHARDS": "2"})
    assert [len(s) for s in stages._shards(list(range(7)), settings)] == [4, 3]
    assert [len(s) for s in stages._shards(list(range(2)), settings)] == [2]
    assert stages._shards([], settings) == []


def test_ingest_accounts_for_every_input(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    assert (ingested.records, ingested.articles, ingested.rejected) == (7, 5, 2)
    assert len(ingested.shard_uris) == 3


def staged_tables(settings: Settings, staged_uri: str) -> dict:
    """The staged good rows of each table, all shards together, in id order."""
    import pyarrow as pa

    store = stages.lake(settings)
    staged = get_json(store, store.key(staged_uri))
    tables = {}
    for table in layout.TABLES:
        parts = [read_parquet(store, e["key"]) for e in staged["tables"] if e["table"] == table]
        frame = pa.concat_tables(parts).to_pandas().drop(columns="ingested_at", errors="ignore")
        tables[table] = frame.sort_values(ID_COLUMNS[table], ignore_index=True)
    return tables


def test_tables_stage_the_same_whatever_the_shard_size(tmp_path):
    """Validating shard by shard stages the rows one shard of the whole day stages, dtypes included."""
    import pandas as pd

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("It was reported that the bridge would close in May.")  # a claim with no source
    (src / "b.txt").write_text(ARTICLE)
    loaded = []
    for size in ("1", "100"):
        settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / f"lake{size}"), "CLAIMFLOW_SOURCES": str(src),
                                      "CLAIMFLOW_SHARD_SIZE": size})
        ingested = stages.ingest(settings, DAY, RUN)
        extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
        assert len(extracted) == (2 if size == "1" else 1)
        loaded.append(staged_tables(settings, stages.validate(settings, DAY, RUN, extracted)))
    sharded, whole = loaded
    assert sharded["claims"]["source_start"].isna().sum() == 1 and len(sharded["claims"]) >= 2
    for table in whole:
        pd.testing.assert_frame_equal(sharded[table], whole[table])


def test_a_day_is_published_with_balanced_accounting(settings):
    manifest = run_day(settings)
    assert manifest["accounting"] == {"ingested": 7, "published": 5, "quarantined": 2}
    assert manifest["tables"]["claims"]["rows"] >= 5
    assert manifest["quarantine"]["inputs"]["rows"] == 2


def test_a_publish_that_fails_half_way_leaves_no_manifest_and_a_retry_completes_it(settings, monkeypatch):
    run_day(settings)
    ingested = stages.ingest(settings, DAY, RUN)
    staged = stages.validate(settings, DAY, RUN, [stages.extract(settings, u) for u in ingested.shard_uris])
    store = LocalStore(settings.lake)
    real_copy = LocalStore.copy
    calls = []

    def failing_copy(self, src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk went away")
        real_copy(self, src, dst)

    monkeypatch.setattr(LocalStore, "copy", failing_copy)
    with pytest.raises(OSError, match="disk went away"):
        stages.publish(settings, DAY, RUN, staged)
    assert not store.exists(layout.manifest(DAY))
    monkeypatch.setattr(LocalStore, "copy", real_copy)
    manifest = stages.publish(settings, DAY, RUN, staged)
    assert get_json(store, layout.manifest(DAY)) == manifest
    assert manifest["accounting"]["published"] == 5
