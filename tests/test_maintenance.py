"""Upkeep of a Delta table: the same rows after OPTIMIZE and VACUUM, fewer files, recent files kept."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest
from delta_rows import claim_row, write_rows
from deltalake import DeltaTable

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import TableMaintenanceFailed
from claimflow.maintenance import maintain, maintain_table, remove_unnamed_archives, sweep_raw_archives, sweep_staging
from claimflow.manifest import write_manifest
from claimflow.storage import LocalStore
from claimflow.storage.delta import storage_options, table_uri

DAY, OTHER_DAY = "2026-11-26", "2026-11-27"
APPENDS = 20


def parquet_files(table: Path) -> set[str]:
    return {str(p.relative_to(table)) for p in table.rglob("*.parquet") if "_delta_log" not in p.parts}


def rows(table: Path) -> list[tuple]:
    data = DeltaTable(str(table)).to_pyarrow_table(columns=["dt", "claim_id", "source_kind"])
    return sorted(zip(*(data.column(c).to_pylist() for c in data.column_names), strict=True))


@pytest.fixture
def small_files(tmp_path: Path) -> Path:
    """A claims table of two days, one written by 20 appends of one row (20 small files)."""
    table = tmp_path / "claims"
    write_rows(table, "claims", [claim_row(OTHER_DAY, "r0", 0, 0, source_kind="person", speaker="Ann")], day=OTHER_DAY)
    for index in range(APPENDS):
        kind = "anonymous" if index % 4 == 0 else "person"
        write_rows(table, "claims", [claim_row(DAY, "r1", index, 0, source_kind=kind, speaker=None)], day=DAY,
                   mode="append")
    return table


def test_compaction_and_vacuum_keep_the_rows_and_leave_fewer_files(small_files):
    before_rows, before_files = rows(small_files), parquet_files(small_files)
    assert len(DeltaTable(str(small_files)).file_uris()) == APPENDS + 1

    done = maintain_table("claims", str(small_files), retention_hours=0)

    assert rows(small_files) == before_rows
    assert (done.files_removed, done.files_added) == (APPENDS, 1)  # the other day's single file is left alone
    assert done.bytes_removed > done.bytes_added > 0
    assert done.files_vacuumed == APPENDS and done.bytes_vacuumed == done.bytes_removed
    assert parquet_files(small_files) == {Path(u).relative_to(small_files).as_posix()
                                          for u in DeltaTable(str(small_files)).file_uris()}
    assert len(parquet_files(small_files)) == 2 < len(before_files)
    assert (small_files / "_delta_log" / "_last_checkpoint").exists()
    assert DeltaTable(str(small_files)).version() == done.version


def test_vacuum_keeps_files_younger_than_the_retention(small_files):
    before = parquet_files(small_files)
    stray = small_files / f"dt={DAY}" / "part-uncommitted.parquet"  # a publish still writing
    stray.write_bytes((small_files / sorted(before)[0]).read_bytes())

    done = maintain_table("claims", str(small_files), retention_hours=24)

    assert done.files_removed == APPENDS and done.files_vacuumed == 0 and done.bytes_vacuumed == 0
    assert parquet_files(small_files) >= before | {str(stray.relative_to(small_files))}


def test_vacuum_removes_files_no_commit_references(small_files):
    stray = small_files / f"dt={DAY}" / "part-of-a-crashed-run.parquet"
    stray.write_bytes(b"PAR1")
    done = maintain_table("claims", str(small_files), retention_hours=0)
    assert not stray.exists() and done.files_vacuumed == APPENDS + 1


def test_a_second_run_has_nothing_to_do(small_files):
    maintain_table("claims", str(small_files), retention_hours=0)
    again = maintain_table("claims", str(small_files), retention_hours=0)
    assert (again.files_removed, again.files_added, again.files_vacuumed) == (0, 0, 0)


def test_a_table_never_published_is_skipped(tmp_path):
    assert maintain_table("quarantine/inputs", str(tmp_path / "quarantine" / "inputs"), retention_hours=0) is None


def test_a_table_retention_longer_than_the_setting_is_respected(small_files):
    DeltaTable(str(small_files)).alter.set_table_properties({"delta.deletedFileRetentionDuration": "interval 30 days"})
    with pytest.raises(TableMaintenanceFailed, match=r"table claims: vacuum failed: .*retention"):
        maintain_table("claims", str(small_files), retention_hours=0)
    assert len(parquet_files(small_files)) == APPENDS + 2  # compaction ran, nothing was deleted


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, 168, id="a week by default"),
        pytest.param({"CLAIMFLOW_VACUUM_RETENTION_HOURS": "720"}, 720, id="thirty days"),
        pytest.param({"CLAIMFLOW_VACUUM_RETENTION_HOURS": "24"}, 24, id="the floor itself"),
    ],
)
def test_the_retention_setting(env, expected):
    assert Settings.from_env(env).vacuum_retention_hours == expected


def test_a_retention_under_a_day_is_refused():
    with pytest.raises(ValueError, match="CLAIMFLOW_VACUUM_RETENTION_HOURS must be a whole number of hours of at least 24 .* got '2'"):
        Settings.from_env({"CLAIMFLOW_VACUUM_RETENTION_HOURS": "2"})


def test_maintain_finds_the_table_in_the_configured_lake(tmp_path):
    settings = Settings(lake=str(tmp_path / "lake"))
    for index in range(3):
        write_rows(tmp_path / "lake" / "claims", "claims", [claim_row(DAY, "r1", index, 0, source_kind="person",
                   speaker="Ann")], day=DAY, mode="append")
    done = maintain(settings, "claims")
    assert (done.table, done.files_removed, done.files_added, done.files_vacuumed) == ("claims", 3, 1, 0)
    assert maintain(settings, "quarantine/claims") is None


def test_maintain_on_s3(s3_lake):
    settings = Settings(lake=s3_lake, aws_conn_id="claimflow_no_such_conn")
    uri, options = table_uri(settings, "claims"), storage_options(settings)
    for index in range(4):
        write_rows(uri, "claims", [claim_row(DAY, "r1", index, 0, source_kind="anonymous", speaker=None)], day=DAY,
                   mode="append", storage_options=options)
    before = DeltaTable(uri, storage_options=options).to_pyarrow_table(columns=["claim_id"]).column(0).to_pylist()

    done = maintain_table("claims", uri, retention_hours=0, options=options)

    after = DeltaTable(uri, storage_options=options)
    assert sorted(after.to_pyarrow_table(columns=["claim_id"]).column(0).to_pylist()) == sorted(before)
    assert (done.files_removed, done.files_added, done.files_vacuumed) == (4, 1, 4)
    assert len(after.file_uris()) == 1


def test_sweep_staging_removes_only_staging_older_than_the_setting(tmp_path):
    pytest.importorskip("claimflow.staging", reason="the staging sweep is lake-commit's (merged later)")
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path), "CLAIMFLOW_STAGING_MAX_AGE_HOURS": "30"})
    crashed, running = layout.staging(DAY, "crashed"), layout.staging(OTHER_DAY, "running")
    for prefix, age in ((crashed, dt.timedelta(hours=31)), (running, dt.timedelta(hours=29))):
        path = tmp_path / prefix / "articles" / "shard-00000.jsonl.gz"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"full article text")
        stamp = (dt.datetime.now(dt.timezone.utc) - age).timestamp()
        os.utime(path, (stamp, stamp))
    assert sweep_staging(settings) == [crashed]
    assert not (tmp_path / crashed).exists() or not any((tmp_path / crashed).rglob("*.gz"))
    assert (tmp_path / running / "articles" / "shard-00000.jsonl.gz").exists()


def _archive(lake: Path, day: str, run_id: str, age: dt.timedelta) -> str:
    """A raw archive of ``run_id`` written ``age`` ago; returns its key."""
    key = layout.raw_archive(day, run_id)
    path = lake / key
    path.parent.mkdir(parents=True)
    path.write_bytes(b"articles of " + run_id.encode())
    stamp = (dt.datetime.now(dt.timezone.utc) - age).timestamp()
    os.utime(path, (stamp, stamp))
    return key


def test_raw_archives_no_manifest_names_go_after_the_retention(tmp_path):
    from test_manifest import sample

    store, week, hour = LocalStore(tmp_path), dt.timedelta(days=8), dt.timedelta(hours=1)
    published = _archive(tmp_path, DAY, "published", week)
    superseded = _archive(tmp_path, DAY, "superseded", week)
    in_flight = _archive(tmp_path, DAY, "in flight", hour)  # a publish copying its archive right now
    crashed = _archive(tmp_path, OTHER_DAY, "crashed", week)  # a day no run ever published
    write_manifest(store, replace(sample(), day=DAY, raw_archive=published))

    removed = remove_unnamed_archives(store, older_than=dt.timedelta(days=7))

    assert sorted(removed) == sorted([superseded, crashed])
    assert {i.key for i in store.list(layout.RAW)} == {published, in_flight}
    assert remove_unnamed_archives(store, older_than=dt.timedelta(days=7)) == []


def test_a_day_with_an_unreadable_manifest_keeps_its_raw_archives(tmp_path):
    store = LocalStore(tmp_path)
    kept = _archive(tmp_path, DAY, "any", dt.timedelta(days=30))
    store.put_bytes(layout.manifest(DAY), b"{not json")
    assert remove_unnamed_archives(store, older_than=dt.timedelta(days=7)) == []
    assert store.exists(kept)


def test_sweep_raw_archives_uses_the_vacuum_retention(tmp_path):
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path), "CLAIMFLOW_VACUUM_RETENTION_HOURS": "48"})
    old, young = (_archive(tmp_path, DAY, run, dt.timedelta(hours=h)) for run, h in (("old", 49), ("young", 47)))
    assert sweep_raw_archives(settings) == [old]
    assert LocalStore(tmp_path).exists(young)


def test_a_lost_commit_race_names_the_table_and_the_step(small_files, monkeypatch):
    from deltalake.exceptions import CommitFailedError
    from deltalake.table import TableOptimizer

    def conflict(self, **_kwargs):
        raise CommitFailedError("Transaction failed: a concurrent transaction deleted data this operation read")

    monkeypatch.setattr(TableOptimizer, "compact", conflict)  # a publish of the day committing meanwhile
    stray = small_files / f"dt={DAY}" / "part-of-a-crashed-run.parquet"
    stray.write_bytes(b"PAR1")
    with pytest.raises(TableMaintenanceFailed, match=r"^table claims: compact failed: CommitFailedError: .*concurrent"):
        maintain_table("claims", str(small_files), retention_hours=0)
    assert stray.exists()  # the steps after the failed one did not run
