"""RSS 0.9x, 1.0 (RDF), 2.0 and Atom feeds, read with feedparser: each item becomes one record.

An item's text is its full content (``content:encoded``, Atom ``content``) or else its summary,
HTML turned into plain text; its date is normalized to UTC (a ``pubDate`` of 23:30 -05:00 is
the next day's 04:30 UTC, and the next day's item). feedparser is given bytes, never an
address, so it fetches nothing itself; a feed it can only half read (``bozo``) is still read
when it has entries, and refused as ``bad_feed`` with feedparser's reason when it has none.
Sizes are capped before parsing: feedparser's fallback parser for broken XML is slow
(about 35 µs per ``<a``: seconds for a few hundred KB), and so is HTML to text.

Of a day's run, :func:`feed_records` keeps the items published in its window, each a raw
record; an item that carries only a summary becomes its page when the fetcher fetches item pages.
Those pages are fetched on the fetcher's threads (:func:`claimflow.ingest.pool.ordered_map`:
different hosts at once, records in the feed's order, a few pages ahead at most), within the
source's :class:`~claimflow.ingest.budget.Budget` and at most ``max_item_pages`` of them; an item
either leaves out is quarantined as ``budget`` (the next run's late window reads it again).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin

import feedparser

from claimflow.days import utc_day
from claimflow.exceptions import RejectedInput
from claimflow.ingest.budget import BUDGET, Budget
from claimflow.ingest.decode import html_to_text
from claimflow.ingest.pool import ordered_map
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.web import Fetched, Fetcher
from claimflow.redact import redact_url

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5 * 1024 * 1024  # a feed larger than this is refused as too_large before parsing
MAX_ITEM_HTML = 2_000_000  # characters of an item body; a longer one is refused before HTML parsing
MAX_TITLE_HTML = 10_000  # characters of an HTML title parsed at the most
SUMMARY_CHARS = 500  # an item without content whose text is shorter than this is a summary only
_WITH_EMAIL = re.compile(r"^\s*(?P<a>[^()<>]*?)\s*[(<](?P<b>[^()<>]*)[)>]\s*$")  # "x (y)" or "x <y>"
_EMAIL = re.compile(r"^\s*\S+@\S+\s*$")


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` starts like an RSS, RDF or Atom document (checked before parsing)."""
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    roots = (b"<rss", b"<feed", b"<rdf:rdf")
    return head.startswith(b"<?xml") and any(root in head for root in roots) or head.startswith(roots)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: its metadata, and its body as the feed gives it (HTML or text)."""

    id: str | None
    title: str | None
    url: str | None  # as the feed gives it: it is fetched as is, and stored redacted
    published: str | None  # ISO 8601, UTC
    authors: tuple[str, ...]
    body: str
    html: bool  # whether ``body`` is HTML
    has_content: bool  # whether the body is the item's full content, not its summary

    def text(self) -> str:
        """The body as plain text.

        Raises:
            RejectedInput: ``too_large`` when the body is over MAX_ITEM_HTML characters.
        """
        if len(self.body) > MAX_ITEM_HTML:
            raise RejectedInput("too_large", f"item body of {len(self.body):,} characters is over the {MAX_ITEM_HTML:,} cap")
        return (html_to_text(self.body) if self.html else self.body).strip()

    def summary_only(self) -> bool:
        """Whether the item carries only a summary (no content, and a short text): its page
        holds the article."""
        return not self.has_content and len(self.body) < SUMMARY_CHARS * 4 and len(self.text()) < SUMMARY_CHARS

    def metadata(self) -> dict[str, Any]:
        """The item's fields a record keeps beside its text: ``title``, ``url``, ``published``,
        ``authors``, and its guid as ``id`` (addresses redacted); absent ones left out."""
        fields = {
            "id": redact_url(self.id) if self.id else None,
            "title": self.title,
            "url": redact_url(self.url) if self.url else None,
            "published": self.published,
        }
        return {key: value for key, value in fields.items() if value} | ({"authors": list(self.authors)} if self.authors else {})

    def fields(self) -> dict[str, Any]:
        """The item as a JSON-like record: its metadata and its ``text`` (when it has any)."""
        text = self.text()
        return self.metadata() | ({"text": text} if text else {})


def parse_feed(data: bytes, name: str = "feed", base: str | None = None) -> list[FeedItem]:
    """The items of an RSS, RDF or Atom feed; ``name`` (the input's) is for the log, ``base``
    (the feed's address) makes relative item links absolute.

    Raises:
        RejectedInput: ``too_large`` over MAX_FEED_BYTES; ``bad_feed`` when ``data`` is no feed
            or a broken one without a readable entry, naming what was expected and why.
    """
    if len(data) > MAX_FEED_BYTES:
        raise RejectedInput("too_large", f"feed of {len(data):,} bytes is over the {MAX_FEED_BYTES:,}-byte cap")
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    items = [_item(entry, base) for entry in parsed.entries]
    items = [item for item in items if item.url or item.id or item.title or item.body]
    problem = parsed.get("bozo_exception")
    if not items and problem is not None:
        why = f"{type(problem).__name__}: {str(problem)[:200]}"
        raise RejectedInput("bad_feed", f"expected an RSS or Atom feed, got one that does not parse: {why}")
    if not items and not parsed.get("version"):
        raise RejectedInput("bad_feed", "expected an <rss>, <rdf:RDF> or Atom <feed> document, got another kind")
    if problem is not None:
        log.warning(
            "broken feed read source=%s version=%s items=%d problem=%s: %s",
            name, parsed.get("version"), len(items), type(problem).__name__, str(problem)[:200],
        )
    return items


def _item(entry: Any, base: str | None) -> FeedItem:
    content = next((c for c in entry.get("content") or () if (c.get("value") or "").strip()), None)
    detail = content or entry.get("summary_detail") or {}
    body = (detail.get("value") or entry.get("summary") or "").strip()
    title_detail = entry.get("title_detail") or {}
    title = (entry.get("title") or "").strip()
    if title and "html" in (title_detail.get("type") or ""):
        title = html_to_text(title[:MAX_TITLE_HTML])
    link = (entry.get("link") or "").strip()
    url = (urljoin(base, link) if base else link) or None
    return FeedItem(
        id=(entry.get("id") or "").strip() or url,
        title=title or None,
        url=url,
        published=_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        authors=_authors(entry),
        body=body,
        html="html" in (detail.get("type") or "text/html"),
        has_content=content is not None,
    )


def _utc(parsed: time.struct_time | None) -> str | None:
    """feedparser's date (a struct_time already in UTC) as ISO 8601 UTC; None when absent or impossible."""
    if parsed is None:
        return None
    try:
        return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


def _authors(entry: Any) -> tuple[str, ...]:
    """The entry's author names, e-mail addresses dropped: ``bob@x.org (Bob Roe)`` (RSS 2.0),
    ``Bob Roe <bob@x.org>`` and a Atom ``<name>`` give ``Bob Roe``, a bare e-mail nothing.
    feedparser's own split of an RSS author cuts long domains (``bob@two.exam``, ``ple (Bob Roe``),
    so a single author is read from the raw string."""
    details = [a for a in entry.get("authors") or () if isinstance(a, dict)]
    raw = [entry["author"]] if entry.get("author") and len(details) <= 1 else [a.get("name") or "" for a in details]
    found: list[str] = []
    for text in raw:
        match = _WITH_EMAIL.match(text)
        parts = [match["a"], match["b"]] if match else [text]
        name = next((p.strip() for p in parts if p.strip() and not _EMAIL.match(p)), "")
        if name and name not in found:
            found.append(name)
    return tuple(found)


def feed_records(
    name: str,
    data: bytes,
    day: str | None,
    undated: bool,
    since: str | None,
    fetched: Fetched | None,
    fetcher: Fetcher | None,
    budget: Budget | None = None,
) -> Iterator[RawRecord | RejectedRecord]:
    """The feed's items published (UTC) on ``since`` … ``day`` (on ``day`` alone without
    ``since``) as records, in the feed's order (item links relative to the address it was
    ``fetched`` from); with a ``fetcher`` that fetches item pages, a summary-only item's page is
    the record (its feed fields kept), its summary when the page cannot be had, and a
    ``budget`` refusal when the source's ``budget`` (a fresh one of the fetcher's when None) or
    its cap on item pages leaves it out."""
    try:
        items = parse_feed(data, name, fetched.url if fetched else None)
    except RejectedInput as exc:
        yield RejectedRecord(name, exc.reason, exc.detail)
        return
    pages = fetcher if fetcher is not None and fetcher.item_pages else None
    budget = budget or (pages.budget() if pages is not None else None)
    skipped = 0

    def tasks() -> Iterator[Callable[[], RawRecord | RejectedRecord]]:
        nonlocal skipped
        wanted = 0  # item pages asked for so far
        for number, item in enumerate(items, start=1):
            published = utc_day(item.published)
            if day is None:
                take = True
            elif published is None:
                take = undated
            else:
                take = (since or day) <= published <= day
            if not take:
                skipped += not published
                continue
            earlier = published if day is not None and published is not None and published < day else None
            item_name = f"{name}#{number}"
            page = pages is not None and bool(item.url) and item.summary_only()
            wanted += page
            if page and wanted > pages.max_item_pages:
                cap = (f"{redact_url(item.url or '')}: item page not fetched, the source has more than "
                       f"{pages.max_item_pages} (CLAIMFLOW_FETCH_MAX_ITEM_PAGES)")
                yield partial(RejectedRecord, item_name, BUDGET, cap)
            else:
                yield partial(_item_record, item_name, item, earlier, pages if page else None, budget)

    if pages is None:
        records: Iterator[RawRecord | RejectedRecord] = (task() for task in tasks())
    else:
        records = ordered_map(tasks(), workers=pages.workers, window=2 * pages.workers)
    left_out = 0
    for record in records:
        left_out += isinstance(record, RejectedRecord) and record.reason == BUDGET
        yield record
    if left_out:
        log.warning("fetch budget left out source=%s items=%d: quarantined as budget, for a later run to read again", name, left_out)
    if skipped:
        log.info("skipped undated feed items source=%s items=%d day=%s: not a recent day", name, skipped, day)


def _item_record(
    name: str, item: FeedItem, day: str | None, fetcher: Fetcher | None, budget: Budget | None
) -> RawRecord | RejectedRecord:
    """A feed item as a record of ``day`` (None: the run's): its page when a ``fetcher`` is
    given, its fields when there is none or the page cannot be had; refused as ``budget`` when
    ``budget`` runs out first, or with the reason its fields are refused."""
    try:
        if fetcher is not None and item.url:
            try:
                page = fetcher.fetch(item.url, budget)
            except RejectedInput as exc:
                if exc.reason == BUDGET:
                    return RejectedRecord(name, exc.reason, exc.detail)
                log.warning("item page not fetched item=%s reason=%s detail=%s: its summary is used", name, exc.reason, exc.detail)
            else:
                # the feed's fields win over what the page says; its guid ("id") is the external_id
                return RawRecord(name=name, payload=page.body, fields=item.metadata(), content_type=page.content_type,
                                 url=page.url, fetched_at=page.fetched_at, day=day)
        return RawRecord(name=name, fields=item.fields(), day=day)
    except RejectedInput as exc:
        return RejectedRecord(name, exc.reason, exc.detail)
