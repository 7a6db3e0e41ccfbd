"""RSS and Atom feeds and web pages as sources, served from a local HTTP server."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from clocks import FakeClock
from day_stories import rss

from claimflow.exceptions import RejectedInput
from claimflow.ingest import feeds
from claimflow.ingest.articles import build_articles
from claimflow.ingest.feeds import looks_like_feed, parse_feed
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.sources import read_sources, split_records
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

LOCAL = ("127.0.0.1",)  # the test servers are on loopback, refused unless allowed
TODAY = dt.date(2026, 11, 27)  # the runs below are of yesterday, or of three days ago
PAGE = b"<html><head><script>track()</script></head><body><p>The minister said the bridge would reopen in May.</p></body></html>"


def test_rss_items_become_records_with_metadata():
    first, old, undated = parse_feed(RSS)
    assert first.fields() == {"id": "strike-1", "title": "Port strike enters third week", "url": "https://news.example/strike",
                              "published": "2026-11-26T09:30:00+00:00",
                              "text": "Dockworkers will stay off the job, union leaders said on Thursday."}
    assert first.has_content and not first.summary_only()
    assert old.published.startswith("2026-11-24") and undated.published is None and undated.summary_only()


def test_atom_entries_become_records():
    (entry,) = parse_feed(ATOM)
    assert (entry.id, entry.url, entry.published) == ("urn:budget", "https://council.example/budget", "2026-11-26T18:00:00+00:00")
    assert "libraries" in entry.text()


def test_only_the_days_items_and_undated_ones_are_taken():
    records = list(split_records("feed.rss", RSS, "2026-11-26"))
    assert [r.fields["title"] for r in records] == ["Port strike enters third week", "Undated"]


# one item each, dated in a zone that puts it on the next day in UTC (2026-12-01 23:30 -05:00 = 12-02 04:30 UTC)
RSS_091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>https://old.example/</link><description>d</description>
<language>en-us</language><pubDate>Tue, 01 Dec 2026 23:30:00 -0500</pubDate>
<item><title>Ferry</title><link>https://old.example/ferry</link><description>The ferry resumes, officials said.</description></item>
</channel></rss>"""
RSS_10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link><description>d</description></channel>
<item rdf:about="https://rdf.example/ferry"><title>Ferry</title><link>https://rdf.example/ferry</link>
<description>The ferry resumes, officials said.</description><dc:date>2026-12-01T23:30:00-05:00</dc:date>
<dc:creator>Ann Lee</dc:creator></item></rdf:RDF>"""
RSS_20 = b"""<rss version="2.0"><channel><title>Two</title>
<item><title>Ferry</title><link>https://two.example/ferry</link><guid isPermaLink="false">ferry-1</guid>
<author>bob@two.example (Bob Roe)</author><pubDate>Tue, 01 Dec 2026 23:30:00 -0500</pubDate>
<description>The ferry resumes, officials said.</description></item></channel></rss>"""
ATOM_10 = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><title>Ferry</title><id>urn:ferry</id><link href="https://atom.example/ferry"/>
<author><name>Cy Doe</name></author><updated>2026-12-01T23:30:00-05:00</updated>
<summary>The ferry resumes, officials said.</summary></entry>
<entry><title>Pier</title><id>urn:pier</id><link href="https://atom.example/pier"/>
<published>2026-12-02T00:10:00+02:00</published><summary>The pier reopens.</summary></entry></feed>"""


@pytest.mark.parametrize(
    "data, authors",
    [
        pytest.param(RSS_091, (), id="rss 0.91"),
        pytest.param(RSS_10, ("Ann Lee",), id="rss 1.0 rdf"),
        pytest.param(RSS_20, ("Bob Roe",), id="rss 2.0, author e-mail dropped"),
        pytest.param(ATOM_10, ("Cy Doe",), id="atom"),
    ],
)
def test_every_feed_format_dates_items_in_utc_across_midnight(data, authors):
    assert looks_like_feed(data)
    item = parse_feed(data)[0]
    assert item.title == "Ferry" and item.text() == "The ferry resumes, officials said." and item.authors == authors
    if data is not RSS_091:  # an RSS 0.91 item has no date of its own
        assert item.published == "2026-12-02T04:30:00+00:00"
        assert [r.fields["title"] for r in split_records("feed.xml", data, "2026-12-02") if r.fields["title"] == "Ferry"] == ["Ferry"]
        assert not [r for r in split_records("feed.xml", data, "2026-12-01") if r.fields.get("title") == "Ferry"]


def test_an_item_at_ten_past_midnight_plus_two_is_the_previous_utc_day():
    pier = parse_feed(ATOM_10)[1]
    assert pier.published == "2026-12-01T22:10:00+00:00"
    assert [r.fields["title"] for r in split_records("feed.atom", ATOM_10, "2026-12-01")] == ["Pier"]


@pytest.mark.parametrize(
    ("pubdate", "taken", "day"),
    [
        pytest.param("Wed, 25 Nov 2026 23:50:00 -0500", True, None, id="west evening is the next UTC day"),
        pytest.param("Fri, 27 Nov 2026 00:10:00 +0200", True, None, id="east past midnight is the UTC day before"),
        pytest.param("Wed, 25 Nov 2026 18:00:00 -0500", True, "2026-11-25", id="earlier day in the window"),
        pytest.param("Mon, 23 Nov 2026 23:59:59 +0000", False, None, id="before the window"),
        pytest.param("Thu, 26 Nov 2026 20:00:00 -0500", False, None, id="after the day in UTC"),
    ],
)
def test_a_feed_item_counts_by_its_utc_day(pubdate, taken, day):
    records = list(split_records("port.rss", rss([("item", pubdate)]), "2026-11-26", since="2026-11-24"))
    assert [r.day for r in records] == ([day] if taken else [])


@pytest.mark.parametrize(
    "data, reason, detail",
    [
        pytest.param(b"<html><body>no feed</body></html>", "bad_feed", "expected an <rss>", id="html"),
        pytest.param(b"<?xml version='1.0'?><opml/>", "bad_feed", "expected an <rss>", id="other xml"),
        pytest.param(b"<rss><item>", "bad_feed", "does not parse: SAXParseException", id="truncated"),
        pytest.param(b"<rss version='2.0'><channel><![ x", "bad_feed", "does not parse", id="cdata-like garbage, no item"),
        pytest.param(b"<rss>" + b" " * (6 * 1024 * 1024), "too_large", "over the", id="over the size cap"),
    ],
)
def test_what_is_not_a_feed_is_refused_with_the_reason(data, reason, detail):
    (record,) = split_records("feed.xml", data, "2026-11-26")
    assert isinstance(record, RejectedRecord) and record.reason == reason and detail in record.detail


def test_a_broken_feed_that_still_has_items_is_read():
    data = (b"<rss version='2.0'><channel><item><title>Ferry</title><pubDate>Thu, 26 Nov 2026 09:30:00 +0000</pubDate>"
            b"<description><![ x the ferry</description></item></channel></rss>")
    (record,) = split_records("feed.xml", data, "2026-11-26")
    assert isinstance(record, RawRecord) and record.fields["title"] == "Ferry"


def test_feedparser_is_never_handed_a_path_or_address(tmp_path):
    (tmp_path / "local.rss").write_bytes(RSS)
    for data in (str(tmp_path / "local.rss").encode(), b"http://127.0.0.1:9/feed"):
        with pytest.raises(RejectedInput, match="bad_feed"):
            parse_feed(data)


def test_an_items_html_over_the_cap_is_refused_alone(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ITEM_HTML", 1000)
    data = RSS.replace(b"Short summary.", b"x").replace(b"<p>Dockworkers", b"<p>" + b"<a" * 600 + b"<p>Dockworkers")
    records = list(split_records("feed.rss", data, "2026-11-26"))
    assert [(r.name, r.reason) for r in records if isinstance(r, RejectedRecord)] == [("feed.rss#1", "too_large")]
    assert [r.fields["title"] for r in records if isinstance(r, RawRecord)] == ["Undated"]


def test_feed_sniffing():
    assert looks_like_feed(RSS) and looks_like_feed(ATOM) and not looks_like_feed(PAGE)
    assert looks_like_feed(b"\xef\xbb\xbf" + RSS) and looks_like_feed(RSS_10)


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
    records = list(read_sources(sources, "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0), today=TODAY))
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
    records = list(read_sources(sources, "2026-11-24", fetcher=Fetcher(allow=LOCAL, delay=0), today=TODAY))
    # the dated item of that day, and the page whose address names the day; not today's page
    # nor the undated item, which would otherwise land in every day of a backfill
    assert [r.name for r in records] == [f"{server}/feed#2", f"{server}/archive/2026-11-24/page"]


STORY = b"<html><body><article><p>The harbour master said the new ferry would sail from June.</p></article></body></html>"


@pytest.fixture
def feed_site() -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    """A server of ``pages`` (filled in by the test, which may name the server's own address)
    and the paths it was asked for."""
    pages: dict[str, bytes] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            asked.append(self.path)
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"not found")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", pages, asked
    httpd.shutdown()


def summary_feed(base: str) -> bytes:
    return f"""<rss version="2.0"><channel><title>Harbour</title>
<item><title>Ferry</title><link>{base}/story?token=t0k3n</link><guid>ferry-1</guid><author>Ann Lee</author>
<pubDate>Thu, 26 Nov 2026 09:30:00 +0000</pubDate><description>A new ferry.</description></item>
<item><title>Strike</title><link>{base}/strike</link><pubDate>Thu, 26 Nov 2026 10:00:00 +0000</pubDate>
<description>Short.</description><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">&lt;p&gt;Dockworkers will stay off the job, union leaders said.&lt;/p&gt;</content:encoded></item>
<item><title>Gone</title><link>/gone</link><pubDate>Thu, 26 Nov 2026 11:00:00 +0000</pubDate><description>A page that is gone.</description></item>
<item><title>Metadata</title><link>http://169.254.169.254/latest/meta-data/</link><pubDate>Thu, 26 Nov 2026 12:00:00 +0000</pubDate>
<description>A link to a refused address.</description></item>
</channel></rss>""".encode()


def test_a_summary_only_items_page_is_fetched_and_becomes_the_article(feed_site):
    base, pages, asked = feed_site
    pages.update({"/feed": summary_feed(base), "/story?token=t0k3n": STORY})
    records = list(read_sources([f"{base}/feed"], "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0), today=TODAY))
    ferry, strike, gone, metadata = records
    # fetched with the secret in its address, stored without it (the parameter's name stays)
    story = f"{base}/story?token="
    assert (ferry.name, ferry.payload, ferry.url, ferry.content_type) == (f"{base}/feed#1", STORY, story, "text/html; charset=utf-8")
    assert ferry.fields == {"title": "Ferry", "url": story, "published": "2026-11-26T09:30:00+00:00",
                            "authors": ["Ann Lee"], "id": "ferry-1"}
    assert ferry.fetched_at is not None
    assert strike.payload is None and strike.fields["text"] == "Dockworkers will stay off the job, union leaders said."
    # a page that cannot be had leaves the item its summary (a relative link is the feed's site's);
    # a refused address is never asked for
    assert gone.fields["url"] == f"{base}/gone"
    assert (gone.payload, gone.fields["text"]) == (None, "A page that is gone.")
    assert (metadata.payload, metadata.fields["text"]) == (None, "A link to a refused address.")
    assert sorted(asked) == ["/feed", "/gone", "/robots.txt", "/story?token=t0k3n"]
    (article, *_) = build_articles(records)
    assert article.text == "The harbour master said the new ferry would sail from June."


def test_item_pages_are_not_fetched_when_switched_off_or_for_feed_files(feed_site):
    base, pages, asked = feed_site
    pages.update({"/feed": summary_feed(base), "/story?token=t0k3n": STORY})
    fetcher = Fetcher(allow=LOCAL, delay=0, item_pages=False)
    web = list(read_sources([f"{base}/feed"], "2026-11-26", fetcher=fetcher, today=TODAY))
    local = list(split_records("harbour.rss", summary_feed(base), "2026-11-26"))
    for records in (web, local):
        assert [r.fields["text"] for r in records][0] == "A new ferry." and all(r.payload is None for r in records)
    assert asked == ["/robots.txt", "/feed"]


@dataclass
class Host:
    """A test server of ``pages``: how many requests it had in flight at most, when each came
    (on ``clock``), and per path an event to wait for before answering or to set after."""

    url: str = ""
    pages: dict[str, bytes] = field(default_factory=dict)
    wait_for: dict[str, threading.Event] = field(default_factory=dict)
    then_set: dict[str, threading.Event] = field(default_factory=dict)
    waited: dict[str, bool] = field(default_factory=dict)  # whether the event came before the answer
    asked: list[tuple[str, float]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: FakeClock = field(default_factory=FakeClock)


@pytest.fixture
def hosts() -> Iterator[Callable[[FakeClock], Host]]:
    """Starts a server per call: each its own host for the fetcher (origins differ by port)."""
    servers: list[ThreadingHTTPServer] = []

    def start(clock: FakeClock) -> Host:
        host = Host(clock=clock)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with host.lock:
                    host.in_flight += 1
                    host.most_in_flight = max(host.most_in_flight, host.in_flight)
                    host.asked.append((self.path, clock.monotonic()))
                try:
                    if self.path in host.wait_for:
                        host.waited[self.path] = host.wait_for[self.path].wait(5)
                    body = host.pages.get(self.path)
                    self.send_response(200 if body else 404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(body or b"not found")
                    self.wfile.flush()
                finally:
                    with host.lock:
                        host.in_flight -= 1
                    if self.path in host.then_set:
                        host.then_set[self.path].set()

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(httpd)
        host.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return host

    yield start
    for httpd in servers:
        httpd.shutdown()


def story(name: str) -> bytes:
    return f"<html><body><article><p>The {name} council said the pier would reopen in spring.</p></article></body></html>".encode()


def test_item_pages_of_different_hosts_are_fetched_at_once_in_order_one_request_per_host(hosts) -> None:
    clock = FakeClock()
    a, b = hosts(clock), hosts(clock)
    links = [f"{a.url}/a1", f"{b.url}/b1", f"{a.url}/a2", f"{b.url}/b2"]
    items = "".join(f"<item><title>{n}</title><link>{link}</link><pubDate>Thu, 26 Nov 2026 0{n}:00:00 +0000</pubDate>"
                    f"<description>Summary {n}.</description></item>" for n, link in enumerate(links, start=1))
    a.pages["/feed"] = f'<rss version="2.0"><channel><title>Two hosts</title>{items}</channel></rss>'.encode()
    for link in links:
        host, path = (a, link[len(a.url):]) if link.startswith(a.url) else (b, link[len(b.url):])
        host.pages[path] = story(path)
    # a1 answers only once b1 has been answered: b1 finishes first, while a1 is in flight
    b.then_set["/b1"] = a.wait_for["/a1"] = threading.Event()
    fetcher = Fetcher(allow=LOCAL, delay=0.5, retries=0, clock=clock, workers=4)
    records = list(read_sources([f"{a.url}/feed"], "2026-11-26", fetcher=fetcher, today=TODAY))
    assert a.waited == {"/a1": True}  # the two hosts were asked at the same time
    # in the feed's order, not the order the answers came in
    assert [(r.name, r.payload) for r in records] == [(f"{a.url}/feed#{n}", story(f"/{p}")) for n, p in
                                                      [(1, "a1"), (2, "b1"), (3, "a2"), (4, "b2")]]
    for host in (a, b):
        assert host.most_in_flight == 1  # never two requests at once to one host
        assert [path for path, _ in host.asked].count("/robots.txt") == 1
        times = [t for _, t in host.asked]
        assert all(later - earlier >= 0.5 for earlier, later in itertools.pairwise(times))  # the delay per host kept
