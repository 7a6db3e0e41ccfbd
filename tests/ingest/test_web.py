"""Polite fetching against a local HTTP server: robots.txt, the pause per host, retries."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claimflow.exceptions import RejectedInput
from claimflow.ingest.sources import RejectedRecord, read_sources
from claimflow.ingest.web import USER_AGENT, Fetcher, retry_after

LOCAL = ("127.0.0.1",)  # the test servers are on loopback, refused unless allowed
TODAY = dt.date(2026, 11, 26)  # the runs below are of today: undated pages are taken
ROBOTS = b"User-agent: *\nDisallow: /private\n\nUser-agent: claimflow\nDisallow: /no-bots\n"


@dataclass
class Site:
    """What the test server answers, and what it was asked (path, time, User-Agent)."""

    robots: tuple[int, bytes] = (200, ROBOTS)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)  # answered first, in order
    requests: list[tuple[str, float, str]] = field(default_factory=list)
    url: str = ""

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append((self.path, time.monotonic(), self.headers.get("User-Agent", "")))
            status, headers, body = 200, {}, b"<html><body><p>The mayor said the pier reopens.</p></body></html>"
            if self.path == "/robots.txt":
                status, body = state.robots
            elif state.failures.get(self.path):
                status, headers = state.failures[self.path].pop(0)
                body = b"try later"
            elif self.path == "/gone":
                status, body = 404, b"not found"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()


def test_robots_txt_is_read_once_and_its_claimflow_group_obeyed(site: Site) -> None:
    fetcher = Fetcher(allow=LOCAL, delay=0)
    with pytest.raises(RejectedInput) as refused:
        fetcher.fetch(f"{site.url}/no-bots")
    assert refused.value.reason == "robots_disallowed" and "robots.txt" in refused.value.detail
    # a group naming claimflow replaces the "*" group (RFC 9309), so /private is open to it
    assert b"pier" in fetcher.fetch(f"{site.url}/private/memo").body
    assert site.paths() == ["/robots.txt", "/private/memo"]  # the refused address is never requested
    assert all(agent == USER_AGENT for _, _, agent in site.requests)


def test_the_star_group_binds_when_no_group_names_claimflow(site: Site) -> None:
    site.robots = (200, b"User-agent: *\nDisallow: /private\n")
    with pytest.raises(RejectedInput, match="robots_disallowed"):
        Fetcher(allow=LOCAL, delay=0).fetch(f"{site.url}/private/memo")


def request_gaps(site: Site) -> list[float]:
    times = [t for _, t, _ in site.requests]
    return [b - a for a, b in zip(times, times[1:])]


def test_requests_to_one_host_keep_the_delay(site: Site) -> None:
    fetcher = Fetcher(allow=LOCAL, delay=0.2)
    for path in ("/a", "/b"):
        fetcher.fetch(f"{site.url}{path}")
    gaps = request_gaps(site)  # robots.txt, /a, /b
    assert len(gaps) == 2 and all(gap >= 0.19 for gap in gaps)


def test_the_sites_crawl_delay_wins_over_a_shorter_delay(site: Site) -> None:
    site.robots = (200, ROBOTS + b"Crawl-delay: 1\n")
    fetcher = Fetcher(allow=LOCAL, delay=0.05)
    for path in ("/a", "/b"):
        fetcher.fetch(f"{site.url}{path}")
    gaps = request_gaps(site)
    assert len(gaps) == 2 and all(gap >= 0.99 for gap in gaps)


def test_throttling_and_server_errors_are_retried_honouring_retry_after(site: Site) -> None:
    site.failures["/busy"] = [(429, {"Retry-After": "1"}), (503, {})]
    started = time.monotonic()
    assert b"pier" in Fetcher(allow=LOCAL, delay=0.01, retries=2).fetch(f"{site.url}/busy").body
    assert site.paths() == ["/robots.txt", "/busy", "/busy", "/busy"]
    assert time.monotonic() - started >= 1.0


def test_what_fails_after_the_retries_is_unreachable_with_the_status(site: Site) -> None:
    site.failures["/down"] = [(503, {})] * 3
    with pytest.raises(RejectedInput) as down:
        Fetcher(allow=LOCAL, delay=0.01, retries=1).fetch(f"{site.url}/down")
    assert down.value.reason == "unreachable" and "HTTP 503" in down.value.detail
    assert site.paths().count("/down") == 2
    with pytest.raises(RejectedInput, match="HTTP 404"):
        Fetcher(allow=LOCAL, delay=0).fetch(f"{site.url}/gone")
    assert site.paths().count("/gone") == 1  # a 404 is not retried


def test_a_missing_robots_txt_allows_everything(site: Site) -> None:
    site.robots = (404, b"")
    (record,) = read_sources([f"{site.url}/private/page"], "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0), today=TODAY)
    assert not isinstance(record, RejectedRecord) and b"pier" in record.payload


@pytest.mark.parametrize("status", [503, 429])
def test_an_unreachable_robots_txt_skips_the_host_per_rfc_9309(site: Site, status: int) -> None:
    site.robots = (status, b"")
    sources = [f"{site.url}/page", f"{site.url}/feed"]
    records = list(read_sources(sources, "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0, retries=1), today=TODAY))
    assert [(r.name, r.reason) for r in records] == [(url, "unreachable") for url in sources]
    assert f"robots.txt is unreachable (HTTP {status} " in records[0].detail
    assert site.paths() == ["/robots.txt", "/robots.txt"]  # retried once, then remembered for the run


def test_a_closed_port_is_unreachable() -> None:
    with pytest.raises(RejectedInput) as refused:
        Fetcher(allow=LOCAL, delay=0, retries=1, timeout=2).fetch("http://127.0.0.1:9/feed")
    assert refused.value.reason == "unreachable" and "robots.txt" in refused.value.detail


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from email.message import Message

    headers = Message()
    headers["Retry-After"] = "7"
    assert retry_after(headers) == 7.0
    later = Message()
    later["Retry-After"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= retry_after(later) <= 31
    assert retry_after(Message()) is None and retry_after(None) is None
