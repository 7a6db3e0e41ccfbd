"""Staging is removed per run, and what crashed runs left is swept by age."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from claimflow import layout, staging
from claimflow.storage import LocalStore

DAY = "2026-11-26"
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc)


def _stage(store: LocalStore, run_id: str, written: dt.datetime, files: int = 2) -> None:
    for i in range(files):
        key = f"{layout.staging(DAY, run_id)}articles/shard-{i}.jsonl.gz"
        store.put_bytes(key, b"text")
        os.utime(store.path / key, (written.timestamp(), written.timestamp()))


def test_remove_run_deletes_only_that_run(tmp_path):
    store = LocalStore(tmp_path)
    _stage(store, "run-a", NOW)
    _stage(store, "run-b", NOW)
    assert staging.remove_run(store, DAY, "run-a") == 2
    assert {i.key.split("/")[2] for i in store.list(layout.STAGING)} == {"run-b"}


@pytest.mark.parametrize(
    ("ages", "swept"),
    [
        pytest.param({"crashed": 49, "working": 1}, ["crashed"], id="old-run-swept-fresh-run-kept"),
        pytest.param({"crashed": 47}, [], id="younger-than-the-limit"),
        pytest.param({}, [], id="nothing-staged"),
    ],
)
def test_sweep_removes_staging_older_than_the_limit(tmp_path, ages, swept):
    store = LocalStore(tmp_path)
    for run_id, hours in ages.items():
        _stage(store, run_id, NOW - dt.timedelta(hours=hours))
    store.put_bytes("claims/dt=2026-11-26/part.parquet", b"published, never swept")
    removed = staging.sweep_staging(store, dt.timedelta(hours=48), now=NOW)
    assert removed == [layout.staging(DAY, run_id) for run_id in swept]
    assert {i.key.split("/")[2] for i in store.list(layout.STAGING)} == set(ages) - set(swept)
    assert store.exists("claims/dt=2026-11-26/part.parquet")


def test_a_run_still_writing_is_not_swept(tmp_path):
    """Its newest object decides: one fresh shard keeps a long run's old ones."""
    store = LocalStore(tmp_path)
    _stage(store, "long", NOW - dt.timedelta(hours=60))
    store.put_bytes(f"{layout.staging(DAY, 'long')}extracted/shard-9.jsonl.gz", b"new")
    assert staging.sweep_staging(store, dt.timedelta(hours=48)) == []


def test_sweep_on_s3_ages_by_last_modified(s3_lake):
    from claimflow.storage import open_store

    store = open_store(s3_lake)
    store.put_bytes(layout.staged_file(DAY, "r", layout.INGEST), b"{}")
    assert staging.sweep_staging(store, dt.timedelta(hours=48)) == []
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=49)
    assert staging.sweep_staging(store, dt.timedelta(hours=48), now=later) == [layout.staging(DAY, "r")]
    assert not list(store.list(layout.STAGING))
