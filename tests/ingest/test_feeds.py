"""RSS and Atom feeds and web pages as sources, served from a local HTTP server."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claimflow.ingest.articles import build_articles
from claimflow.ingest.feeds import looks_like_feed, parse_feed
from claimflow.ingest.sources import RawRecord, RejectedRecord, is_recent, read_sources, split_records
from claimflow.ingest.web import Fetcher

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour News</title>
<item><title>Port strike enters third week</title><link>https://news.example/strike</link>
<guid>strike-1</guid><pubDate>Thu, 26 Nov 2026 09:30:00 +0000</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>Dockworkers will stay off the job, union leaders said on Thursday.</p>]]></content:encoded></item>
<item><title>Old story</title><link>https://news.example/old</link>
<pubDate>Tue, 24 Nov 2026 08:00:00 +0000</pubDate><description>An older item, another day's.</description></item>
<item><title>Undated</title><link>https://news.example/undated</link><description>Officials said the ferry resumes.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Council</title>
<entry><title>Budget passes</title><id>urn:budget</id>
<link rel="alternate" href="https://council.example/budget"/>
<published>2026-11-26T18:00:00Z</published>
<content type="html">&lt;p&gt;The budget protects libraries, the mayor said.&lt;/p&gt;</content></entry>
</feed>"""

TODAY = dt.date(2026, 11, 27)  # the runs below are of yesterday, or of three days ago
PAGE = b"<html><head><script>track()</script></head><body><p>The minister said the bridge would reopen in May.</p></body></html>"


def test_rss_items_become_records_with_metadata():
    first, old, undated = parse_feed(RSS)
    assert first == {"id": "strike-1", "title": "Port strike enters third week", "url": "https://news.example/strike",
                     "published": "2026-11-26T09:30:00+00:00",
                     "text": "Dockworkers will stay off the job, union leaders said on Thursday."}
    assert old["published"].startswith("2026-11-24") and undated["published"] is None


def test_atom_entries_become_records():
    (entry,) = parse_feed(ATOM)
    assert (entry["id"], entry["url"], entry["published"]) == ("urn:budget", "https://council.example/budget", "2026-11-26T18:00:00+00:00")
    assert "libraries" in entry["text"]


def test_only_the_days_items_and_undated_ones_are_taken():
    records = list(split_records("feed.rss", RSS, "2026-11-26"))
    assert [r.fields["title"] for r in records] == ["Port strike enters third week", "Undated"]


@pytest.mark.parametrize("data", [b"<html><body>no feed</body></html>", b"<?xml version='1.0'?><opml/>", b"<rss><item>"],
                         ids=["html", "other xml", "truncated"])
def test_what_is_not_a_feed_is_refused_with_the_reason(data):
    (record,) = split_records("feed.xml", data, "2026-11-26")
    assert isinstance(record, RejectedRecord) and record.reason == "bad_feed"


def test_feed_sniffing():
    assert looks_like_feed(RSS) and looks_like_feed(ATOM) and not looks_like_feed(PAGE)


@pytest.fixture
def server() -> Iterator[str]:
    pages = {"/feed": RSS, "/page": PAGE, "/archive/2026-11-24/page": PAGE}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"not found")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_web_sources_feed_page_and_dead_link(server):
    sources = [f"{server}/feed", f"{server}/page", f"{server}/gone"]
    records = list(read_sources(sources, "2026-11-26", fetcher=Fetcher(delay=0), today=TODAY))
    feed_items = [r for r in records if isinstance(r, RawRecord) and r.fields]
    assert [r.name for r in feed_items] == [f"{server}/feed#1", f"{server}/feed#3"]
    (page,) = [r for r in records if isinstance(r, RawRecord) and r.payload is not None]
    assert page.name == f"{server}/page"
    (dead,) = [r for r in records if isinstance(r, RejectedRecord)]
    assert (dead.name, dead.reason) == (f"{server}/gone", "unreachable")
    articles = [a for a in build_articles(records) if not isinstance(a, RejectedRecord)]
    texts = {a.path: a.text for a in articles}
    assert texts[f"{server}/feed#1"].startswith("Dockworkers will stay off the job")
    assert texts[f"{server}/page"] == "The minister said the bridge would reopen in May."
    assert next(a for a in articles if a.path.endswith("#1")).url == "https://news.example/strike"


def test_a_run_of_an_older_day_takes_only_the_feeds_items_of_that_day(server):
    sources = [f"{server}/feed", f"{server}/page", server + "/archive/{ds}/page"]
    records = list(read_sources(sources, "2026-11-24", fetcher=Fetcher(delay=0), today=TODAY))
    # the dated item of that day, and the page whose address names the day; not today's page
    # nor the undated item, which would otherwise land in every day of a backfill
    assert [r.name for r in records] == [f"{server}/feed#2", f"{server}/archive/2026-11-24/page"]


def test_recent_days_are_today_and_yesterday():
    assert [is_recent(day, TODAY) for day in ("2026-11-28", "2026-11-27", "2026-11-26", "2026-11-25")] == [
        True, True, True, False]
