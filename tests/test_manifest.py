"""The day manifest: typed round trip, and refusals that name the day and the reason."""

from __future__ import annotations

import json
import time

import pytest
from bad_manifests import hostile, planted

from claimflow import layout
from claimflow.exceptions import ManifestError
from claimflow.manifest import (
    MAX_MANIFEST_BYTES,
    Accounting,
    Manifest,
    Model,
    Quality,
    TableVersion,
    read_manifest,
    write_manifest,
)
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
        quality=Quality(passed=True, results="quality/x.json", report="quality/x.html", statistics={"articles": {"rows": 1}}),
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
        pytest.param(_broken(lambda d: d.pop("run_id")), "KeyError: 'manifest has no run_id'", id="missing-field"),
        pytest.param(_broken(lambda d: d["tables"]["claims"].update(version="3")), "'version' to be int", id="mistyped-version"),
        pytest.param(_broken(lambda d: d["tables"].pop("claims")), "expected tables", id="missing-table"),
        pytest.param(_broken(lambda d: d["accounting"].update(ingested=True)), "'ingested' to be int", id="bool-is-not-int"),
        pytest.param(_broken(lambda d: d.update(day="2026-11-25")), "it describes 2026-11-25", id="another-day"),
        pytest.param(_broken(lambda d: d["tables"].update(claims={"rows": 1, "files": []})), "KeyError: 'claims has no version'", id="parquet-era-manifest"),
    ],
)
def test_unreadable_manifest_is_refused_with_reason(tmp_path, content, reason):
    store = LocalStore(tmp_path)
    store.put_bytes(layout.manifest(DAY), content)
    with pytest.raises(ManifestError, match=f"manifest of {DAY} is unreadable: .*{reason}"):
        read_manifest(store, DAY)


def _with(path: str, value: str) -> bytes:
    return planted(sample().to_dict(), path, value)


# Each a manifest the UI answered 500 for (issue #19), or one outside the schema's bounds.
HOSTILE = [
    pytest.param(hostile(sample().to_dict(), "nested-100000-deep"), "nested deeper than 8", id="nested-100000-deep"),
    pytest.param(hostile(sample().to_dict(), "5000-digit-integer"), "an integer of 5,000 digits", id="5000-digit-integer"),
    pytest.param(hostile(sample().to_dict(), "version-negative"), r"'version' in 0 <= n < 2\*\*63, got -5", id="version-negative"),
    pytest.param(hostile(sample().to_dict(), "version-10-to-the-30"), "an integer of 31 digits", id="version-10-to-the-30"),
    pytest.param(_with("tables.claims.version", str(2**63)), r"'version' in 0 <= n < 2\*\*63", id="version-2-to-the-63"),
    pytest.param(_with("quarantine.inputs.rows", "-1"), "'rows' in 0 <= n", id="rows-negative"),
    pytest.param(_with("tables.claims.rows", "1.5"), "'rows' to be int, got float", id="rows-float"),
    pytest.param(_with("quality.statistics", '{"articles": {"rows": NaN}}'), "NaN is not a number", id="nan"),
    pytest.param(_with("quality.statistics", '{"articles": 3}'), "'articles' to be dict", id="statistics-flat"),
    pytest.param(_with("run_id", json.dumps("r" * 5000)), "'run_id' to be a line of at most 4096", id="long-string"),
    pytest.param(_with("run_id", json.dumps("a\nb")), "'run_id' to be a line", id="control-character"),
    pytest.param(_with("day", '"2026-13-45"'), "expected a day like", id="day-not-a-date"),
    pytest.param(_with("day", json.dumps("2" * 4000)), "expected a day like 2026-11-26, got '2{200,} …$", id="long-value-cut-short"),
    pytest.param(_with("published_at", '"yesterday"'), "Invalid isoformat", id="published-at-not-a-time"),
    pytest.param(_with("model", '"en_core_web_sm"'), "an object for model", id="model-not-an-object"),
    pytest.param(b'{"day": "2026-11-26", "pad": "' + b"x" * (2 << 20) + b'"}', "2,097,184 bytes, more than 262,144", id="2-MiB"),
    pytest.param(b'{"day": "\xff"}', "UnicodeDecodeError", id="not-utf-8"),
]


@pytest.mark.parametrize(("content", "reason"), HOSTILE)
def test_a_hostile_manifest_is_refused_naming_the_day(tmp_path, content, reason):
    store = LocalStore(tmp_path)
    store.put_bytes(layout.manifest(DAY), content)
    with pytest.raises(ManifestError, match=f"manifest of {DAY} is unreadable: .*{reason}") as refused:
        read_manifest(store, DAY)
    assert refused.value.day == DAY


def test_an_oversized_manifest_is_refused_from_its_size_unread(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    store.put_bytes(layout.manifest(DAY), b" " * (MAX_MANIFEST_BYTES + 1))
    monkeypatch.setattr(LocalStore, "get_bytes", lambda *_: pytest.fail("read an oversized manifest"))
    with pytest.raises(ManifestError, match="more than 262,144"):
        read_manifest(store, DAY)
    with pytest.raises(ManifestError, match="more than 262,144"):
        read_manifest(store, DAY, size=MAX_MANIFEST_BYTES + 1)


def test_the_largest_counts_and_a_null_model_version_are_read(tmp_path):
    store = LocalStore(tmp_path)
    content = _with("tables.claims.version", str(2**63 - 1)).replace(b'"3.8.0"', b"null")
    store.put_bytes(layout.manifest(DAY), content)
    manifest = read_manifest(store, DAY)
    assert manifest.tables["claims"].version == 2**63 - 1 and manifest.model.version is None


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'"' + b'\\"' * (MAX_MANIFEST_BYTES // 2 - 1), id="an unterminated string of escaped quotes"),
        pytest.param(b'"[' * (MAX_MANIFEST_BYTES // 2), id="quotes and brackets"),
        pytest.param(b"[" * MAX_MANIFEST_BYTES, id="brackets only"),
    ],
)
def test_the_largest_hostile_manifest_is_refused_in_linear_time(tmp_path, content):
    """The nesting check runs before the parser: scanning strings must not restart at every quote."""
    store = LocalStore(tmp_path)
    store.put_bytes(layout.manifest(DAY), content)
    started = time.perf_counter()
    with pytest.raises(ManifestError):
        read_manifest(store, DAY)
    assert time.perf_counter() - started < 5  # about 0.1 s; a quadratic scan takes hours
