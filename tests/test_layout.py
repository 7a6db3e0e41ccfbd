import pytest

from claimflow import layout

DAY, RUN = "2026-11-26", "scheduled__2026-11-26T23:30:00+00:00"
RUN_KEY = "scheduled__2026-11-26T23~3A30~3A00~2B00~3A00"


def test_manifests_are_one_per_day_and_parse_back():
    key = layout.manifest(DAY)
    assert key == "_manifests/dt=2026-11-26/_manifest.json" and key.startswith(layout.MANIFESTS)
    assert layout.manifest_day(key) == DAY
    for other in ("_manifests/dt=2026-11-26/other.json", "_manifests/dt=2026-02-31/_manifest.json", "x" + key):
        assert layout.manifest_day(other) is None


def test_raw_archives_are_kept_per_run():
    key = layout.raw_archive(DAY, "manual__a:b")
    assert key == "raw/dt=2026-11-26/run=manual__a~3Ab/articles.jsonl.gz" and key.startswith(layout.RAW)
    assert layout.raw_archive_day(key) == DAY
    assert layout.raw_archive_day("raw/dt=2026-11-26/run=manual__a_b/articles.jsonl.gz") == DAY  # an older lake's key
    for other in ("raw/dt=2026-11-26/run=a/other.gz", "raw/dt=2026-02-31/run=a/articles.jsonl.gz", "x" + key):
        assert layout.raw_archive_day(other) is None
    assert layout.staged_raw_archive(DAY, "r").startswith(layout.staging(DAY, "r"))


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-31", "26-11-2026", "2026-11-26T00:00", "", "../x"])
def test_bad_days_are_refused_with_the_expected_form(day):
    with pytest.raises(ValueError, match="expected a day like"):
        layout.manifest(day)


def test_run_ids_become_safe_keys():
    assert layout.run_key(RUN) == RUN_KEY
    assert layout.run_key(layout.run_key(RUN)) == RUN_KEY  # a RunKey maps to itself: functions take either
    assert layout.staging(DAY, "manual__x/../y").startswith("_staging/dt=2026-11-26/manual__x~2F..~2Fy/")
    assert layout.staging(DAY, layout.check_run_key(RUN_KEY)) == layout.staging(DAY, RUN)
    for ordinary in ("manual_1", "nightly-a", "cli__2026-12-07T18.16.09.123456Z-3f9a", "a.b"):
        assert layout.run_key(ordinary) == ordinary  # an older lake's keys of such ids stay the same
    with pytest.raises(ValueError, match="expected a run key like"):
        layout.check_run_key("a/../b")
    with pytest.raises(ValueError, match="expected a run id"):
        layout.run_key("")


@pytest.mark.parametrize("ids", [
    ("nightly a", "nightly/a", "nightly_a", "nightly:a", "nightly~20a"),
    ("scheduled__2026-12-06T00:00:00+00:00", "scheduled__2026-12-06T00_00_00_00_00", "scheduled__2026-12-06T00:00:00 00:00"),
    (".", "..", "~2E", "_.", "é", "~C3~A9", "e\u0301"),
])
def test_distinct_run_ids_never_share_a_key(ids):
    keys = [layout.run_key(run_id) for run_id in ids]
    assert len(set(keys)) == len(ids)
    assert all(layout.check_run_key(key) == key and key not in (".", "..") for key in keys)
    assert len({layout.staging(DAY, run_id) for run_id in ids}) == len(ids)


def test_a_staged_shard_parses_back_to_its_run_and_name():
    key = layout.staged_shard(DAY, RUN, 3)
    assert key == f"_staging/dt=2026-11-26/{RUN_KEY}/articles/shard-00003.jsonl.gz"
    assert layout.parse_staged_shard(key) == layout.StagedShard(DAY, RUN_KEY, "shard-00003")
    with pytest.raises(ValueError, match="expected a staged shard key like"):
        layout.parse_staged_shard(layout.staged_file(DAY, RUN, layout.INGEST))


def test_a_run_stages_every_file_under_its_staging():
    stage = layout.staging(DAY, RUN)
    keys = [
        layout.staged_file(DAY, RUN, layout.INGEST),
        layout.staged_file(DAY, RUN, layout.REJECTED),
        layout.staged_file(DAY, RUN, layout.STAGED),
        layout.validated_shard(DAY, RUN, "shard-00001"),
        layout.staged_table(DAY, RUN, "claims", "shard-00001"),
        layout.staged_quarantine(DAY, RUN, "claims", "shard-00001"),
        layout.staged_quarantine(DAY, RUN, "inputs", layout.INPUTS_QUARANTINE),
        layout.staged_raw_archive(DAY, RUN),
        layout.staged_shard(DAY, RUN, 1),
    ]
    assert all(key.startswith(stage) for key in keys) and len(set(keys)) == len(keys)
    assert {layout.staging_run_of(key) for key in keys} == {stage}
    assert layout.staged_table(DAY, RUN, "claims", "shard-00001") == f"{stage}tables/claims/shard-00001.parquet"
    assert layout.staged_quarantine(DAY, RUN, "inputs", "ingest") == f"{stage}quarantine/inputs/ingest.parquet"
    assert layout.staging_run_of("_staging/dt=2026-11-26/x") is None and layout.staging_run_of("quality/dt=x/run=y/z") is None
    with pytest.raises(ValueError, match="expected a staged file name"):
        layout.staged_file(DAY, RUN, "other.json")
    with pytest.raises(ValueError, match="expected one of"):
        layout.staged_table(DAY, RUN, "inputs", "shard-00001")


def test_a_runs_quality_files_parse_back_and_shards_do_not():
    folder = layout.quality_run(DAY, RUN)
    assert folder == f"quality/dt=2026-11-26/run={RUN_KEY}/" and folder.startswith(layout.quality_prefix(DAY))
    for name in layout.QUALITY_FILES:
        key = layout.quality_file(DAY, RUN, name)
        assert key == folder + name
        assert layout.parse_quality_file(key) == layout.QualityFile(DAY, RUN_KEY, name)
    assert layout.quality_file(DAY, layout.check_run_key(RUN_KEY), layout.REPORT) == layout.quality_file(DAY, RUN, layout.REPORT)
    assert layout.quality_shard(DAY, RUN, "shard-00002") == f"{folder}shards/shard-00002.json"
    assert layout.parse_quality_file(layout.quality_shard(DAY, RUN, "shard-00002")) is None
    assert layout.parse_quality_file(f"quality/dt=2026-02-31/run={RUN_KEY}/{layout.REPORT}") is None
    with pytest.raises(ValueError, match="expected a quality file name"):
        layout.quality_file(DAY, RUN, "other.html")


def test_publish_lease_holders_sort_by_number():
    keys = [layout.publish_lease_holder(DAY, n) for n in (2, 10, 1)]
    assert all(key.startswith(layout.publish_lease(DAY)) and layout.is_publish_lease_holder(key) for key in keys)
    assert sorted(keys) == [layout.publish_lease_holder(DAY, n) for n in (1, 2, 10)]
    assert not layout.is_publish_lease_holder(layout.publish_lease(DAY) + "notes.json")


def test_delta_tables_are_the_published_and_quarantine_tables():
    assert layout.delta_table("claims") == "claims"
    assert layout.delta_table("quarantine/inputs") == "quarantine/inputs"
    assert layout.delta_table("registry") == "registry"
    assert set(layout.DELTA_TABLES) == {*layout.TABLES, layout.REGISTRY, *(f"quarantine/{t}" for t in layout.QUARANTINE_TABLES)}
    with pytest.raises(ValueError, match="expected one of"):
        layout.delta_table("quarantine/../claims")


def test_a_day_report_sits_beside_the_manifest_one_per_run():
    key = layout.day_report("2026-11-26", "manual__2026-11-26T00:00:00+00:00")
    assert key == "_manifests/dt=2026-11-26/run=manual__2026-11-26T00~3A00~3A00~2B00~3A00/day-report.html"
    assert layout.manifest_day(key) is None  # a listing of the manifests never takes it for one
    assert layout.day_report("2026-11-26", "a") != layout.day_report("2026-11-26", "b")
    with pytest.raises(ValueError, match="expected a day like"):
        layout.day_report("2026-11-26/../x", "a")
