"""Publishing a day as Delta commits, on the local lake and on S3 (SeaweedFS): versions in the
manifest, time travel, idempotent reruns, racing runs, and failures half way."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from staged_day import expire_leases, stage_day

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.exceptions import PublishConflict
from claimflow.manifest import Manifest, read_manifest
from claimflow.storage import delta, lease, open_lake
from claimflow.storage.records import get_json, read_jsonl_gz

DAY = "2026-11-26"
ROWS_A = {"articles": 3, "entities": 5, "mentions": 8, "claims": 4}
ROWS_B = {"articles": 6, "entities": 9, "mentions": 2, "claims": 7}


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.integration)])
def settings(request, tmp_path) -> Settings:
    if request.param == "local":
        return Settings(lake=str(tmp_path / "lake"))
    return Settings(lake=request.getfixturevalue("s3_lake"), aws_conn_id="claimflow_no_such_conn")


def day_rows(settings: Settings, version: dict[str, int] | None = None) -> dict[str, list[str]]:
    """The run id of every row of the day in every Delta table (a quarantine row's is in its
    ``detail``), at ``version`` or the latest."""
    tables = delta.DeltaLake.open(settings)
    return {
        table: tables.read_day(table, DAY, version=(version or {}).get(table),
                               columns=["detail" if table.startswith("quarantine/") else "run_id"]).column(0).to_pylist()
        for table in layout.DELTA_TABLES
    }


def assert_day_is_one_runs(settings: Settings, manifest: Manifest, rows: dict[str, int], *, version=None) -> None:
    runs = day_rows(settings, version)
    for table in layout.TABLES:
        assert runs[table] == [manifest.run_id] * rows[table], table
        assert manifest.tables[table].rows == rows[table]
    assert runs["quarantine/inputs"] == [manifest.run_id]


def publish(settings: Settings, run_id: str, rows: dict[str, int]) -> Manifest:
    return stages.publish(settings, DAY, run_id, stage_day(settings, DAY, run_id, rows))


def test_a_day_is_committed_and_the_manifest_names_the_versions(settings):
    manifest = publish(settings, "run-a", ROWS_A)
    assert read_manifest(open_lake(settings), DAY) == manifest
    assert manifest.versions() == dict.fromkeys(layout.DELTA_TABLES, 1)  # 0 created the table
    assert_day_is_one_runs(settings, manifest, ROWS_A)
    store = open_lake(settings)
    assert [r["run"] for r in read_jsonl_gz(store, manifest.raw_archive)] == ["run-a"] * 3
    assert not list(store.list(layout.STAGING))
    history = delta.DeltaLake.open(settings).table("claims").history(1)
    assert history[0]["run_id"] == "run-a" and history[0]["day"] == DAY


def test_rerun_is_idempotent_and_empty_tables_still_replace_the_day(settings):
    first = publish(settings, "run-a", ROWS_A)
    again = publish(settings, "run-a", ROWS_A)
    assert day_rows(settings) == day_rows(settings, first.versions())
    assert again.versions() == {t: v + 1 for t, v in first.versions().items()}
    emptied = publish(settings, "run-c", {**ROWS_A, "claims": 0})
    tables = delta.DeltaLake.open(settings)
    assert tables.read_day("claims", DAY).num_rows == 0 and emptied.tables["claims"].rows == 0
    assert tables.read_day("claims", DAY, version=first.tables["claims"].version).num_rows == 4


def test_the_previous_run_of_a_day_reads_at_its_recorded_versions(settings):
    first = publish(settings, "run-a", ROWS_A)
    publish(settings, "run-b", ROWS_B)
    assert_day_is_one_runs(settings, first, ROWS_A, version=first.versions())
    other_day = stages.publish(settings, "2026-11-27", "run-x", stage_day(settings, "2026-11-27", "run-x", ROWS_B))
    assert other_day.tables["articles"].rows == 6
    assert delta.DeltaLake.open(settings).read_day("articles", DAY).num_rows == 6  # another day's commit leaves this one


def test_two_runs_publishing_at_once_leave_one_runs_day(settings):
    staged = {run: stage_day(settings, DAY, run, rows) for run, rows in (("run-a", ROWS_A), ("run-b", ROWS_B))}
    barrier = threading.Barrier(2)

    def race(run_id: str) -> Manifest | Exception:
        barrier.wait(timeout=60)
        try:
            return stages.publish(settings, DAY, run_id, staged[run_id])
        except PublishConflict as error:
            return error

    with ThreadPoolExecutor(2) as pool:
        outcome = dict(zip(staged, pool.map(race, staged), strict=True))
    won = [run for run, result in outcome.items() if isinstance(result, Manifest)]
    assert len(won) >= 1, outcome
    manifest = read_manifest(open_lake(settings), DAY)
    assert manifest.run_id == won[-1] if len(won) == 1 else manifest.run_id in won
    rows = ROWS_A if manifest.run_id == "run-a" else ROWS_B
    assert_day_is_one_runs(settings, manifest, rows)
    assert_day_is_one_runs(settings, manifest, rows, version=manifest.versions())
    for run, result in outcome.items():
        if isinstance(result, PublishConflict):
            assert result.holder == manifest.run_id and f"run {manifest.run_id}" in str(result)
            # the loser's retry, once the winner is done, publishes its own day whole
            retried = stages.publish(settings, DAY, run, staged[run])
            assert_day_is_one_runs(settings, retried, ROWS_A if run == "run-a" else ROWS_B)


def test_a_run_overtaken_after_its_lease_expired_cannot_commit(settings):
    """A stalls past its lease; B takes the day over and publishes; A wakes up: its next commit is
    refused by the lease check and, were that skipped, by the fence in the Delta log."""
    store = open_lake(settings)
    staged_a = stage_day(settings, DAY, "run-a", ROWS_A)
    held = lease.acquire(store, DAY, "run-a", dt.timedelta(minutes=1))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=2)
    with pytest.raises(PublishConflict, match="run run-b cannot publish .*run run-a is publishing it"):
        lease.acquire(store, DAY, "run-b", dt.timedelta(minutes=1))
    taken = lease.acquire(store, DAY, "run-b", dt.timedelta(minutes=10), now=later)
    assert taken.generation == held.generation + 1
    taken.release()
    manifest_b = publish(settings, "run-b", ROWS_B)
    with pytest.raises(PublishConflict, match="taken over by run run-b"):
        held.check()
    parts = stages._staged_parts(get_json(store, store.key(staged_a)))
    commit = delta.DayCommit(DAY, "run-a", held.generation)
    with pytest.raises(PublishConflict, match="a later publish .* has committed claims"):
        delta.DeltaLake.open(settings).replace_day(store, "claims", stages.SCHEMAS["claims"], parts["claims"], commit)
    assert_day_is_one_runs(settings, manifest_b, ROWS_B)


def test_run_ids_that_once_squashed_alike_stage_and_publish_apart(settings):
    """`nightly a` and `nightly/a` were one staging key on main: the second's staging replaced the
    first's, whose publish then committed the other run's rows under its own manifest."""
    staged = {run: stage_day(settings, DAY, run, rows) for run, rows in (("nightly a", ROWS_A), ("nightly/a", ROWS_B))}
    for run, rows in (("nightly a", ROWS_A), ("nightly/a", ROWS_B)):
        manifest = stages.publish(settings, DAY, run, staged[run])
        assert manifest.run_id == run
        assert_day_is_one_runs(settings, manifest, rows)
    assert manifest.raw_archive != layout.raw_archive(DAY, "nightly a")


def test_a_second_process_under_the_same_run_id_commits_nothing_while_the_first_publishes(settings):
    """Two `claimflow run --run-id run-x` at once: on main the second took the lease as "itself"
    and committed tables under the first's feet (articles and entities without a manifest)."""
    first = publish(settings, "run-a", ROWS_A)
    staged = stage_day(settings, DAY, "run-x", ROWS_B)
    held = lease.acquire(open_lake(settings), DAY, "run-x", dt.timedelta(minutes=10))  # the first process of run-x
    with pytest.raises(PublishConflict, match="run run-x is publishing it") as error:
        stages.publish(settings, DAY, "run-x", staged)
    assert f"(holder {held.record.holder}," in str(error.value)
    assert read_manifest(open_lake(settings), DAY) == first
    assert_day_is_one_runs(settings, first, ROWS_A)  # the latest versions: nothing committed
    held.check()  # and the first still holds the day


def test_a_publish_failing_half_way_keeps_the_previous_day_readable_and_a_retry_completes(settings, monkeypatch):
    first = publish(settings, "run-a", ROWS_A)
    staged_b = stage_day(settings, DAY, "run-b", ROWS_B)
    real = delta.DeltaLake.replace_day
    calls = []

    def fail_third(self, *args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise OSError("disk went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(delta.DeltaLake, "replace_day", fail_third)
    with pytest.raises(OSError, match="disk went away"):
        stages.publish(settings, DAY, "run-b", staged_b)
    store = open_lake(settings)
    assert read_manifest(store, DAY) == first
    assert_day_is_one_runs(settings, first, ROWS_A, version=first.versions())
    assert [r["run"] for r in read_jsonl_gz(store, first.raw_archive)] == ["run-a"] * 3
    monkeypatch.setattr(delta.DeltaLake, "replace_day", real)
    retried = stages.publish(settings, DAY, "run-b", staged_b)  # the lease of the failed try is free again
    assert read_manifest(store, DAY) == retried
    assert_day_is_one_runs(settings, retried, ROWS_B)


@pytest.mark.integration
def test_seaweedfs_stopped_in_the_middle_of_a_publish_keeps_the_previous_day_and_a_retry_completes(tmp_path, monkeypatch):
    from seaweed import SeaweedFS, isolate_aws_env, weed_binary

    if weed_binary() is None:
        pytest.skip("the weed binary is not installed")
    with SeaweedFS(tmp_path / "weed") as server:
        isolate_aws_env(monkeypatch, server.env())
        monkeypatch.setenv("CLAIMFLOW_S3_MAX_ATTEMPTS", "2")
        settings = Settings(lake=f"s3://{server.bucket}/lake", aws_conn_id="claimflow_no_such_conn")
        first = publish(settings, "run-a", ROWS_A)
        staged_b = stage_day(settings, DAY, "run-b", ROWS_B)
        real = delta.DeltaLake.replace_day
        calls = []

        def stop_before_third(self, *args, **kwargs):
            calls.append(args[1])
            if len(calls) == 3:  # articles and entities are committed; the server goes away
                server.stop()
            return real(self, *args, **kwargs)

        monkeypatch.setattr(delta.DeltaLake, "replace_day", stop_before_third)
        with pytest.raises(Exception) as failed:  # delta-rs and boto3 each say it their way
            stages.publish(settings, DAY, "run-b", staged_b)
        assert not isinstance(failed.value, PublishConflict)
        server.start()
        monkeypatch.setattr(delta.DeltaLake, "replace_day", real)
        expire_leases(settings)  # the failed attempt could not release them with the store down
        store = open_lake(settings)
        assert read_manifest(store, DAY) == first
        assert_day_is_one_runs(settings, first, ROWS_A, version=first.versions())
        latest = day_rows(settings)
        assert latest["articles"] == ["run-b"] * 6 and latest["claims"] == ["run-a"] * 4  # each table whole
        retried = stages.publish(settings, DAY, "run-b", staged_b)
        assert read_manifest(store, DAY) == retried
        assert_day_is_one_runs(settings, retried, ROWS_B)
        assert_day_is_one_runs(settings, retried, ROWS_B, version=retried.versions())


def test_a_lake_published_before_articles_had_revises_still_publishes(settings):
    """The articles table as a lake published before revisions were kept: no ``revises`` column.
    The next publish adds it (Delta schema merge); the older day reads it as null, old versions too."""
    import pyarrow as pa
    from deltalake import DeltaTable, write_deltalake

    from claimflow import readers

    old = pa.schema([column for column in stages.SCHEMAS["articles"] if column.name != "revises"])
    earlier = {**dict.fromkeys(old.names), "article_id": "old-article", "dt": "2026-11-25", "run_id": "old-run"}
    uri, options = delta.table_uri(settings, "articles"), delta.storage_options(settings)
    write_deltalake(uri, pa.Table.from_pylist([earlier], schema=old), partition_by=["dt"], storage_options=options)
    before = DeltaTable(uri, storage_options=options).version()

    manifest = publish(settings, "run-a", ROWS_A)

    table = DeltaTable(uri, storage_options=options)
    assert "revises" in {column.name for column in table.schema().fields}
    rows = {row["article_id"]: row["revises"] for row in table.to_pyarrow_table(columns=["article_id", "revises"]).to_pylist()}
    assert rows == {"old-article": None, **{f"{manifest.day}/articles-{i}": None for i in range(ROWS_A["articles"])}}
    db = readers.connect(settings, versions={"articles": before}, tables=["articles"])  # time travel to before the column
    assert db.execute("SELECT article_id, revises FROM articles").fetchall() == [("old-article", None)]
    assert db.execute("SELECT story_id, article_id, revisions FROM stories").fetchall() == [("old-article", "old-article", 1)]
    assert manifest.tables["articles"].version == before + 1
