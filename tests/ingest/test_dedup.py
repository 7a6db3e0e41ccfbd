"""The cross-day index: canonical URLs, and the articles Delta table read as an index."""

from __future__ import annotations

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from claimflow.ingest import dedup
from claimflow.ingest.dedup import DUPLICATE, NEW, REVISION, FirstPublished, Verdict, canonical_url, classify, first_published
from claimflow.redact import redact_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        pytest.param("https://news.example/a/b", "https://news.example/a/b", id="already canonical"),
        pytest.param("HTTPS://News.Example/A/b", "https://news.example/A/b", id="scheme and host lower, path kept"),
        pytest.param("https://news.example/a/b#comments", "https://news.example/a/b", id="no fragment"),
        pytest.param("https://news.example/a/b/", "https://news.example/a/b", id="no trailing slash"),
        pytest.param("https://news.example", "https://news.example/", id="empty path is the root"),
        pytest.param("https://news.example:443/a", "https://news.example/a", id="default https port"),
        pytest.param("http://news.example:80/a", "http://news.example/a", id="default http port"),
        pytest.param("http://news.example:8080/a", "http://news.example:8080/a", id="other port kept"),
        pytest.param("https://news.example/a?utm_source=x&id=7&UTM_Medium=y&fbclid=z&gclid=w", "https://news.example/a?id=7",
                     id="tracking parameters dropped, others kept"),
        pytest.param("https://news.example/a?b=2&a=1", "https://news.example/a?b=2&a=1", id="parameter order kept"),
        pytest.param("https://user:secret@news.example/a", "https://news.example/a", id="no user info"),
        pytest.param("  https://news.example/a  ", "https://news.example/a", id="surrounding blanks"),
        pytest.param("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a", id="IPv6 host"),
        pytest.param("/data/in/a.txt", None, id="a file path"),
        pytest.param("ftp://news.example/a", None, id="not http"),
        pytest.param("https://news.example:port/a", None, id="unreadable port"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_two_addresses_of_one_page_share_their_canonical_form():
    variants = ["https://news.example/story/", "HTTPS://NEWS.EXAMPLE:443/story?utm_campaign=rss#top", "https://news.example/story?fbclid=1"]
    assert {canonical_url(v) for v in variants} == {"https://news.example/story"}


def index(tmp_path, rows: list[tuple[str, str | None, str]], revises: list[str | None] | None = None) -> str:
    """An articles Delta table with (article_id, url, dt) rows, partitioned by dt as the lake's;
    with a ``revises`` column where given (a lake published before revisions were kept has none)."""
    uri = str(tmp_path / "articles")
    table = pa.table(
        {"article_id": [r[0] for r in rows], "url": pa.array([r[1] for r in rows], pa.string()),
         "text": [f"text of {r[0]}" for r in rows], "dt": [r[2] for r in rows],
         **({"revises": pa.array(revises, pa.string())} if revises is not None else {})}
    )
    write_deltalake(uri, table, partition_by=["dt"])
    return uri


def test_the_index_gives_the_first_day_by_content_and_by_canonical_url(tmp_path):
    uri = index(tmp_path, [
        ("aaaa", "https://news.example/a?utm_source=rss", "2026-11-23"),
        ("aaaa", "https://news.example/a", "2026-11-24"),  # the same story again on a later day
        ("bbbb", None, "2026-11-24"),
        ("cccc", "https://news.example/c/", "2026-11-25"),
        ("dddd", "https://other.example/d", "2026-11-25"),  # not asked for
    ])
    found = first_published(uri, "2026-11-26", {"aaaa", "bbbb", "zzzz"}, {"https://news.example/c", "https://news.example/new"})
    assert found.by_id == {"aaaa": "2026-11-23", "bbbb": "2026-11-24"}
    assert found.by_url == {"https://news.example/c": "2026-11-25"}
    assert found.stories == {"https://news.example/c": "cccc"}  # a table without revises: each article began its story
    assert classify(found, "zzzz", "https://news.example/c") == Verdict(REVISION, "2026-11-25", "cccc")  # new text at a known address
    assert classify(found, "aaaa", None) == Verdict(DUPLICATE, "2026-11-23")
    assert classify(found, "zzzz", "https://news.example/new") == Verdict(NEW)


def test_the_runs_own_day_is_not_in_its_index(tmp_path):
    uri = index(tmp_path, [("aaaa", "https://news.example/a", "2026-11-26"), ("bbbb", "https://news.example/b", "2026-11-27")])
    found = first_published(uri, "2026-11-26", {"aaaa", "bbbb"}, {"https://news.example/a", "https://news.example/b"})
    assert found == FirstPublished(by_id={"bbbb": "2026-11-27"}, by_url={"https://news.example/b": "2026-11-27"},
                                   stories={"https://news.example/b": "bbbb"})


def test_no_table_yet_is_an_empty_index(tmp_path):
    assert first_published(str(tmp_path / "articles"), "2026-11-26", {"aaaa"}, {"https://news.example/a"}) == FirstPublished()


def test_matches_are_found_in_every_batch_and_partition(tmp_path, monkeypatch):
    rows = [(f"id{i:04d}", f"https://news.example/{i}", f"2026-11-{1 + i % 20:02d}") for i in range(500)]
    uri = index(tmp_path, rows)
    monkeypatch.setattr(dedup, "BATCH_ROWS", 7)  # many batches per partition file
    found = first_published(uri, "2026-11-30", {"id0003", "id0499"}, {"https://news.example/250"})
    assert found.by_id == {"id0003": "2026-11-04", "id0499": "2026-11-20"}
    assert found.by_url == {"https://news.example/250": "2026-11-11"}


U = "https://news.example/story"
STORY = [("aaaa", U, "2026-11-23"), ("bbbb", U + "?utm_source=rss", "2026-11-24"), ("cccc", U + "/", "2026-11-25")]


def test_a_new_text_at_a_published_url_revises_the_story_first_published_there(tmp_path):
    """aaaa began the story; bbbb and cccc revised it on later days (each linked to aaaa)."""
    found = first_published(index(tmp_path, STORY, revises=[None, "aaaa", "aaaa"]), "2026-11-26",
                            {"zzzz", "cccc"}, {U})
    assert (found.by_url, found.stories) == ({U: "2026-11-23"}, {U: "aaaa"})
    assert classify(found, "zzzz", U + "?fbclid=x#top") == Verdict(REVISION, "2026-11-23", "aaaa")  # any form of the URL
    assert classify(found, "cccc", U) == Verdict(DUPLICATE, "2026-11-25")  # the latest revision's text again


def test_a_rerun_of_the_storys_first_day_publishes_it_as_new_again(tmp_path):
    """Rerunning 2026-11-23 after later days revised its story: aaaa is the story itself, not a revision."""
    found = first_published(index(tmp_path, STORY, revises=[None, "aaaa", "aaaa"]), "2026-11-23", {"aaaa"}, {U})
    assert (found.by_url, found.stories) == ({U: "2026-11-24"}, {U: "aaaa"})
    assert classify(found, "aaaa", U) == Verdict(NEW)


def test_two_stories_first_published_on_one_day_at_one_url_resolve_to_the_smallest_id(tmp_path):
    """A lake published before revisions were kept may hold two texts of a URL on one day."""
    found = first_published(index(tmp_path, [("bbbb", U, "2026-11-23"), ("aaaa", U, "2026-11-23")]), "2026-11-26", set(), {U})
    assert found.stories == {U: "aaaa"}


def test_an_address_with_a_redacted_parameter_has_no_canonical_form():
    """The redaction empties a secret parameter's value (``?key=1`` and ``?key=2`` both become
    ``?key=``): what is left names no single page, so no URL is shared through it."""
    for url in ("https://shop.example/p?code=A1", "https://news.example/story?key=2024-abc", "https://news.example/s?story_key=7",
                "https://news.example/s?id=3&token[]=t", "https://news.example/app#access_token=t"):
        assert canonical_url(redact_url(url)) is None, url
        assert canonical_url(url) is None, url  # redacted or not
    assert canonical_url(redact_url("https://news.example/s?utm_source=rss&id=3")) == "https://news.example/s?id=3"
    assert canonical_url(redact_url("https://u:p@news.example/a;jsessionid=S1?id=3")) == "https://news.example/a?id=3"
