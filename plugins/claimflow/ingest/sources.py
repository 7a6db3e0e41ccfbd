"""Finding a day's input files and splitting them into raw records.

A source is a file, a folder or an object-store prefix (``s3://bucket/news/``), local or
remote alike through :mod:`claimflow.storage`, or an ``http(s)://`` address of an RSS/Atom feed
or a web page, fetched politely (:mod:`claimflow.ingest.web`). It may hold date placeholders
so date-partitioned archives read only the run's day: ``archive/{yyyy}/{mm}/{dd}/`` or
``s3://b/news/dt={ds}/``. Of a feed, only the items published on the run's day are taken: the
other days' runs take the others. What the web gives with no date (an undated item, a web
page) is taken only by runs of today or yesterday (UTC), unless the address itself names the
day: a backfill of last year must not file today's page under every day of it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimflow.exceptions import RejectedInput
from claimflow.ingest.feeds import FeedItem, looks_like_feed, parse_feed
from claimflow.ingest.web import Fetched, Fetcher
from claimflow.redact import redact_url
from claimflow.storage import open_store

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm", ".md")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
SUFFIXES = TEXT_SUFFIXES + RECORD_SUFFIXES + FEED_SUFFIXES
RECENT_DAYS = 1  # runs of this many days before today (UTC) still take undated web content


@dataclass(frozen=True)
class RawRecord:
    """One input article before decoding: raw bytes of a text file, or a parsed JSON record."""

    name: str  # file path or URI, with "#<line>" for a record of a JSON-lines file
    payload: bytes | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    content_type: str | None = None  # the HTTP Content-Type a web page came with (its charset)
    url: str | None = None  # the page's address, when it came from the web or a web archive
    fetched_at: str | None = None  # when it was fetched or crawled (ISO 8601, UTC), when known


@dataclass(frozen=True)
class RejectedRecord:
    """An input that could not even become a raw record (unparseable JSON, broken gzip)."""

    name: str
    reason: str
    detail: str


def expand(source: str, day: str) -> str:
    """``source`` with its date placeholders filled in for ``day``."""
    date = dt.date.fromisoformat(day)
    return source.format(ds=day, yyyy=f"{date:%Y}", mm=f"{date:%m}", dd=f"{date:%d}")


def _is_input(name: str) -> bool:
    base = name[:-3] if name.endswith(".gz") else name
    return base.lower().endswith(SUFFIXES) and not Path(base).name.startswith((".", "_"))


def list_inputs(source: str, **store_options: object) -> Iterator[tuple[str, bytes]]:
    """Every input file under ``source`` as ``(name, bytes)``, in name order; ``store_options``
    reach the S3 backend (e.g. ``aws_conn_id``)."""
    if "://" in source and not source.startswith("file://"):
        scheme, rest = source.split("://", 1)
        bucket, _, prefix = rest.partition("/")
        store = open_store(f"{scheme}://{bucket}", **store_options)
    else:
        path = Path(source.removeprefix("file://"))
        if path.is_file():
            yield str(path), path.read_bytes()
            return
        if not path.is_dir():
            raise FileNotFoundError(f"source {source!r} is neither a file nor a folder")
        store, prefix = open_store(str(path)), ""
    for info in store.list(prefix):
        if _is_input(info.key):
            yield store.uri(info.key), store.get_bytes(info.key)


def is_recent(day: str, today: dt.date | None = None) -> bool:
    """Whether ``day`` is today or up to RECENT_DAYS before it (UTC, unless ``today`` is given)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return dt.date.fromisoformat(day) >= today - dt.timedelta(days=RECENT_DAYS)


def _feed_records(
    name: str, data: bytes, day: str | None, undated: bool, fetched: Fetched | None, fetcher: Fetcher | None
) -> Iterator[RawRecord | RejectedRecord]:
    """The feed's items of ``day`` as records (item links relative to the address it was
    ``fetched`` from); with a ``fetcher`` that fetches item pages, a summary-only item's page is
    the record (its feed fields kept), its summary when that fails."""
    try:
        items = parse_feed(data, name, fetched.url if fetched else None)
    except RejectedInput as exc:
        yield RejectedRecord(name, exc.reason, exc.detail)
        return
    skipped = 0
    for number, item in enumerate(items, start=1):
        published = item.published
        if day is None or (published[:10] == day if published else undated):
            try:
                yield _item_record(f"{name}#{number}", item, fetcher)
            except RejectedInput as exc:
                yield RejectedRecord(f"{name}#{number}", exc.reason, exc.detail)
        elif not published:
            skipped += 1
    if skipped:
        log.info("skipped undated feed items source=%s items=%d day=%s: not a recent day", name, skipped, day)


def _item_record(name: str, item: FeedItem, fetcher: Fetcher | None) -> RawRecord:
    """A feed item as a record: its page when it carries only a summary and pages are fetched."""
    if fetcher is not None and fetcher.item_pages and item.url and item.summary_only():
        try:
            page = fetcher.fetch(item.url)
        except RejectedInput as exc:
            log.warning("item page not fetched item=%s reason=%s detail=%s: its summary is used", name, exc.reason, exc.detail)
        else:
            # the feed's fields win over what the page says; its guid ("id") is the external_id
            return RawRecord(name=name, payload=page.body, fields=item.metadata(), content_type=page.content_type,
                             url=page.url, fetched_at=page.fetched_at)
    return RawRecord(name=name, fields=item.fields())


def _gunzip(name: str, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise RejectedInput("bad_archive", f"{name}: {exc}") from exc


def split_records(
    name: str,
    data: bytes,
    day: str | None = None,
    *,
    undated: bool = True,
    fetched: Fetched | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one input: one for a text file or web page, one per line or object for
    JSON, one per item of a feed (only the items of ``day``, when it is given). With
    ``undated`` False, a web page and a feed's undated items give nothing. ``fetched`` is the
    answer a web input came in (its final address, Content-Type, fetch time); ``fetcher``
    fetches the pages of a feed's summary-only items."""
    if name.endswith(".gz"):
        try:
            data = _gunzip(name, data)
        except RejectedInput as exc:
            yield RejectedRecord(name, exc.reason, exc.detail)
            return
        name_inner = name[:-3]
    else:
        name_inner = name
    lower = name_inner.lower()
    web = lower.startswith(("http://", "https://"))
    if lower.endswith(FEED_SUFFIXES) or (web and looks_like_feed(data)):
        yield from _feed_records(name, data, day, undated, fetched, fetcher)
        return
    if web and not undated:
        log.info("skipped web page source=%s day=%s: not a recent day", name, day)
        return
    if lower.endswith(TEXT_SUFFIXES) or web:
        yield RawRecord(
            name=name,
            payload=data,
            content_type=fetched.content_type if fetched else None,
            url=fetched.url if fetched else None,
            fetched_at=fetched.fetched_at if fetched else None,
        )
        return
    lines = [data] if lower.endswith(".json") else data.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}#{number}" if len(lines) > 1 or not lower.endswith(".json") else name
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield RejectedRecord(where, "bad_json", str(exc))
            continue
        values = value if isinstance(value, list) else [value]
        for index, item in enumerate(values):
            item_name = f"{where}[{index}]" if isinstance(value, list) else where
            if isinstance(item, dict):
                yield RawRecord(name=item_name, fields=item)
            else:
                yield RejectedRecord(item_name, "bad_record", f"expected a JSON object, got {type(item).__name__}")


def read_sources(
    sources: tuple[str, ...] | list[str],
    day: str,
    *,
    fetcher: Fetcher | None = None,
    today: dt.date | None = None,
    **store_options: object,
) -> Iterator[RawRecord | RejectedRecord]:
    """Every raw record of the day's sources, logging progress per source; web addresses go
    through ``fetcher`` (a polite default one when None); ``today`` (UTC now when None) decides
    whether ``day`` is recent enough for undated web content."""
    fetcher = fetcher or Fetcher()
    recent = is_recent(day, today)
    for source in sources:
        resolved = expand(source, day)
        count = 0
        web = resolved.startswith(("http://", "https://"))
        # an address with date placeholders is the day's own page; any other shows the web of now
        undated = recent or not web or resolved != source
        fetched: Fetched | None = None
        if web:
            try:
                fetched = fetcher.fetch(resolved)
            except RejectedInput as exc:
                yield RejectedRecord(redact_url(resolved), exc.reason, exc.detail)
                continue
            inputs: Iterator[tuple[str, bytes]] = iter([(redact_url(resolved), fetched.body)])
        else:
            inputs = list_inputs(resolved, **store_options)
        for name, data in inputs:
            for record in split_records(name, data, day, undated=undated, fetched=fetched, fetcher=fetcher if web else None):
                count += 1
                yield record
        log.info("read source source=%s records=%d", redact_url(resolved), count)
