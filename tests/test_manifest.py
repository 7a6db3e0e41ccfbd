"""The day manifest: typed round trip, and refusals that name the day and the reason."""

from __future__ import annotations

import json

import pytest

from claimflow import layout
from claimflow.exceptions import ManifestError
from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion, read_manifest, write_manifest
from claimflow.storage import LocalStore

DAY = "2026-11-26"


def sample(run_id: str = "manual__1") -> Manifest:
    return Manifest(
        day=DAY,
        run_id=run_id,
        published_at="2026-11-27T00:10:00+00:00",
        code_version="0.1.0",
        model=Model("en_core_web_sm", "3.8.0"),
        lake="file:///lake",
        tables={t: TableVersion(rows=i + 1, version=3) for i, t in enumerate(layout.TABLES)},
        quarantine={t: TableVersion(rows=0, version=2) for t in layout.QUARANTINE_TABLES},
        accounting=Accounting(ingested=3, published=1, quarantined=2),
        quality=Quality(passed=True, results="quality/x.json", report="quality/x.html", statistics={"n": 1}),
        raw_archive=f"raw/dt={DAY}/run=manual__1/articles.jsonl.gz",
        registry=TableVersion(rows=4, version=5),
    )


def test_round_trip_through_the_lake(tmp_path):
    store = LocalStore(tmp_path)
    key = write_manifest(store, sample())
    assert key == layout.manifest(DAY)
    assert read_manifest(store, DAY) == sample()


def test_versions_names_every_delta_table():
    assert sample().versions() == {**dict.fromkeys(layout.TABLES, 3), layout.REGISTRY: 5,
                                   **{f"quarantine/{t}": 2 for t in layout.QUARANTINE_TABLES}}
    assert set(sample().versions()) == set(layout.DELTA_TABLES)


def test_a_manifest_written_before_the_registry_still_reads(tmp_path):
    """Days published before the entity registry existed have no registry entry: they read, without it."""
    store = LocalStore(tmp_path)
    data = sample().to_dict()
    del data["registry"]
    store.put_bytes(layout.manifest(DAY), json.dumps(data).encode())
    manifest = read_manifest(store, DAY)
    assert manifest.registry is None and layout.REGISTRY not in manifest.versions()


def test_missing_day_reads_as_none(tmp_path):
    assert read_manifest(LocalStore(tmp_path), DAY) is None


def _broken(change) -> bytes:
    data = sample().to_dict()
    change(data)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"{not json", "not JSON", id="not-json"),
        pytest.param(b"[1, 2]", "expected an object", id="not-an-object"),
        pytest.param(_broken(lambda d: d.pop("run_id")), "KeyError: 'run_id'", id="missing-field"),
        pytest.param(_broken(lambda d: d["tables"]["claims"].update(version="3")), "'version' to be int", id="mistyped-version"),
        pytest.param(_broken(lambda d: d["tables"].pop("claims")), "expected tables", id="missing-table"),
        pytest.param(_broken(lambda d: d["accounting"].update(ingested=True)), "'ingested' to be int", id="bool-is-not-int"),
        pytest.param(_broken(lambda d: d.update(day="2026-11-25")), "it describes 2026-11-25", id="another-day"),
        pytest.param(_broken(lambda d: d["tables"].update(claims={"rows": 1, "files": []})), "KeyError: 'version'", id="parquet-era-manifest"),
    ],
)
def test_unreadable_manifest_is_refused_with_reason(tmp_path, content, reason):
    store = LocalStore(tmp_path)
    store.put_bytes(layout.manifest(DAY), content)
    with pytest.raises(ManifestError, match=f"manifest of {DAY} is unreadable: .*{reason}"):
        read_manifest(store, DAY)
