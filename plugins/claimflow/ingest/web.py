"""Polite HTTP fetching of feeds and pages: robots.txt, a pause per host, retries with backoff.

A data team lists dozens of feeds from a handful of publishers, and every nightly or backfill
run asks for each of them. So claimflow names itself in its User-Agent, obeys the site's
robots.txt (RFC 9309: a missing one allows everything, an unreachable or rate-limited one
disallows everything), waits ``delay`` seconds, or the site's ``Crawl-delay``, between two requests to
one host, and retries throttling (429) and server errors (5xx) with backoff, honouring
``Retry-After`` up to a cap. What still cannot be had is refused with a reason, never dropped.
"""

from __future__ import annotations

import email.utils
import logging
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

from claimflow.exceptions import RejectedInput

log = logging.getLogger(__name__)

AGENT = "claimflow"  # the product token robots.txt rules are matched against
USER_AGENT = f"{AGENT}/1 (+https://github.com/claimflow)"
MAX_DOWNLOAD = 50 * 1024 * 1024  # bytes read from one web address at the most
RETRY_STATUS = (429, 500, 502, 503, 504)


@dataclass
class Response:
    """What one request gave: the status (0 when no answer came), headers and body."""

    status: int
    headers: Message | None
    body: bytes
    error: str = ""


@dataclass(frozen=True)
class Fetched:
    """A page or feed as fetched: the final address, its body and the HTTP Content-Type."""

    url: str
    body: bytes
    content_type: str | None = None


@dataclass
class Fetcher:
    """Fetches web addresses for one run, remembering each host's robots.txt and last request.

    Args:
        delay: the least seconds between two requests to one host (robots.txt included).
        retries: further attempts after a 429, a 5xx, a timeout or a refused connection.
        timeout: seconds to wait for one answer.
        max_wait: the cap on a Retry-After or Crawl-delay the site asks for.
    """

    delay: float = 1.0
    retries: int = 2
    timeout: float = 30.0
    max_wait: float = 60.0
    _robots: dict[str, urllib.robotparser.RobotFileParser | str] = field(default_factory=dict, init=False, repr=False)
    _last: dict[str, float] = field(default_factory=dict, init=False, repr=False)

    def fetch(self, url: str) -> Fetched:
        """The body at ``url`` (at most MAX_DOWNLOAD bytes) with its Content-Type.

        Raises:
            RejectedInput: ``robots_disallowed`` when the site's robots.txt forbids the address,
                ``unreachable`` when no good answer came after the retries (for the address or
                for the host's robots.txt).
        """
        robots = self.robots(url)
        if not robots.can_fetch(AGENT, url):
            raise RejectedInput("robots_disallowed", f"{url}: disallowed for {AGENT} by {robots_url(url)}")
        response = self.get(url)
        if response.status != 200:
            raise RejectedInput("unreachable", f"{url}: {response.error or f'HTTP {response.status}'}")
        content_type = response.headers.get("Content-Type") if response.headers is not None else None
        return Fetched(url, response.body, content_type)

    def robots(self, url: str) -> urllib.robotparser.RobotFileParser:
        """The host's robots.txt rules, fetched once per run.

        Raises:
            RejectedInput: ``unreachable`` when robots.txt itself could not be had (a 5xx or no
                answer): RFC 9309 says to fetch nothing from that host then.
        """
        host = urlsplit(url).netloc
        if host not in self._robots:
            self._robots[host] = self.read_robots(url)
        rules = self._robots[host]
        if isinstance(rules, str):
            raise RejectedInput("unreachable", f"{url}: {rules}")
        return rules

    def read_robots(self, url: str) -> urllib.robotparser.RobotFileParser | str:
        """The parsed rules, or why the host is off limits for this run."""
        where = robots_url(url)
        parser = urllib.robotparser.RobotFileParser(where)
        response = self.get(where)
        if response.status == 200:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        elif 400 <= response.status < 500 and response.status != 429:
            parser.allow_all = True  # no robots.txt: everything is allowed (a 429 is no answer)
        else:
            reason = f"{where} is unreachable ({response.error or f'HTTP {response.status}'}), so the host is skipped"
            log.warning("robots.txt unreachable url=%s status=%d", where, response.status)
            return reason
        return parser

    def get(self, url: str) -> Response:
        """One address, after the host's pause, retried on throttling and server errors."""
        response = Response(0, None, b"")
        for attempt in range(self.retries + 1):
            self.pause(url)
            response = self.request(url)
            if response.status not in (0, *RETRY_STATUS) or attempt == self.retries:
                break
            wait = min(retry_after(response.headers) or self.delay * 2**attempt, self.max_wait)
            log.info("fetch retry url=%s status=%d attempt=%d wait=%.1fs", url, response.status, attempt + 1, wait)
            time.sleep(wait)
        return response

    def pause(self, url: str) -> None:
        """Sleep until ``delay`` (or the site's Crawl-delay) has passed since the host's last request."""
        host = urlsplit(url).netloc
        wait = self.delay
        robots = self._robots.get(host)
        if isinstance(robots, urllib.robotparser.RobotFileParser):
            wait = max(wait, min(float(robots.crawl_delay(AGENT) or 0), self.max_wait))
        last = self._last.get(host)
        if last is not None:
            time.sleep(max(0.0, last + wait - time.monotonic()))
        self._last[host] = time.monotonic()

    def request(self, url: str) -> Response:
        """One GET; HTTP errors and network failures become a Response, not an exception."""
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:
                return Response(answer.status, answer.headers, answer.read(MAX_DOWNLOAD + 1)[:MAX_DOWNLOAD])
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.headers, b"", f"HTTP {exc.code} {exc.reason}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return Response(0, None, b"", str(getattr(exc, "reason", exc)))


def robots_url(url: str) -> str:
    """The robots.txt address of the host serving ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


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
