"""Polite and guarded HTTP fetching of feeds and pages.

Polite: a data team lists dozens of feeds from a handful of publishers, and every nightly or
backfill run asks for each of them. So claimflow names itself in its User-Agent, obeys the
site's robots.txt (RFC 9309: a missing one allows everything, an unreachable or rate-limited
one disallows everything), waits ``delay`` seconds, or the site's ``Crawl-delay``, between two
requests to one host, and retries throttling (429), the server errors a retry may cure (500,
502, 503, 504: ``RETRY_STATUS``), timeouts and failed connections with backoff, honouring
``Retry-After`` up to a cap. Threads may share one fetcher: each host has at most one request in
flight (its lock is held through the pause, the request and the retries) and its robots.txt is
read once. A source's :class:`~claimflow.ingest.budget.Budget`, when given, bounds the time all
of this may take: a wait or a request that would outlast it is refused as ``budget``.

Guarded: a configured site, or anyone it redirects to, is not trusted. Only ``http``/``https``
addresses are fetched, each host's addresses are checked by :mod:`claimflow.ingest.addresses`
and the connection goes to the address checked; redirects are followed by hand (at most
``MAX_REDIRECTS``), each hop checked against the address policy and its host's robots.txt; one
request has a total deadline (connect, headers and body together) and a size cap (as sent, and
after decompression by :mod:`claimflow.ingest.http_body`); protocol errors are an ``unreachable`` answer, never a crash. Addresses in log
lines, refusals and :class:`Fetched` are redacted (:func:`claimflow.redact.redact_url`): a
secret in a source address is used for the request, never stored. What cannot be had is refused
with a reason: ``address_refused``, ``robots_disallowed``, ``too_large`` or ``unreachable``.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import http.client
import logging
import socket
import ssl
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from typing import Protocol
from urllib.parse import unquote, urljoin, urlsplit

from claimflow.config import Settings
from claimflow.exceptions import RejectedInput
from claimflow.ingest.addresses import AddressPolicy, Resolver
from claimflow.ingest.budget import BUDGET, Budget
from claimflow.ingest.http_body import ACCEPT_ENCODING, decoded_body
from claimflow.redact import redact_url

log = logging.getLogger(__name__)

AGENT = "claimflow"  # the product token robots.txt rules are matched against
USER_AGENT = f"{AGENT}/1 (+https://github.com/claimflow)"
MAX_REDIRECTS = 5
RETRY_STATUS = (429, 500, 502, 503, 504)
REDIRECT_STATUS = (301, 302, 303, 307, 308)
SCHEMES = {"http": 80, "https": 443}
CHUNK = 64 * 1024
MAX_ERROR = 200  # characters of a server's garbage kept in an error message


class Clock(Protocol):
    """What the pauses between requests read and wait on: the system clock, or a fake in tests."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class SystemClock:
    """The real clock (``time.monotonic``, ``time.sleep``)."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Response:
    """What one request gave: the status (0 when no answer came), headers and body."""

    status: int
    headers: Message | None
    body: bytes
    error: str = ""


@dataclass(frozen=True)
class Fetched:
    """A page or feed as fetched: the final address (redacted), its body, the HTTP Content-Type
    and when it was fetched (ISO 8601, UTC)."""

    url: str
    body: bytes
    content_type: str | None = None
    fetched_at: str | None = None


@dataclass
class Fetcher:
    """Fetches web addresses for one run, remembering each host's robots.txt and last request.

    Args:
        delay: the least seconds between two requests to one host (robots.txt included).
        retries: further attempts after an answer in RETRY_STATUS, a timeout or a failed connection.
        timeout: seconds one request may take in all (connect, headers and body).
        max_wait: the cap on a Retry-After or Crawl-delay the site asks for.
        max_bytes: the most bytes one answer may have, as sent and decompressed; more is ``too_large``.
        allow: host names and networks that may be reached although not public.
        headers: request headers per host name (an API key), sent only to that host.
        item_pages: whether a web feed's summary-only items have their page fetched.
        source_budget: seconds one source may spend fetching (:meth:`budget`).
        max_item_pages: the most item pages one source has fetched.
        workers: threads fetching a source's item pages (hosts still one request at a time).
        resolver: ``socket.getaddrinfo`` or a stand-in (tests).
        clock: what the pause per host and the retry backoff read and wait on; a fake clock lets
            tests check the waits without waiting. A request's deadline stays on real time: the
            sockets it bounds wait in real time.
        tls: the TLS settings of https requests; the system's trusted CAs when None.
    """

    # the defaults of what CLAIMFLOW_FETCH_* configure are Settings' own, defined there only
    delay: float = Settings.fetch_delay
    retries: int = 2
    timeout: float = Settings.fetch_timeout
    max_wait: float = 60.0
    max_bytes: int = Settings.fetch_max_bytes
    allow: tuple[str, ...] = ()
    headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    item_pages: bool = Settings.fetch_item_pages
    source_budget: float = Settings.fetch_source_budget
    max_item_pages: int = Settings.fetch_max_item_pages
    workers: int = Settings.fetch_workers
    resolver: Resolver = socket.getaddrinfo
    clock: Clock = field(default_factory=SystemClock)
    tls: ssl.SSLContext | None = None
    _policy: AddressPolicy = field(init=False, repr=False)
    _robots: dict[str, urllib.robotparser.RobotFileParser | str] = field(default_factory=dict, init=False, repr=False)
    _last: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)  # per "request:<origin>", "robots:<origin>"
    _locks_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._policy = AddressPolicy(self.allow, self.resolver)
        self.tls = self.tls or ssl.create_default_context()

    @classmethod
    def from_settings(cls, settings: Settings) -> Fetcher:
        """The run's fetcher, configured by the ``CLAIMFLOW_FETCH_*`` settings."""
        return cls(
            delay=settings.fetch_delay,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            allow=settings.fetch_allow,
            headers=settings.fetch_headers,
            item_pages=settings.fetch_item_pages,
            source_budget=settings.fetch_source_budget,
            max_item_pages=settings.fetch_max_item_pages,
            workers=settings.fetch_workers,
        )

    def budget(self) -> Budget:
        """A fresh budget of ``source_budget`` seconds for one source, on the fetcher's clock."""
        return Budget(self.source_budget, self.clock.monotonic)

    def _lock(self, name: str) -> threading.Lock:
        """The lock called ``name``, made on first use (by any thread)."""
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def fetch(self, url: str, budget: Budget | None = None) -> Fetched:
        """The body at ``url``, redirects followed, with its final address and Content-Type,
        within ``budget`` when one is given.

        Raises:
            RejectedInput: ``address_refused`` (not http(s), or an address the policy refuses,
                for ``url`` or a redirect), ``robots_disallowed`` (robots.txt of a hop forbids
                it), ``too_large`` (over ``max_bytes``) or ``unreachable`` (no good answer after
                the retries, a protocol error, too many redirects, or the host's robots.txt
                could not be had), ``budget`` (``budget`` ran out first).
        """
        final, response = self.follow(url, obey_robots=True, budget=budget)
        if response.status != 200:
            raise RejectedInput("unreachable", f"{redact_url(final)}: {response.error or f'HTTP {response.status}'}")
        content_type = response.headers.get("Content-Type") if response.headers is not None else None
        fetched_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        return Fetched(redact_url(final), response.body, content_type, fetched_at)

    def follow(self, url: str, *, obey_robots: bool, budget: Budget | None = None) -> tuple[str, Response]:
        """The final address and its answer, following at most MAX_REDIRECTS redirects; the
        credentials of ``url`` (user info) go only to hops of the same origin, a host's
        configured headers only to that host."""
        origin, auth = _origin(url), _basic_auth(url)
        for _ in range(MAX_REDIRECTS + 1):
            scheme = urlsplit(url).scheme.lower()
            if scheme not in SCHEMES:
                raise RejectedInput("address_refused", f"{redact_url(url)}: only http and https are fetched, not {scheme!r}")
            _check_authority(url)
            if obey_robots:
                robots = self.robots(url, budget)
                if not robots.can_fetch(AGENT, url):
                    raise RejectedInput("robots_disallowed", f"{redact_url(url)}: disallowed for {AGENT} by {redact_url(robots_url(url))}")
            host_headers = self.headers.get((urlsplit(url).hostname or "").lower(), {})
            response = self.get(url, {**host_headers, **(auth if _origin(url) == origin else {})}, budget)
            location = response.headers.get("Location") if response.headers is not None else None
            if response.status not in REDIRECT_STATUS or not location:
                return url, response
            target = urljoin(url, location.strip())
            log.info("fetch redirect url=%s to=%s status=%d", redact_url(url), redact_url(target), response.status)
            url = target
        raise RejectedInput("unreachable", f"{redact_url(url)}: more than {MAX_REDIRECTS} redirects")

    def robots(self, url: str, budget: Budget | None = None) -> urllib.robotparser.RobotFileParser:
        """The host's robots.txt rules, fetched once per run (one thread reads them, the others
        wait for its answer).

        Raises:
            RejectedInput: ``unreachable`` when robots.txt itself could not be had (a 5xx or no
                answer): RFC 9309 says to fetch nothing from that host then; ``address_refused``
                when the host (or where its robots.txt redirects) is refused; ``budget`` when
                ``budget`` ran out first (nothing is remembered then).
        """
        host = _origin(url)
        with self._lock(f"robots:{host}"):
            if host not in self._robots:
                self._robots[host] = self.read_robots(url, budget)
        rules = self._robots[host]
        if isinstance(rules, str):
            raise RejectedInput("unreachable", f"{redact_url(url)}: {rules}")
        return rules

    def read_robots(self, url: str, budget: Budget | None = None) -> urllib.robotparser.RobotFileParser | str:
        """The parsed rules, or why the host is off limits for this run."""
        where = robots_url(url)
        parser = urllib.robotparser.RobotFileParser(where)
        try:
            _, response = self.follow(where, obey_robots=False, budget=budget)
        except RejectedInput as exc:
            if exc.reason in ("address_refused", BUDGET):  # the host is not to blame for this run's budget
                raise
            response = Response(0, None, b"", f"{exc.reason}: {exc.detail}")
        if response.status == 200:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        elif 400 <= response.status < 500 and response.status != 429:
            parser.allow_all = True  # no robots.txt: everything is allowed (a 429 is no answer)
        else:
            reason = f"{redact_url(where)} is unreachable ({response.error or f'HTTP {response.status}'}), so the host is skipped"
            log.warning("robots.txt unreachable url=%s status=%d error=%s", redact_url(where), response.status, response.error)
            return reason
        return parser

    def get(self, url: str, headers: dict[str, str] | None = None, budget: Budget | None = None) -> Response:
        """One address, after the host's pause, retried on throttling, server errors and failed
        connections; the host's lock is held throughout, so it has one request in flight. Within
        ``budget``, each request's timeout is at most what is left of it.

        Raises:
            RejectedInput: ``budget`` when a pause, a request or a retry would outlast ``budget``.
        """
        response = Response(0, None, b"")
        with self._lock(f"request:{_origin(url)}"):
            for attempt in range(self.retries + 1):
                self.pause(url, budget)
                timeout = self.timeout
                if budget is not None:
                    budget.check(url)
                    timeout = min(timeout, budget.remaining())
                try:
                    response = self.request(url, headers, timeout)
                finally:
                    self._last[_origin(url)] = self.clock.monotonic()
                if response.status not in (0, *RETRY_STATUS):
                    break
                if budget is not None and budget.remaining() <= 0:
                    raise budget.refuse(url, f"{response.error or f'HTTP {response.status}'} as the source's fetch budget ran out")
                if attempt == self.retries:
                    break
                wait = min(retry_after(response.headers) or self.delay * 2**attempt, self.max_wait)
                if budget is not None and wait >= budget.remaining():
                    raise budget.refuse(url, f"{response.error or f'HTTP {response.status}'}, and a retry after {wait:.1f}s would outlast the source's fetch budget")
                log.info(
                    "fetch retry url=%s status=%d error=%s attempt=%d wait=%.1fs",
                    redact_url(url), response.status, response.error, attempt + 1, wait,
                )
                self.clock.sleep(wait)
        return response

    def pause(self, url: str, budget: Budget | None = None) -> None:
        """Sleep until ``delay`` (or the site's Crawl-delay) has passed since the host's last
        request ended.

        Raises:
            RejectedInput: ``budget`` when the pause would outlast ``budget``.
        """
        host = _origin(url)
        delay = self.delay
        robots = self._robots.get(host)
        if isinstance(robots, urllib.robotparser.RobotFileParser):
            delay = max(delay, min(float(robots.crawl_delay(AGENT) or 0), self.max_wait))
        last = self._last.get(host)
        if last is None:
            return
        wait = max(0.0, last + delay - self.clock.monotonic())
        if budget is not None and wait > 0 and wait >= budget.remaining():
            raise budget.refuse(url, f"the host's pause of {wait:.1f}s would outlast the source's fetch budget")
        self.clock.sleep(wait)

    def request(self, url: str, headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
        """One GET to a checked address within ``timeout`` seconds in all (the fetcher's when
        None); network and protocol failures become a Response with status 0 and the error's
        class, not an exception.

        Raises:
            RejectedInput: ``address_refused`` or ``too_large``, which no retry changes.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        conn: http.client.HTTPConnection | None = None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").encode("idna").decode("ascii")  # bücher.example: xn--bcher-kva.example
            port = parts.port or SCHEMES.get(parts.scheme.lower(), 80)
            if not host:
                raise ValueError("the address names no host")
            addresses = self._policy.resolve(host, port)
            with Watchdog(_connect(addresses, port, deadline), deadline) as watchdog:
                if parts.scheme.lower() == "https":
                    watchdog.sock = self.tls.wrap_socket(watchdog.sock, server_hostname=host)
                conn = http.client.HTTPConnection(host, port)
                conn.sock = watchdog.sock
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                conn.request("GET", target, headers=_headers(host, parts.port, headers))
                answer = conn.getresponse()
                body = self.read_body(url, answer, deadline)
            if watchdog.expired:
                raise TimeoutError(f"no complete answer within {timeout:g}s")
            error = f"HTTP {answer.status} {answer.reason}".strip() if answer.status >= 400 else ""
            return Response(answer.status, answer.msg, body, error)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if time.monotonic() >= deadline:
                return Response(0, None, b"", f"TimeoutError: no complete answer within {timeout:g}s")
            return Response(0, None, b"", _error(exc))
        finally:
            if conn is not None:
                conn.close()

    def read_body(self, url: str, answer: http.client.HTTPResponse, deadline: float) -> bytes:
        """The body of ``answer``, its content codings undone by :mod:`claimflow.ingest.http_body`
        (the one owner of codings and bounded inflation, as for archived bodies), refused past
        ``max_bytes`` as sent or as decoded: at most ``max_bytes`` raw bytes are read, and a bomb
        is inflated no further than the cap.

        Raises:
            RejectedInput: ``too_large``.
            TimeoutError: when the deadline passes; ValueError for a body that does not decode
                (a coding unknown, a stream corrupt or cut short).
        """
        length = answer.getheader("Content-Length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            detail = f"{redact_url(url)}: Content-Length {length} is over the {self.max_bytes:,}-byte cap"
            raise RejectedInput("too_large", detail)
        chunks: list[bytes] = []
        size = 0
        while received := answer.read1(CHUNK):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no complete answer within {self.timeout:g}s")
            size += len(received)
            if size > self.max_bytes:
                raise RejectedInput("too_large", f"{redact_url(url)}: more than the {self.max_bytes:,}-byte cap")
            chunks.append(received)
        if answer.length:  # the connection closed before Content-Length bytes came
            raise http.client.IncompleteRead(b"".join(chunks), answer.length)
        try:  # http.client has undone a chunked transfer coding already
            return decoded_body(
                b"".join(chunks),
                transfer_encoding=None,
                content_encoding=answer.getheader("Content-Encoding"),
                cap=self.max_bytes,
                limit="CLAIMFLOW_FETCH_MAX_BYTES",
            )
        except RejectedInput as exc:
            if exc.reason == "too_large":
                raise RejectedInput("too_large", f"{redact_url(url)}: {exc.detail}") from None
            raise ValueError(exc.detail) from None  # a protocol error: unreachable after the retries, as before


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, without user info: what robots.txt and pauses are kept by."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or SCHEMES.get(scheme, 0)
    except ValueError:
        port = 0
    host = parts.hostname or ""
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def _check_authority(url: str) -> None:
    """Refuses an address whose user info holds an unencoded ``?``, ``#`` or ``/``: ``urlsplit``
    would take part of the password for the host (and send it to DNS, or echo it in an error),
    where the redaction reads the host after the ``@``.

    Raises:
        RejectedInput: ``address_refused``, naming the redacted address only.
    """
    if urlsplit(url).hostname != urlsplit(redact_url(url)).hostname:
        raise RejectedInput(
            "address_refused", f"{redact_url(url)}: its user info holds an unencoded '?', '#' or '/'; percent-encode it (%3F, %23, %2F)"
        )


def _basic_auth(url: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header from the user info of ``url``, empty when it has none."""
    parts = urlsplit(url)
    if parts.username is None:
        return {}
    secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(secret).decode("ascii")}


def _headers(host: str, port: int | None, extra: dict[str, str] | None) -> dict[str, str]:
    """The request headers: ``Host`` as the address names it (ASCII), then ``extra``."""
    named = f"[{host}]" if ":" in host else host
    return {
        "Host": f"{named}:{port}" if port else named,
        "User-Agent": USER_AGENT,
        "Accept-Encoding": ACCEPT_ENCODING,
        "Connection": "close",
        **(extra or {}),
    }


def _connect(addresses: list[str], port: int, deadline: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers before ``deadline``."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            sock = socket.create_connection((address, port), timeout=remaining)
        except OSError as exc:
            error = exc
            continue
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        return sock
    raise error


class Watchdog:
    """Shuts its socket down at ``deadline``: a server dripping a byte at a time, in the headers
    or the body, cannot hold a request past it (socket timeouts only bound each read). ``sock``
    is replaced by its TLS wrapper once there is one; the socket is closed on exit."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.expired = False  # whether the deadline came first: what was read is then incomplete
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self.expire)
        self._timer.daemon = True

    def expire(self) -> None:
        self.expired = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        self.sock.close()


def _error(exc: BaseException) -> str:
    """``Class: message`` of a network or protocol error, cut short (it may echo server garbage)
    and redacted (http.client echoes a bad address's query)."""
    text = redact_url(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 3] + "..."


def robots_url(url: str) -> str:
    """The robots.txt address of the host serving ``url`` (without user info)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/robots.txt"


def retry_after(headers: Message | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), None if absent."""
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
