"""Fetching against local servers: robots.txt, the pause per host, retries; refused addresses,
redirects, protocol garbage, deadlines, size caps and secrets in addresses."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import itertools
import json
import logging
import socket
import ssl
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from clocks import FakeClock

from claimflow.exceptions import RejectedInput
from claimflow.ingest.articles import build_articles
from claimflow.ingest.records import RejectedRecord
from claimflow.ingest.sources import read_sources
from claimflow.ingest.web import USER_AGENT, Fetcher, retry_after

LOCAL = ("127.0.0.1",)  # the test servers are on loopback, refused unless allowed
TODAY = dt.date(2026, 11, 26)  # the runs below are of today: undated pages are taken
ROBOTS = b"User-agent: *\nDisallow: /private\n\nUser-agent: claimflow\nDisallow: /no-bots\n"


@dataclass
class Site:
    """What the test server answers, and what it was asked (path, time on ``clock``, User-Agent)."""

    robots: tuple[int, bytes] = (200, ROBOTS)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)  # answered first, in order
    requests: list[tuple[str, float, str]] = field(default_factory=list)
    authorization: list[str | None] = field(default_factory=list)
    url: str = ""
    clock: FakeClock = field(default_factory=FakeClock)  # the fetcher's, so request times are its times
    pages: dict[str, bytes] = field(default_factory=dict)  # bodies by path, instead of the pier page

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append((self.path, state.clock.monotonic(), self.headers.get("User-Agent", "")))
            state.authorization.append(self.headers.get("Authorization"))
            status, headers, body = 200, {}, b"<html><body><p>The mayor said the pier reopens.</p></body></html>"
            if self.path == "/robots.txt":
                status, body = state.robots
            elif state.failures.get(self.path):
                status, headers = state.failures[self.path].pop(0)
                body = b"try later"
            elif self.path == "/gone":
                status, body = 404, b"not found"
            elif self.path in state.pages:
                body = state.pages[self.path]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)  # quick shutdown
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
    return [b - a for a, b in itertools.pairwise(times)]


def test_requests_to_one_host_keep_the_delay(site: Site) -> None:
    fetcher = Fetcher(allow=LOCAL, delay=0.2, clock=site.clock)
    for path in ("/a", "/b"):
        fetcher.fetch(f"{site.url}{path}")
    assert site.paths() == ["/robots.txt", "/a", "/b"]
    assert request_gaps(site) == pytest.approx([0.2, 0.2])


def test_the_sites_crawl_delay_wins_over_a_shorter_delay(site: Site) -> None:
    site.robots = (200, ROBOTS + b"Crawl-delay: 1\n")
    fetcher = Fetcher(allow=LOCAL, delay=0.05, clock=site.clock)
    for path in ("/a", "/b"):
        fetcher.fetch(f"{site.url}{path}")
    assert request_gaps(site) == pytest.approx([1.0, 1.0])


def test_throttling_and_server_errors_are_retried_honouring_retry_after(site: Site) -> None:
    site.failures["/busy"] = [(429, {"Retry-After": "1"}), (503, {})]
    assert b"pier" in Fetcher(allow=LOCAL, delay=0.01, retries=2, clock=site.clock).fetch(f"{site.url}/busy").body
    assert site.paths() == ["/robots.txt", "/busy", "/busy", "/busy"]
    # after robots.txt the delay; after the 429 its Retry-After; after the 503 the backoff (delay * 2)
    assert request_gaps(site) == pytest.approx([0.01, 1.0, 0.02])


def test_what_fails_after_the_retries_is_unreachable_with_the_status(site: Site) -> None:
    site.failures["/down"] = [(503, {})] * 3
    with pytest.raises(RejectedInput) as down:
        Fetcher(allow=LOCAL, delay=0.01, retries=1, clock=site.clock).fetch(f"{site.url}/down")
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


# --- hostile servers and addresses ------------------------------------------------------------


def test_redirects_are_followed_to_the_final_address(site: Site) -> None:
    site.failures["/old"] = [(301, {"Location": "/moved"})]
    site.failures["/moved"] = [(302, {"Location": f"{site.url}/final?id=3"})]
    fetched = Fetcher(allow=LOCAL, delay=0).fetch(f"{site.url}/old")
    assert fetched.url == f"{site.url}/final?id=3" and b"pier" in fetched.body
    assert site.paths() == ["/robots.txt", "/old", "/moved", "/final?id=3"]


def test_a_redirect_loop_stops_after_five_hops(site: Site) -> None:
    site.failures["/loop"] = [(302, {"Location": "/loop"})] * 10
    with pytest.raises(RejectedInput, match="more than 5 redirects"):
        Fetcher(allow=LOCAL, delay=0).fetch(f"{site.url}/loop")
    assert site.paths().count("/loop") == 6


@pytest.mark.parametrize(
    "target, detail",
    [
        pytest.param("http://127.0.0.1:{port}/latest/meta-data/iam/security-credentials/", "a loopback address",
                     id="loopback metadata path"),
        pytest.param("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local address", id="cloud metadata"),
        pytest.param("http://[::ffff:169.254.169.254]/latest/meta-data/", "a link-local (embedded in", id="ipv4-mapped metadata"),
        pytest.param("http://10.0.0.7/admin", "10.0.0.7, a private address", id="private network"),
        pytest.param("ftp://127.0.0.1/pub/file", "only http and https are fetched, not 'ftp'", id="ftp"),
        pytest.param("file:///etc/passwd", "only http and https are fetched, not 'file'", id="file"),
        pytest.param("gopher://127.0.0.1:70/_GET", "only http and https are fetched, not 'gopher'", id="gopher"),
    ],
)
def test_a_redirect_to_a_refused_address_is_quarantined_and_never_requested(site: Site, target: str, detail: str) -> None:
    port = site.url.rsplit(":", 1)[1]
    site.failures["/story"] = [(302, {"Location": target.format(port=port)})]
    source = f"http://localhost:{port}/story"  # the site is allowed by name; 127.0.0.1 itself is not
    (record,) = read_sources([source], "2026-11-26", fetcher=Fetcher(allow=("localhost",), delay=0), today=TODAY)
    assert isinstance(record, RejectedRecord) and (record.name, record.reason) == (source, "address_refused")
    assert detail in record.detail
    assert site.paths() == ["/robots.txt", "/story"]  # the target was never asked for


def test_each_hop_obeys_its_own_hosts_robots_txt(site: Site) -> None:
    port = site.url.rsplit(":", 1)[1]
    site.failures["/story"] = [(302, {"Location": f"http://localhost:{port}/no-bots/story"})]
    with pytest.raises(RejectedInput, match="robots_disallowed") as refused:
        Fetcher(allow=("127.0.0.1", "localhost"), delay=0).fetch(f"{site.url}/story")
    assert f"http://localhost:{port}/robots.txt" in refused.value.detail
    assert site.paths() == ["/robots.txt", "/story", "/robots.txt"]  # robots.txt of each origin, never the page


def test_a_host_resolving_to_a_private_address_is_refused_before_any_connection() -> None:
    def resolver(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    with pytest.raises(RejectedInput, match="address_refused") as refused:
        Fetcher(delay=0, resolver=resolver).fetch("http://news.example/page")
    assert "news.example resolves to 10.20.30.40, a private address" in refused.value.detail


def test_loopback_is_refused_without_the_allow_list(site: Site) -> None:
    port = site.url.rsplit(":", 1)[1]
    for url in (f"{site.url}/page", f"http://localhost:{port}/page"):
        with pytest.raises(RejectedInput, match="address_refused"):
            Fetcher(delay=0).fetch(url)
    assert site.requests == []


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket, str], None]], str]]:
    """Starts TCP servers on 127.0.0.1 that answer each request with ``answer(conn, path)``:
    what no real HTTP server would send. robots.txt is answered 404 unless ``answer`` handles it."""
    stops: list[Callable[[], None]] = []

    def start(answer: Callable[[socket.socket, str], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.settimeout(10)
                    head = b""
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    path = head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else ""
                    try:
                        answer(conn, path)
                    except OSError:
                        pass  # the client hung up, as it should past its deadline

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()

        def halt() -> None:
            stop.set()
            thread.join(10)
            listener.close()

        stops.append(halt)
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for halt in stops:
        halt()


def http_answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def robots_404(answer: Callable[[socket.socket, str], None]) -> Callable[[socket.socket, str], None]:
    def handle(conn: socket.socket, path: str) -> None:
        if path == "/robots.txt":
            conn.sendall(http_answer(b"", "Content-Length: 0", status="404 Not Found"))
        else:
            answer(conn, path)

    return handle


def send(data: bytes) -> Callable[[socket.socket, str], None]:
    return lambda conn, path: conn.sendall(data)


def drip(prefix: bytes, byte: bytes) -> Callable[[socket.socket, str], None]:
    def handle(conn: socket.socket, path: str) -> None:
        conn.sendall(prefix)
        for _ in range(160):  # 8 s at most, unless the client hangs up first
            conn.sendall(byte)
            time.sleep(0.05)

    return handle


CORRUPT_GZIP = gzip.compress(b"")[:10] + b"\xff" * 20  # a gzip header, then no deflate stream


@pytest.mark.parametrize(
    "answer, error",
    [
        pytest.param(send(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"), "BadStatusLine", id="ssh banner"),
        pytest.param(send(http_answer(b"5\r\nhello\r\nzz\r\nmore", "Transfer-Encoding: chunked")), "IncompleteRead",
                     id="broken chunked body"),
        pytest.param(send(http_answer(b"only part", "Content-Length: 1000")), "IncompleteRead", id="body cut short"),
        pytest.param(send(b""), "RemoteDisconnected", id="closed without a word"),
        pytest.param(send(http_answer(CORRUPT_GZIP, f"Content-Length: {len(CORRUPT_GZIP)}", "Content-Encoding: gzip")),
                     "gzip HTTP body does not decompress", id="corrupt gzip"),
        pytest.param(send(http_answer(b"abc", "Content-Length: 3", "Content-Encoding: compress")), "unknown Content-Encoding 'compress'",
                     id="an unknown coding"),
        pytest.param(drip(http_answer(b"", "Content-Length: 1000"), b"x"), "TimeoutError: no complete answer within 1s",
                     id="drip body"),
        pytest.param(drip(b"HTTP/1.1 200 OK\r\n", b"X"), "TimeoutError: no complete answer within 1s", id="drip headers"),
    ],
)
def test_protocol_errors_and_slow_servers_are_unreachable_within_the_deadline(raw_server, answer, error) -> None:
    """Real time: the deadline bounds real sockets, and the dripping server sleeps between bytes."""
    url = raw_server(robots_404(answer))
    started = time.monotonic()
    with pytest.raises(RejectedInput) as refused:
        Fetcher(allow=LOCAL, delay=0, retries=0, timeout=1).fetch(f"{url}/page")
    assert time.monotonic() - started < 3  # one 1 s deadline, not 8 s of dripping
    assert refused.value.reason == "unreachable" and error in refused.value.detail


def test_a_garbage_server_quarantines_its_addresses_and_the_day_goes_on(raw_server, site: Site) -> None:
    garbage = raw_server(send(b"SSH-2.0-OpenSSH_9.6\r\n"))  # robots.txt included
    sources = [f"{garbage}/feed", f"{site.url}/page"]
    records = list(read_sources(sources, "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0, retries=0), today=TODAY))
    assert [(r.name, getattr(r, "reason", None)) for r in records] == [(sources[0], "unreachable"), (sources[1], None)]
    assert "BadStatusLine" in records[0].detail and b"pier" in records[1].payload


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(send(http_answer(b"x" * 5000, "Content-Length: 5000")), id="content-length over the cap"),
        pytest.param(send(http_answer(b"x" * 5000)), id="no length, read until close"),
        pytest.param(send(http_answer(b"1388\r\n" + b"x" * 5000 + b"\r\n0\r\n\r\n", "Transfer-Encoding: chunked")), id="chunked"),
        pytest.param(send(http_answer(gzip.compress(b"\0" * 10_000_000), "Content-Encoding: gzip")), id="gzip bomb"),
    ],
)
def test_an_answer_over_the_size_cap_is_too_large(raw_server, answer) -> None:
    url = raw_server(robots_404(answer))
    with pytest.raises(RejectedInput, match="too_large") as refused:
        Fetcher(allow=LOCAL, delay=0, retries=0, max_bytes=4096).fetch(f"{url}/page")
    assert "4,096-byte cap" in refused.value.detail


def test_a_gzip_answer_is_decompressed(raw_server) -> None:
    page = b"<p>The mayor said the pier reopens.</p>"
    url = raw_server(robots_404(send(http_answer(gzip.compress(page), "Content-Encoding: gzip", "Content-Type: text/html"))))
    fetched = Fetcher(allow=LOCAL, delay=0).fetch(f"{url}/page")
    assert fetched.body == page and fetched.content_type == "text/html" and fetched.fetched_at.endswith("+00:00")


NO_BROTLI = pytest.mark.skipif(importlib.util.find_spec("brotli") is None, reason="the brotli module is not installed")
PAGE = b"<p>The mayor said the pier reopens.</p>" * 20


def brotli_compress(data: bytes) -> bytes:
    import brotli

    return brotli.compress(data)


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        pytest.param("deflate", zlib.compress, id="deflate"),
        pytest.param("deflate", lambda data: zlib.compress(data)[2:-4], id="deflate without its zlib wrapper"),
        pytest.param("br", brotli_compress, id="br", marks=NO_BROTLI),
    ],
)
def test_an_answer_in_any_coding_an_archive_may_hold_is_decompressed(raw_server, coding, compress) -> None:
    """The fetch decodes with the WARC reader's decoder (ingest/http_body.py), not a gzip-only twin."""
    url = raw_server(robots_404(send(http_answer(compress(PAGE), f"Content-Encoding: {coding}"))))
    assert Fetcher(allow=LOCAL, delay=0).fetch(f"{url}/page").body == PAGE


ZEROS = bytes(1 << 20)


def zlib_bomb(size: int, wbits: int) -> bytes:
    """``size`` zero bytes deflated a MiB at a time (``wbits`` 31: gzip; 15: zlib-wrapped deflate)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(compressor.compress(ZEROS) for _ in range(size >> 20)) + compressor.flush()


def brotli_bomb(size: int) -> bytes:
    import brotli

    compressor = brotli.Compressor(quality=5)
    return b"".join(compressor.process(ZEROS) for _ in range(size >> 20)) + compressor.finish()


@pytest.mark.parametrize(
    ("coding", "make_bomb"),
    [
        pytest.param("gzip", lambda: zlib_bomb(1 << 30, 31), id="gzip, 1 GiB"),
        pytest.param("deflate", lambda: zlib_bomb(256 << 20, 15), id="deflate, 256 MiB"),
        pytest.param("br", lambda: brotli_bomb(1 << 30), id="br, 1 GiB", marks=NO_BROTLI),
    ],
)
def test_a_bomb_is_refused_too_large_without_inflating_it_whole(raw_server, coding, make_bomb) -> None:
    """A few MB on the wire: under the cap as sent, refused as it inflates past it, the memory
    bounded by the cap (8 MiB), not by what the bomb would inflate to."""
    url = raw_server(robots_404(send(http_answer(make_bomb(), f"Content-Encoding: {coding}"))))
    tracemalloc.start()
    try:
        with pytest.raises(RejectedInput, match="too_large") as refused:
            Fetcher(allow=LOCAL, delay=0, retries=0, max_bytes=8 << 20).fetch(f"{url}/page")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "8,388,608-byte cap (CLAIMFLOW_FETCH_MAX_BYTES)" in refused.value.detail
    assert peak < 40 << 20, f"{peak:,} bytes at the peak"


SECRETS = ("hunter2", "s3cr3t", "t0k3n", "reader:")


def test_secrets_in_addresses_are_used_but_never_logged_or_stored(site: Site, caplog, tmp_path) -> None:
    port = site.url.rsplit(":", 1)[1]
    page = f"http://reader:hunter2@127.0.0.1:{port}/page?apikey=s3cr3t&id=7"
    gone = f"http://127.0.0.1:{port}/gone?token=t0k3n"
    site.failures["/page?apikey=s3cr3t&id=7"] = [(302, {"Location": "/story?access_token=t0k3n"})]
    site.failures["/gone?token=t0k3n"] = [(404, {})]
    caplog.set_level(logging.DEBUG)
    records = list(read_sources([page, gone], "2026-11-26", fetcher=Fetcher(allow=LOCAL, delay=0), today=TODAY))
    # the request used the real address and credentials, on the same origin only
    assert "/page?apikey=s3cr3t&id=7" in site.paths() and "/story?access_token=t0k3n" in site.paths()
    assert site.authorization[site.paths().index("/story?access_token=t0k3n")] == "Basic cmVhZGVyOmh1bnRlcjI="
    stored, quarantined = records
    assert stored.name == f"http://127.0.0.1:{port}/page?apikey=&id=7"
    assert stored.url == f"http://127.0.0.1:{port}/story?access_token="
    assert (quarantined.name, quarantined.reason) == (f"http://127.0.0.1:{port}/gone?token=", "unreachable")
    articles = list(build_articles(records))
    kept = json.dumps([vars(r) if isinstance(r, RejectedRecord) else r.to_dict() for r in articles], default=str)
    for secret in SECRETS:
        assert secret not in kept and secret not in caplog.text and secret not in repr(records)


def test_an_error_echoing_the_address_is_redacted(site: Site) -> None:
    with pytest.raises(RejectedInput) as refused:  # http.client refuses the space, quoting the query
        Fetcher(allow=LOCAL, delay=0, retries=0).fetch(f"{site.url}/page?apikey=s3cr3t x")
    assert refused.value.reason == "unreachable" and "InvalidURL" in refused.value.detail
    assert "s3cr3t" not in str(refused.value)


def test_a_day_ingested_from_a_secret_address_leaves_no_secret_in_the_lake(site: Site, tmp_path) -> None:
    from claimflow import stages
    from claimflow.config import Settings

    port = site.url.rsplit(":", 1)[1]
    sources = (f"http://reader:hunter2@127.0.0.1:{port}/page?apikey=s3cr3t", f"http://127.0.0.1:{port}/gone?token=t0k3n")
    site.failures["/gone?token=t0k3n"] = [(404, {})]
    settings = Settings(lake=str(tmp_path / "lake"), sources=sources, fetch_allow=LOCAL, fetch_delay=0)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()  # an undated page is taken by today's run
    result = stages.ingest(settings, today, "manual__test")
    assert (result.articles, result.rejected) == (1, 1)
    files = [path for path in (tmp_path / "lake").rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        assert "apikey=s" not in text  # the parameter's name stays (?apikey=), never its value
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {path}"


def lake_texts(lake) -> dict[str, str]:
    """Every file of a lake as text (gzip files decompressed), by path."""
    texts = {}
    for path in (p for p in lake.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts[str(path)] = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
    return texts


def test_secrets_named_by_pages_records_and_odd_addresses_reach_neither_the_lake_nor_the_logs(site: Site, tmp_path, caplog) -> None:
    from claimflow import stages
    from claimflow.config import Settings

    port = site.url.rsplit(":", 1)[1]
    host = f"http://127.0.0.1:{port}"
    # a page whose canonical link echoes the request's token, as some sites do
    site.pages["/story?token=CANON1tok"] = (
        f'<html><head><link rel="canonical" href="{host}/story?token=CANON1tok&amp;id=7"></head>'
        "<body><article><p>The harbour master said the ferry sails in June.</p></article></body></html>"
    ).encode()
    # a servlet session in a path parameter, an array token and an OAuth code in the query
    site.pages["/memo;jsessionid=JSESS1ON?token[]=ARRAYtok1&code=OAUTHc0de&id=3"] = (
        b"<html><body><article><p>The council said the library stays open.</p></article></body></html>"
    )
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"text": "The minister said the bridge reopens.", "id": "https://n.example/s?sig=JSONs1g",
                                   "url": "https://n.example/s?token=JSONt0k&api_key=JSONk3y&id=1"}))
    sources = (
        f"{host}/story?token=CANON1tok",
        f"{host}/memo;jsessionid=JSESS1ON?token[]=ARRAYtok1&code=OAUTHc0de&id=3",
        f"http://reader:pa?SSw0rd#9@127.0.0.1:{port}/page",  # a password with an unencoded ? and #
        str(records),
    )
    settings = Settings(lake=str(tmp_path / "lake"), sources=sources, fetch_allow=LOCAL, fetch_delay=0)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()  # undated pages are taken by today's run
    caplog.set_level(logging.DEBUG)
    result = stages.ingest(settings, today, "manual__test")
    assert (result.articles, result.rejected) == (3, 1)
    texts = lake_texts(tmp_path / "lake")
    (archive,) = [text for path, text in texts.items() if "raw" in path and path.endswith("articles.jsonl.gz")]
    urls = sorted(json.loads(line)["url"] for line in archive.splitlines())
    assert urls == sorted([f"{host}/story?id=7&token=", f"{host}/memo?token[]=&code=&id=3", "https://n.example/s?token=&api_key=&id=1"])
    (refused,) = [text for path, text in texts.items() if path.endswith("rejected.jsonl.gz")]
    refusal = json.loads(refused)
    assert (refusal["name"], refusal["reason"]) == (f"http://127.0.0.1:{port}/page", "address_refused")
    assert "percent-encode" in refusal["detail"]
    for secret in ("CANON1tok", "JSESS1ON", "ARRAYtok1", "OAUTHc0de", "JSONt0k", "JSONk3y", "JSONs1g", "SSw0rd", "reader"):
        assert secret not in caplog.text, f"{secret} logged"
        for path, text in texts.items():
            assert secret not in text, f"{secret} in {path}"


def test_fetch_settings_reach_the_fetcher() -> None:
    from claimflow.config import Settings

    settings = Settings.from_env({"CLAIMFLOW_FETCH_ALLOW": "127.0.0.1,10.0.0.0/8", "CLAIMFLOW_FETCH_TIMEOUT": "5",
                                  "CLAIMFLOW_FETCH_MAX_BYTES": "1000", "CLAIMFLOW_FETCH_ITEM_PAGES": "off"})
    fetcher = Fetcher.from_settings(settings)
    assert (fetcher.allow, fetcher.timeout, fetcher.max_bytes, fetcher.item_pages) == (("127.0.0.1", "10.0.0.0/8"), 5.0, 1000, False)
    for name, value, message in [("CLAIMFLOW_FETCH_TIMEOUT", "0", "number of seconds more than 0"),
                                 ("CLAIMFLOW_FETCH_ITEM_PAGES", "maybe", "true or false"),
                                 ("CLAIMFLOW_FETCH_ALLOW", "10.0.0.0/40", "is not a network")]:
        with pytest.raises(ValueError, match=message):
            Settings.from_env({name: value})


@pytest.fixture
def tls_site(tmp_path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """An https server on 127.0.0.1 whose self-signed certificate names only ``localhost``, and
    a client context trusting that certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(404 if self.path == "/robots.txt" else 200)
            self.end_headers()
            self.wfile.write(f"<p>The mayor said the pier reopens. Host: {self.headers['Host']}</p>".encode())

    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = server_side.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield str(httpd.server_address[1]), ssl.create_default_context(cafile=str(cert_file))
    httpd.shutdown()


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(tls_site) -> None:
    port, trust = tls_site
    fetched = Fetcher(allow=("localhost", "127.0.0.1"), delay=0, tls=trust).fetch(f"https://localhost:{port}/page")
    assert f"Host: localhost:{port}".encode() in fetched.body  # the name was sent (SNI, Host), the checked address used
    with pytest.raises(RejectedInput, match="SSLCertVerificationError"):  # the certificate does not name 127.0.0.1
        Fetcher(allow=("127.0.0.1",), delay=0, retries=0, tls=trust).fetch(f"https://127.0.0.1:{port}/page")


def test_a_hosts_secret_headers_come_from_the_environment_and_go_to_that_host_only(site: Site, caplog) -> None:
    from claimflow.config import Settings

    port = site.url.rsplit(":", 1)[1]
    settings = Settings.from_env({"CLAIMFLOW_FETCH_HEADERS": '{"127.0.0.1": {"Authorization": "Bearer s3cr3t"}}',
                                  "CLAIMFLOW_FETCH_ALLOW": "127.0.0.1,localhost", "CLAIMFLOW_FETCH_DELAY": "0"})
    site.failures["/moved"] = [(302, {"Location": f"http://localhost:{port}/page"})]
    caplog.set_level(logging.DEBUG)
    Fetcher.from_settings(settings).fetch(f"{site.url}/moved")
    sent = dict(zip(site.paths(), site.authorization, strict=True))  # robots.txt, /moved, robots.txt of localhost, /page
    assert sent["/moved"] == "Bearer s3cr3t" and sent["/page"] is None
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in caplog.text


@pytest.mark.parametrize("value", ['{"h": {"X-Key": "a\\r\\nInjected: 1"}}', '["h"]', "not json s3cr3t"],
                         ids=["header injection", "not an object", "not json"])
def test_bad_fetch_headers_are_refused_without_echoing_them(value: str) -> None:
    from claimflow.config import Settings

    with pytest.raises(ValueError, match="CLAIMFLOW_FETCH_HEADERS must") as refused:
        Settings.from_env({"CLAIMFLOW_FETCH_HEADERS": value})
    assert "s3cr3t" not in str(refused.value) and "Injected" not in str(refused.value)


def test_an_international_host_name_is_asked_for_in_ascii(raw_server) -> None:
    def echo(conn: socket.socket, path: str) -> None:
        conn.sendall(http_answer(b"<p>ok</p>", "Content-Length: 9"))

    url = raw_server(robots_404(echo))
    port = int(url.rsplit(":", 1)[1])
    asked: list[str] = []

    def resolver(host, port, *args, **kwargs):
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    fetched = Fetcher(allow=LOCAL, delay=0, resolver=resolver).fetch(f"http://bücher.example:{port}/page")
    # resolved and sent (Host, which http.client would refuse in Unicode) as IDNA
    assert fetched.body == b"<p>ok</p>" and set(asked) == {"xn--bcher-kva.example"}
