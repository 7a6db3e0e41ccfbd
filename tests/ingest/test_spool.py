"""A day's articles through the local spool: dealt into near-equal shards, what another day
published left out (an earlier day's input skipped, the day's own refused), refusals kept."""

from __future__ import annotations

import gzip
import json
from functools import partial
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from claimflow.ingest.articles import article_id
from claimflow.ingest.dedup import FirstPublished, first_published
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.spool import shard_count, spool_day

TEXT = "{} said on Tuesday that the bridge over the river would reopen next spring after repairs."


def _lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _record(n: int, *, day: str | None = None) -> RawRecord:
    return RawRecord(name=f"in/{n}.txt", payload=TEXT.format(f"Speaker {n}").encode(), day=day)


def test_shards_are_near_equal_and_bounded():
    assert [shard_count(n, shard_size=3, max_shards=2) for n in (7, 2, 0)] == [2, 1, 0]


def test_a_day_is_dealt_round_robin_minus_what_other_days_published(tmp_path: Path):
    records = [_record(n) for n in range(5)] + [_record(5, day="2026-11-25"), RejectedRecord("in/bad.json", "json", "x")]
    published = {article_id(TEXT.format(f"Speaker {n}")) for n in (0, 5)}  # the day's own 0, the late window's 5
    asked: list[set[str]] = []

    def lookup(ids: set[str], urls: set[str]) -> FirstPublished:
        asked.append(ids)
        return FirstPublished(by_id=dict.fromkeys(ids & published, "2026-11-20"))

    spooled = spool_day(records, tmp_path, lookup, shard_size=2, max_shards=8)

    assert len(asked) == 1 and len(asked[0]) == 6  # one lookup, every article read
    assert (spooled.taken, spooled.rejected, spooled.duplicates, spooled.already_published) == (4, 2, 1, 1)
    shards = [_lines(path) for path in spooled.shards]
    assert [len(shard) for shard in shards] == [2, 2]
    assert sorted(row["path"] for shard in shards for row in shard) == [f"in/{n}.txt" for n in range(1, 5)]
    assert len(_lines(spooled.archive)) == 4
    refused = _lines(spooled.refusals)
    assert [(r["name"], r["reason"]) for r in refused] == [("in/bad.json", "json"), ("in/0.txt", "duplicate")]
    assert refused[1]["detail"].startswith("first published on 2026-11-20")


URL = "https://news.example/bridge"
FIRST = article_id(TEXT.format("The mayor"))  # the story as 2026-11-20 published it


def _version(name: str, speaker: str, *, published: str | None = None, url: str = URL, day: str | None = None) -> RawRecord:
    """A JSON record of the story at ``url``, its text naming ``speaker``."""
    fields = {"text": TEXT.format(speaker), "url": url, **({"published": published} if published else {})}
    return RawRecord(name=f"in/{name}.json", fields=fields, day=day)


def _story_published(ids: set[str], urls: set[str]) -> FirstPublished:
    """The index once 2026-11-20 published FIRST at URL."""
    found = FirstPublished(by_id=dict.fromkeys(ids & {FIRST}, "2026-11-20"))
    if URL in urls:
        found.by_url[URL], found.stories[URL] = "2026-11-20", FIRST
    return found


def _taken(spooled) -> list[dict]:
    return [row for path in spooled.shards for row in _lines(path)]


def test_a_new_text_at_a_published_url_is_published_as_a_revision(tmp_path: Path):
    spooled = spool_day([_version("v2", "The mayor's office", url=URL + "?utm_source=rss")], tmp_path, _story_published,
                        shard_size=10, max_shards=2)
    [row] = _taken(spooled)
    assert (row["path"], row["revises"]) == ("in/v2.json", FIRST)
    assert (spooled.taken, spooled.revisions, spooled.rejected) == (1, 1, 0)


def test_the_same_text_at_the_url_again_is_still_a_duplicate(tmp_path: Path):
    spooled = spool_day([_version("again", "The mayor")], tmp_path, _story_published, shard_size=10, max_shards=2)
    assert _taken(spooled) == [] and (spooled.duplicates, spooled.revisions) == (1, 0)
    [refused] = _lines(spooled.refusals)
    assert (refused["reason"], refused["detail"]) == ("duplicate", f"first published on 2026-11-20 (article {FIRST})")


def test_a_late_arrival_revising_a_story_is_taken_by_the_run(tmp_path: Path):
    late = _version("late", "A council spokesman", day="2026-11-25")
    spooled = spool_day([late], tmp_path, _story_published, shard_size=10, max_shards=2)
    assert [row["revises"] for row in _taken(spooled)] == [FIRST] and spooled.already_published == 0


@pytest.mark.parametrize(
    ("versions", "kept"),
    [
        pytest.param([("a", "Ann", "2026-11-26T09:00:00Z"), ("b", "Bob", "2026-11-26T08:00:00+00:00")], "a",
                     id="the later published date wins over the input order"),
        pytest.param([("a", "Ann", "2026-11-26"), ("b", "Bob", "2026-11-26T00:00:00Z")], "b",
                     id="equal dates: the one read last"),
        pytest.param([("a", "Ann", "2026-11-26T10:00:00-05:00"), ("b", "Bob", "2026-11-26T14:00:00Z")], "a",
                     id="dates compared in UTC"),
        pytest.param([("a", "Ann", "2026-11-25"), ("b", "Bob", None)], "a", id="an undated version is the oldest"),
        pytest.param([("a", "Ann", None), ("b", "Bob", "not a date"), ("c", "Cy", None)], "c",
                     id="no dates: the one read last"),
    ],
)
def test_of_a_urls_versions_in_one_day_the_latest_is_kept_and_the_others_superseded(tmp_path: Path, versions, kept):
    records = [_version(name, speaker, published=published, url=URL + f"?utm_medium={name}") for name, speaker, published in versions]
    spooled = spool_day(records, tmp_path, lambda ids, urls: FirstPublished(), shard_size=10, max_shards=2)
    [row] = _taken(spooled)
    assert row["path"] == f"in/{kept}.json" and row["revises"] is None  # a new story: revises nothing
    refused = _lines(spooled.refusals)
    assert sorted(r["name"] for r in refused) == sorted(f"in/{name}.json" for name, _, _ in versions if name != kept)
    assert {r["reason"] for r in refused} == {"superseded"}
    assert all(f"article {row['article_id']}, which the day publishes instead" in r["detail"] for r in refused)
    assert (spooled.taken, spooled.superseded, spooled.rejected) == (1, len(versions) - 1, len(versions) - 1)


def test_a_days_versions_of_a_published_story_keep_the_latest_as_its_revision(tmp_path: Path):
    records = [_version("v3", "Bob", published="2026-11-26T12:00:00Z"), _version("v2", "Ann", published="2026-11-26T08:00:00Z"),
               _version("v1", "The mayor")]  # the first publication's text again: a duplicate, not a version
    spooled = spool_day(records, tmp_path, _story_published, shard_size=10, max_shards=2)
    assert [(row["path"], row["revises"]) for row in _taken(spooled)] == [("in/v3.json", FIRST)]
    assert [(r["name"], r["reason"]) for r in _lines(spooled.refusals)] == [("in/v2.json", "superseded"), ("in/v1.json", "duplicate")]


REDACTED = ["https://shop.example/p?code=CODEs3cr3t1", "https://shop.example/p?code=CODEs3cr3t2", "https://shop.example/p",
            "https://news.example/story?key=KEYs3cr3t1", "https://news.example/story?key=KEYs3cr3t2"]


def _files_text(folder: Path) -> str:
    return "".join(gzip.decompress(path.read_bytes()).decode("utf-8") for path in folder.glob("*.gz"))


def test_pages_told_apart_only_by_a_secret_parameter_are_all_published_in_one_day(tmp_path: Path):
    """Distinct stories at ``?code=1`` and ``?code=2`` (redacted alike) are no versions of one URL."""
    records = [_version(f"p{n}", f"Speaker {n}", url=url) for n, url in enumerate(REDACTED)]
    spooled = spool_day(records, tmp_path, lambda ids, urls: FirstPublished(), shard_size=10, max_shards=2)
    assert sorted(row["path"] for row in _taken(spooled)) == sorted(r.name for r in records)
    assert (spooled.taken, spooled.superseded, spooled.rejected) == (5, 0, 0)
    assert "s3cr3t" not in _files_text(tmp_path)  # nor does any secret reach what the day stores


def _published(tmp_path: Path, spooled, day: str) -> str:
    """A Delta articles index holding the taken articles of ``spooled`` as published on ``day``."""
    rows = _taken(spooled)
    uri = str(tmp_path / "articles")
    write_deltalake(uri, pa.table({"article_id": [r["article_id"] for r in rows], "url": [r["url"] for r in rows],
                                   "revises": pa.array([r["revises"] for r in rows], pa.string()), "dt": [day] * len(rows)}),
                    partition_by=["dt"])
    return uri


def test_a_page_at_a_redacted_address_neither_revises_nor_is_revised_on_another_day(tmp_path: Path):
    """Day one publishes ``?key=1`` (stored as ``?key=``) and a plain story; on day two the page at
    ``?key=2`` and the bare address are new stories, while a tracking link still reaches the story."""
    for day in ("d1", "d2"):
        (tmp_path / day).mkdir()
    first = [_version("k1", "Ann", url="https://news.example/story?key=KEYs3cr3t1"),
             _version("plain", "Bob", url="https://news.example/other")]
    uri = _published(tmp_path, spool_day(first, tmp_path / "d1", lambda ids, urls: FirstPublished(), shard_size=10, max_shards=2),
                     "2026-11-25")
    second = [_version("k2", "Cy", url="https://news.example/story?key=KEYs3cr3t2"),
              _version("bare", "Dee", url="https://news.example/story"),
              _version("tracked", "Eve", url="https://news.example/other?utm_source=rss")]
    spooled = spool_day(second, tmp_path / "d2", partial(first_published, uri, "2026-11-26"), shard_size=10, max_shards=2)
    plain = article_id(TEXT.format("Bob"))
    assert {row["path"]: row["revises"] for row in _taken(spooled)} == {"in/k2.json": None, "in/bare.json": None, "in/tracked.json": plain}
    assert (spooled.revisions, spooled.superseded) == (1, 0)
