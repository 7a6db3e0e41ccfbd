"""Finding a day's input files and splitting them into raw records.

A source is a file, a folder or an object-store prefix (``s3://bucket/news/``), local or
remote alike through :mod:`claimflow.storage`, or an ``http(s)://`` address of an RSS/Atom feed
or a web page, fetched politely (:mod:`claimflow.ingest.web`). It may hold date placeholders
so date-partitioned archives read only the run's day: ``archive/{yyyy}/{mm}/{dd}/`` or
``s3://b/news/dt={ds}/``. A run also reads its late window again (the ``late_days`` days
before its day: placeholders expanded for each), and of a feed it takes the items published
(UTC) from the window's first day to the run's day; each record says which day it belongs to,
so that ingest can skip what an earlier day already published. What the web gives with no
date (an undated item, a web page) is taken only by runs of today or yesterday (UTC), unless
the address itself names the day: a backfill of last year must not file today's page under
every day of it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from claimflow.days import utc_day, window
from claimflow.exceptions import RejectedInput
from claimflow.ingest.feeds import looks_like_feed, parse_feed
from claimflow.ingest.web import Fetched, Fetcher
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
    day: str | None = None  # the earlier day it belongs to (its folder's, a feed item's); None: the run's


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


def _feed_records(name: str, data: bytes, day: str | None, undated: bool, since: str | None) -> Iterator[RawRecord | RejectedRecord]:
    try:
        items = parse_feed(data)
    except ValueError as exc:
        yield RejectedRecord(name, "bad_feed", str(exc))
        return
    skipped = 0
    for number, item in enumerate(items, start=1):
        published = utc_day(item.get("published"))
        if day is None:
            take = True
        elif published is None:
            take = undated
        else:
            take = (since or day) <= published <= day
        if take:
            earlier = published if day is not None and published is not None and published < day else None
            yield RawRecord(name=f"{name}#{number}", fields=item, day=earlier)
        elif not published:
            skipped += 1
    if skipped:
        log.info("skipped undated feed items source=%s items=%d day=%s: not a recent day", name, skipped, day)


def _gunzip(name: str, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise RejectedInput("bad_archive", f"{name}: {exc}") from exc


def split_records(
    name: str, data: bytes, day: str | None = None, *, undated: bool = True, content_type: str | None = None,
    since: str | None = None,
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one input: one for a text file or web page, one per line or object for
    JSON, one per item of a feed (when ``day`` is given, only the items published, in UTC, on
    ``since`` … ``day``, or on ``day`` alone). With ``undated`` False, a web page and a feed's
    undated items give nothing."""
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
        yield from _feed_records(name, data, day, undated, since)
        return
    if web and not undated:
        log.info("skipped web page source=%s day=%s: not a recent day", name, day)
        return
    if lower.endswith(TEXT_SUFFIXES) or web:
        yield RawRecord(name=name, payload=data, content_type=content_type, url=name if web else None)
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
    late_days: int = 0,
    fetcher: Fetcher | None = None,
    today: dt.date | None = None,
    **store_options: object,
) -> Iterator[RawRecord | RejectedRecord]:
    """Every raw record of the day's sources and of its ``late_days`` days before, logging
    progress per source; a record of an earlier day says so in ``day``. Web addresses go
    through ``fetcher`` (a polite default one when None); ``today`` (UTC now when None) decides
    whether ``day`` is recent enough for undated web content."""
    fetcher = fetcher or Fetcher()
    recent = is_recent(day, today)
    days = window(day, late_days)
    for source, resolved, each in _addresses(sources, days):
        count = 0
        web = resolved.startswith(("http://", "https://"))
        # an address with date placeholders is the day's own page; any other shows the web of now
        undated = recent or not web or resolved != source
        content_type = None
        if web:
            try:
                fetched: Fetched = fetcher.fetch(resolved)
            except RejectedInput as exc:
                yield RejectedRecord(resolved, exc.reason, exc.detail)
                continue
            inputs: Iterator[tuple[str, bytes]] = iter([(resolved, fetched.body)])
            content_type = fetched.content_type
        else:
            inputs = list_inputs(resolved, **store_options) if each == day else _late_inputs(resolved, store_options)
        for name, data in inputs:
            for record in split_records(name, data, day, undated=undated, content_type=content_type, since=days[0]):
                count += 1
                yield replace(record, day=record.day or each) if each != day and isinstance(record, RawRecord) else record
        log.info("read source source=%s records=%d", resolved, count)


def _addresses(sources: tuple[str, ...] | list[str], days: list[str]) -> Iterator[tuple[str, str, str]]:
    """``(source, address, day)`` for each distinct address a source's placeholders give over
    ``days`` (oldest first): a source without placeholders is read once, as the last day's."""
    for source in sources:
        addresses = {expand(source, each): each for each in days}  # the same address: the latest day
        for address, each in addresses.items():
            yield source, address, each


def _late_inputs(address: str, store_options: dict[str, object]) -> Iterator[tuple[str, bytes]]:
    """The input files at an earlier day's ``address``; a folder missing for that day holds nothing late."""
    try:
        yield from list_inputs(address, **store_options)
    except FileNotFoundError as exc:
        log.info("no late inputs source=%s: %s", address, exc)
