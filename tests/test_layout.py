import pytest

from claimflow import layout


def test_partitions_are_hive_style():
    assert layout.partition("claims", "2026-11-26") == "claims/dt=2026-11-26/"
    assert layout.partition("quarantine/articles", "2026-11-26") == "quarantine/articles/dt=2026-11-26/"
    assert layout.manifest("2026-11-26") == "_manifests/dt=2026-11-26/_manifest.json"


def test_raw_archives_are_kept_per_run():
    assert layout.raw_archive("2026-11-26", "manual__a:b") == "raw/dt=2026-11-26/run=manual__a_b/articles.jsonl.gz"
    assert layout.staged_raw_archive("2026-11-26", "r").startswith(layout.staging("2026-11-26", "r"))


@pytest.mark.parametrize("day", ["2026-13-01", "26-11-2026", "2026-11-26T00:00", "", "../x"])
def test_bad_days_are_refused_with_the_expected_form(day):
    with pytest.raises(ValueError, match="expected a day like"):
        layout.manifest(day)


def test_run_ids_become_safe_keys():
    key = layout.run_key("scheduled__2026-11-26T23:30:00+00:00")
    assert key == "scheduled__2026-11-26T23_30_00_00_00"
    assert layout.staging("2026-11-26", "manual__x/../y").startswith("_staging/dt=2026-11-26/manual__x_.._y/")


def test_a_shard_key_maps_between_kinds():
    key = layout.staged_shard("2026-11-26", "run", "articles", 3)
    assert layout.shard_as(key, "extracted") == layout.staged_shard("2026-11-26", "run", "extracted", 3)
    assert layout.shard_as(layout.shard_as(key, "extracted"), "articles") == key


def test_delta_tables_are_the_published_and_quarantine_tables():
    assert layout.delta_table("claims") == "claims"
    assert layout.delta_table("quarantine/inputs") == "quarantine/inputs"
    assert set(layout.DELTA_TABLES) == {*layout.TABLES, *(f"quarantine/{t}" for t in layout.QUARANTINE_TABLES)}
    with pytest.raises(ValueError, match="expected one of"):
        layout.delta_table("quarantine/../claims")
