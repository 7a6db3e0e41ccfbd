"""The nightly DAG publishing to a real S3 server (SeaweedFS on loopback), reruns and outages."""

from __future__ import annotations

import pytest

from claimflow import layout
from claimflow.storage import open_store
from claimflow.storage.records import get_json, read_parquet
from claimflow.storage.s3 import S3Store
from dagrun import DAY, SEEDS, run_nightly

pytestmark = pytest.mark.integration


@pytest.fixture
def lake(s3_lake, monkeypatch, airflow_db):
    monkeypatch.setenv("CLAIMFLOW_LAKE", s3_lake)
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(SEEDS))
    monkeypatch.setenv("CLAIMFLOW_S3_MAX_ATTEMPTS", "2")
    return open_store(s3_lake)


def _rows(lake) -> dict[str, int]:
    return {t: read_parquet(lake, layout.part_file(t, DAY, 0)).num_rows for t in layout.TABLES}


def test_a_day_is_published_to_s3_and_a_rerun_replaces_it(lake):
    assert run_nightly().state == "success"
    manifest = get_json(lake, layout.manifest(DAY))
    first = _rows(lake)
    assert first == {t: manifest["tables"][t]["rows"] for t in layout.TABLES}
    for entry in (f for info in manifest["tables"].values() for f in info["files"]):
        assert lake.stat(entry["key"]).sha256 == entry["sha256"]
    assert manifest["lake"].startswith("s3://")

    assert run_nightly().state == "success"
    assert _rows(lake) == first
    claims = read_parquet(lake, layout.part_file("claims", DAY, 0)).column("claim_id").to_pylist()
    assert len(claims) == len(set(claims))
    assert not list(lake.list("_staging/"))


def test_an_outage_during_publish_fails_it_cleanly_and_a_rerun_completes_the_day(lake, seaweedfs, monkeypatch):
    copies = []
    real_copy = S3Store.copy

    def copy_then_outage(self, src, dst):
        copies.append(dst)
        if len(copies) == 3:  # the server goes away in the middle of publishing
            seaweedfs.stop()
        real_copy(self, src, dst)

    monkeypatch.setattr(S3Store, "copy", copy_then_outage)
    run = run_nightly(retries=0)
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["publish"] == "failed" and states["validate"] == "success"

    seaweedfs.start()
    assert not lake.exists(layout.manifest(DAY)), "a half-published day has no manifest"
    monkeypatch.setattr(S3Store, "copy", real_copy)
    assert run_nightly().state == "success"
    manifest = get_json(lake, layout.manifest(DAY))
    acc = manifest["accounting"]
    assert acc["ingested"] == acc["published"] + acc["quarantined"] == len(list(SEEDS.glob("*.txt"))) + 3
    assert _rows(lake)["articles"] == acc["published"]
