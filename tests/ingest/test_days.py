"""Day boundaries: consecutive days' ingest runs lose nothing and take nothing twice.

Each test calls ``stages.ingest`` day after day against a local lake and "publishes" what a day
staged into the ``articles`` Delta table (article_id, url, dt), the index the next runs read.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pytest
from day_stories import STORY, rss
from deltalake import write_deltalake

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.ingest.sources import read_sources
from claimflow.storage import LocalStore, delta, open_lake
from claimflow.storage.records import get_json, read_jsonl_gz


def settings_for(tmp_path: Path, source: str, **env: str) -> Settings:
    return Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": source, **env})


def ingest(settings: Settings, day: str) -> tuple[list[dict], list[dict], dict]:
    """Run ingest for ``day``: its staged articles, its refusals and its accounting file."""
    run_id = f"scheduled__{day}T00:00:00+00:00"
    result = stages.ingest(settings, day, run_id)
    store = open_lake(settings)
    articles = [row for uri in result.shard_uris for row in read_jsonl_gz(store, store.key(uri))]
    rejected = list(read_jsonl_gz(store, layout.staging(day, run_id) + "rejected.jsonl.gz"))
    accounting = get_json(store, layout.staging(day, run_id) + "ingest.json")
    return articles, rejected, accounting


def publish(settings: Settings, day: str, articles: list[dict]) -> None:
    """What publish commits of the articles table that the index reads: the day replaced."""
    table = pa.table({"article_id": [a["article_id"] for a in articles], "url": pa.array([a["url"] for a in articles], pa.string()),
                      "dt": [day] * len(articles)})
    write_deltalake(delta.table_uri(settings, "articles"), table, partition_by=["dt"], mode="overwrite",
                    predicate=f"dt = '{day}'", storage_options=delta.storage_options(settings))


# (guid, pubDate): where the item's UTC day differs from its local one, it is the UTC day that counts
EVENING_WEST = ("evening-west", "Wed, 25 Nov 2026 23:50:00 -0500")  # 2026-11-26 04:50 UTC
AFTER_MIDNIGHT_EAST = ("after-midnight-east", "Fri, 27 Nov 2026 00:10:00 +0200")  # 2026-11-26 22:10 UTC
LAST_MINUTE = ("last-minute", "Thu, 26 Nov 2026 23:58:00 +0000")  # in the feed only after the run of the 26th
NEXT_DAY_WEST = ("next-day-west", "Thu, 26 Nov 2026 20:30:00 -0500")  # 2026-11-27 01:30 UTC
NEXT_DAY = ("next-day", "Fri, 27 Nov 2026 09:00:00 +0000")


def test_a_feed_straddling_midnight_loses_nothing_and_duplicates_nothing(tmp_path):
    feed = tmp_path / "in" / "port.rss"
    feed.parent.mkdir()
    settings = settings_for(tmp_path, str(feed.parent))

    feed.write_bytes(rss([EVENING_WEST, AFTER_MIDNIGHT_EAST, NEXT_DAY_WEST]))  # as the run of the 26th sees it
    first, refused, accounting = ingest(settings, "2026-11-26")
    assert {a["external_id"] for a in first} == {"evening-west", "after-midnight-east"}
    assert (refused, accounting["already_published"]) == ([], 0)
    publish(settings, "2026-11-26", first)

    feed.write_bytes(rss([EVENING_WEST, AFTER_MIDNIGHT_EAST, LAST_MINUTE, NEXT_DAY_WEST, NEXT_DAY]))  # a day later
    second, refused, accounting = ingest(settings, "2026-11-27")
    assert {a["external_id"] for a in second} == {"last-minute", "next-day-west", "next-day"}
    assert (refused, accounting["already_published"]) == ([], 2)
    assert (accounting["records"], accounting["articles"], accounting["rejected"]) == (3, 3, 0)

    ids = [a["article_id"] for a in first + second]
    assert len(ids) == len(set(ids)) == 5


def test_a_file_arriving_late_in_a_days_folder_is_taken_once_by_the_next_run(tmp_path):
    root = tmp_path / "in"
    settings = settings_for(tmp_path, str(root) + "/{yyyy}/{mm}/{dd}/")

    def drop(day: str, name: str) -> None:
        folder = root / day.replace("-", "/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(STORY.format(when=day, what=name))

    drop("2026-11-26", "a.txt")
    articles, _, _ = ingest(settings, "2026-11-26")
    assert [Path(a["path"]).name for a in articles] == ["a.txt"]
    publish(settings, "2026-11-26", articles)

    drop("2026-11-26", "late.txt")  # copied into the 26th's folder after its run
    drop("2026-11-27", "b.txt")
    articles, refused, accounting = ingest(settings, "2026-11-27")
    assert sorted(Path(a["path"]).name for a in articles) == ["b.txt", "late.txt"]
    assert (refused, accounting["already_published"]) == ([], 1)
    publish(settings, "2026-11-27", articles)

    drop("2026-11-28", "c.txt")
    articles, refused, accounting = ingest(settings, "2026-11-28")
    assert [Path(a["path"]).name for a in articles] == ["c.txt"]
    assert (refused, accounting["already_published"]) == ([], 3)


def test_on_an_s3_lake_the_index_is_read_from_the_lake(tmp_path, s3_lake):
    source = tmp_path / "in"
    for day in ("2026-11-26", "2026-11-27"):
        (source / day).mkdir(parents=True)
        (source / day / "a.txt").write_text(STORY.format(when=day, what="slipway"))
    settings = settings_for(tmp_path, str(source) + "/{ds}", CLAIMFLOW_LAKE=s3_lake, CLAIMFLOW_AWS_CONN_ID="claimflow_no_such_conn")
    first, _, _ = ingest(settings, "2026-11-26")  # no table yet: an empty index
    assert len(first) == 1
    publish(settings, "2026-11-26", first)
    (source / "2026-11-26" / "late.txt").write_text(STORY.format(when="late", what="slipway"))
    articles, refused, accounting = ingest(settings, "2026-11-27")
    assert sorted(Path(a["path"]).name for a in articles) == ["a.txt", "late.txt"]
    assert [a["path"].split("/")[-2] for a in articles if a["path"].endswith("a.txt")] == ["2026-11-27"]
    assert (refused, accounting["already_published"]) == ([], 1)


def test_a_rerun_of_a_day_does_not_see_its_own_articles_as_duplicates(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a", "b"):
        (source / f"{name}.txt").write_text(STORY.format(when="Thursday", what=name))
    settings = settings_for(tmp_path, str(source))
    articles, _, _ = ingest(settings, "2026-11-26")
    publish(settings, "2026-11-26", articles)
    again, refused, accounting = ingest(settings, "2026-11-26")
    assert sorted(a["article_id"] for a in again) == sorted(a["article_id"] for a in articles)
    assert (refused, accounting["already_published"]) == ([], 0)


def test_an_article_published_days_ago_is_a_duplicate_and_a_new_text_at_its_url_a_revision(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    old_text = STORY.format(when="Monday", what="ferry")
    (source / "ferry.txt").write_text(old_text)  # the same text
    (source / "pier.jsonl").write_text(json.dumps(  # new text at the address of an old story
        {"text": STORY.format(when="Thursday", what="pier"), "url": "HTTPS://Port.example/pier/?utm_medium=social#top"}) + "\n")
    (source / "new.txt").write_text(STORY.format(when="Thursday", what="bridge"))
    settings = settings_for(tmp_path, str(source))
    first, _, _ = ingest(settings, "2026-11-23")
    publish(settings, "2026-11-23", [a for a in first if a["path"].endswith("ferry.txt")]
            + [{"article_id": "0" * 16, "url": "https://port.example/pier"}])

    articles, refused, accounting = ingest(settings, "2026-11-26")
    assert sorted((Path(a["path"]).name, a["revises"]) for a in articles) == [("new.txt", None), ("pier.jsonl#1", "0" * 16)]
    assert [(Path(r["name"]).name, r["reason"]) for r in refused] == [("ferry.txt", "duplicate")]
    assert "first published on 2026-11-23" in refused[0]["detail"]
    assert (accounting["records"], accounting["articles"], accounting["rejected"], accounting["already_published"]) == (3, 2, 1, 0)


def test_articles_are_dealt_into_near_equal_bounded_shards(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for number in range(7):
        (source / f"{number}.txt").write_text(STORY.format(when="Thursday", what=f"quay {number}"))
    settings = settings_for(tmp_path, str(source), CLAIMFLOW_SHARD_SIZE="3", CLAIMFLOW_MAX_SHARDS="2")
    result = stages.ingest(settings, "2026-11-26", "manual")
    store = LocalStore(Path(settings.lake))
    shards = [list(read_jsonl_gz(store, store.key(uri))) for uri in result.shard_uris]
    assert [len(shard) for shard in shards] == [4, 3]
    raw = [json.loads(line) for line in gzip.open(store.path / layout.staged_raw_archive("2026-11-26", "manual"), "rt")]
    assert sorted(a["article_id"] for shard in shards for a in shard) == sorted(a["article_id"] for a in raw)


@pytest.mark.parametrize(
    ("late_days", "folders"),
    [pytest.param(2, ["2026-11-24", "2026-11-25", "2026-11-26"], id="two late days"), pytest.param(0, ["2026-11-26"], id="none")],
)
def test_the_late_window_reads_each_days_folder_and_marks_the_earlier_ones(tmp_path, late_days, folders):
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "a.txt").write_text(day)
    records = list(read_sources([str(tmp_path) + "/{ds}"], "2026-11-26", late_days=late_days))
    assert [(Path(r.name).parent.name, r.day) for r in records] == [
        (day, None if day == "2026-11-26" else day) for day in folders]


def test_a_missing_earlier_folder_holds_nothing_late(tmp_path):
    (tmp_path / "2026-11-26").mkdir()
    (tmp_path / "2026-11-26" / "a.txt").write_text("today")
    assert [r.day for r in read_sources([str(tmp_path) + "/{ds}"], "2026-11-26", late_days=2)] == [None]


def test_a_missing_day_folder_is_that_sources_refused_input_not_the_days_failure(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("today")
    (tmp_path / "archive" / "2026-11-25").mkdir(parents=True)  # the day's folder has not come yet
    sources = [str(tmp_path / "in"), str(tmp_path / "archive") + "/{ds}"]
    records = list(read_sources(sources, "2026-11-26", late_days=1))
    assert [type(r).__name__ for r in records] == ["RawRecord", "RejectedRecord"]
    missing = records[1]
    assert (missing.name, missing.reason) == (str(tmp_path / "archive" / "2026-11-26"), "missing_source")
    assert missing.detail.startswith("nothing for 2026-11-26 yet: ")


def test_a_source_without_placeholders_is_read_once_as_the_days():
    sources = [str(Path(__file__).resolve().parents[2] / "seeds")]
    once = list(read_sources(sources, "2026-11-26", late_days=0))
    windowed = list(read_sources(sources, "2026-11-26", late_days=3))
    assert [r.name for r in windowed] == [r.name for r in once] and {r.day for r in windowed} == {None}


@pytest.mark.integration  # a whole day of 7 MB of articles
def test_ingest_memory_does_not_hold_the_days_articles(tmp_path):
    import random
    import tracemalloc

    warm_up, source = tmp_path / "warm-up", tmp_path / "in"
    warm_up.mkdir()
    (warm_up / "a.txt").write_text(STORY)
    stages.ingest(settings_for(tmp_path, str(warm_up)), "2026-11-25", "warm-up")  # imports and caches, unmeasured
    source.mkdir()
    words = STORY.replace(".", "").split()
    rng = random.Random(11)
    for number in range(30):  # about 7 MB of text in large articles, so that few of them would show
        (source / f"{number:02d}.txt").write_text(f"Story {number}. " + " ".join(rng.choice(words) for _ in range(40_000)) + ".")
    text_bytes = sum(path.stat().st_size for path in source.iterdir())
    settings = settings_for(tmp_path, str(source), CLAIMFLOW_SHARD_SIZE="10")
    tracemalloc.start()
    try:
        result = stages.ingest(settings, "2026-11-26", "measured")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (result.articles, len(result.shard_uris)) == (30, 3)
    assert peak < 0.5 * text_bytes, f"peak {peak / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB of articles"
