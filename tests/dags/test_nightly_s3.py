"""The nightly DAG publishing to a real S3 server (SeaweedFS on loopback), reruns and outages."""

from __future__ import annotations

import time

import pytest
from dagrun import DAY, SEEDS, run_nightly

from claimflow import layout
from claimflow.config import Settings
from claimflow.manifest import read_manifest
from claimflow.storage import open_store
from claimflow.storage.delta import DeltaLake

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(s3_lake, monkeypatch, airflow_db):
    monkeypatch.setenv("CLAIMFLOW_LAKE", s3_lake)
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(SEEDS))
    monkeypatch.setenv("CLAIMFLOW_S3_MAX_ATTEMPTS", "2")
    return open_store(s3_lake)


def _rows(lake, version: dict[str, int] | None = None) -> dict[str, int]:
    tables = DeltaLake.open(Settings(lake=lake.root))
    return {t: tables.read_day(t, DAY, version=(version or {}).get(t)).num_rows for t in layout.TABLES}


def test_a_day_is_published_to_s3_and_a_rerun_replaces_it(lake):
    assert run_nightly().state == "success"
    manifest = read_manifest(lake, DAY)
    first = _rows(lake)
    assert first == {t: manifest.tables[t].rows for t in layout.TABLES}
    assert manifest.lake.startswith("s3://")

    assert run_nightly().state == "success"
    again = read_manifest(lake, DAY)
    assert _rows(lake) == first
    assert all(again.tables[t].version > manifest.tables[t].version for t in layout.TABLES)
    assert _rows(lake, manifest.versions()) == first  # the first run's day, by time travel
    claims = DeltaLake.open(Settings(lake=lake.root)).read_day("claims", DAY, columns=["claim_id"]).column(0).to_pylist()
    assert len(claims) == len(set(claims))
    assert not list(lake.list("_staging/"))


def test_an_outage_during_publish_fails_it_cleanly_and_a_rerun_completes_the_day(lake, seaweedfs, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_PUBLISH_LEASE_MINUTES", "1")
    commits = []
    real = DeltaLake.replace_day

    def commit_then_outage(self, *args, **kwargs):
        commits.append(args[1])
        if len(commits) == 3:  # the server goes away in the middle of publishing
            seaweedfs.stop()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DeltaLake, "replace_day", commit_then_outage)
    run = run_nightly(retries=0)
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["publish"] == "failed" and states["validate"] == "success"

    failed_at = time.monotonic()
    seaweedfs.start()
    assert read_manifest(lake, DAY) is None, "a half-published day has no manifest"
    # the failed run could not release its lease while the server was down; dag.test's next run
    # takes the day over once that lease has expired (so would a retry of the same run)
    time.sleep(max(0.0, 61 - (time.monotonic() - failed_at)))
    monkeypatch.setattr(DeltaLake, "replace_day", real)
    rerun = run_nightly(retries=0)
    assert rerun.state == "success", {ti.task_id: ti.state for ti in rerun.get_task_instances()}
    acc = read_manifest(lake, DAY).accounting
    assert acc.ingested == acc.published + acc.quarantined == len(list(SEEDS.glob("*.txt"))) + 3
    assert _rows(lake)["articles"] == acc.published
