"""Reading a day's sources into raw records: which inputs, and which reader reads each.

A source is a file, a folder or an object-store prefix (``s3://bucket/news/``), local or
remote alike (listed by :mod:`claimflow.ingest.listing`), or an ``http(s)://`` address of an
RSS/Atom feed or a web page, fetched politely (:mod:`claimflow.ingest.web`). It may hold date
placeholders (:mod:`claimflow.ingest.windows`). A run also reads its late window again (the
``late_days`` days before its day: placeholders expanded for each), and of a feed it takes the
items published (UTC) from the window's first day to the run's day; each record says which day
it belongs to, so that ingest can skip what an earlier day already published. What the web
gives with no date (an undated item, a web page) is taken only by runs of today or yesterday
(UTC), unless the address itself names the day: a backfill of last year must not file today's
page under every day of it. Web archives (``.warc``, ``.warc.gz``) give their HTML responses
crawled on the day (:mod:`claimflow.ingest.warc`); files named like CC-NEWS'
(``CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz``) are read only by the run of the day in their name,
so ``cc-news/{yyyy}/{mm}/`` serves a backfill of a whole year, and by the next day's run too if
it is the last of its day: a crawl begun before midnight runs past it.

An input goes to the reader of its kind, told by its name: a text file or web page is one
record, JSON goes to :mod:`claimflow.ingest.json_records`, a feed to
:mod:`claimflow.ingest.feeds`, a web archive to :mod:`claimflow.ingest.warc`. Every input is
hostile until read: sizes are checked against the caps of
:class:`~claimflow.ingest.records.InputLimits` before anything is opened, inputs are read as
streams (:mod:`claimflow.ingest.streams`), and whatever goes wrong with one input quarantines
that input with a reason (``unsupported_format``, ``empty``, ``unreadable``...), never the day;
a source with nothing for the day (its day's folder not there yet) is refused as
``missing_source``, never the day either.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from claimflow.days import window
from claimflow.exceptions import RejectedInput
from claimflow.ingest.budget import Budget
from claimflow.ingest.feeds import feed_records, looks_like_feed
from claimflow.ingest.json_records import json_records
from claimflow.ingest.listing import Input, list_inputs
from claimflow.ingest.records import InputLimits, RawRecord, RejectedRecord, rejected
from claimflow.ingest.streams import CappedStream, read_record
from claimflow.ingest.warc import warc_records
from claimflow.ingest.web import Fetched, Fetcher
from claimflow.ingest.windows import addresses, cc_news_day, is_recent
from claimflow.redact import redact_url

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".md")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
WARC_SUFFIXES = (".warc", ".warc.gz")


def input_kind(name: str) -> tuple[str, bool]:
    """What an input holds by its name, case-insensitively (``text``, ``records``, ``feed``,
    ``warc``, or ``web`` for an address) and whether to gunzip it (a ``.warc.gz`` is left to the
    WARC reader); raises ``RejectedInput("unsupported_format")`` for any other suffix."""
    lower = name.lower()
    if lower.startswith(("http://", "https://")):
        return "web", lower.endswith(".gz")
    if lower.endswith(WARC_SUFFIXES):
        return "warc", False
    compressed = lower.endswith(".gz")
    base = lower.removesuffix(".gz")
    for kind, suffixes in (("text", TEXT_SUFFIXES), ("records", RECORD_SUFFIXES), ("feed", FEED_SUFFIXES)):
        if base.endswith(suffixes):
            return kind, compressed
    suffix = "".join(Path(lower).suffixes[-2:]) or "none"
    expected = ", ".join(TEXT_SUFFIXES + RECORD_SUFFIXES + FEED_SUFFIXES + WARC_SUFFIXES)
    raise RejectedInput("unsupported_format", f"{name}: suffix {suffix!r}; expected one of {expected} (optionally .gz)")


def _split(
    name: str,
    stream: BinaryIO | CappedStream,
    day: str | None,
    undated: bool,
    since: str | None,
    fetched: Fetched | None,
    fetcher: Fetcher | None,
    budget: Budget | None,
    limits: InputLimits,
) -> Iterator[RawRecord | RejectedRecord]:
    kind, compressed = input_kind(name)
    if compressed:
        stream = CappedStream(gzip.GzipFile(fileobj=stream, mode="rb"), limits.max_input_bytes, name)  # type: ignore[arg-type]
    if kind == "warc":
        yield from warc_records(name, stream, day, max_body=limits.max_record_bytes)  # type: ignore[arg-type]
        return
    if kind == "records":
        yield from json_records(name, stream, limits.max_record_bytes)
        return
    data = read_record(name, stream, limits.max_record_bytes)
    web = kind == "web"
    if kind == "feed" or (web and looks_like_feed(data)):
        yield from feed_records(name, data, day, undated, since, fetched, fetcher, budget)
        return
    if web and not undated:
        log.info("skipped web page source=%s day=%s: not a recent day", name, day)
        return
    yield RawRecord(
        name=name,
        payload=data,
        content_type=fetched.content_type if fetched else None,
        url=fetched.url if fetched else None,
        fetched_at=fetched.fetched_at if fetched else None,
    )


def split_records(
    name: str,
    data: bytes | BinaryIO,
    day: str | None = None,
    *,
    undated: bool = True,
    since: str | None = None,
    fetched: Fetched | None = None,
    fetcher: Fetcher | None = None,
    budget: Budget | None = None,
    limits: InputLimits = InputLimits(),
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one input (bytes or a binary stream): one for a text file or web page,
    one per line or object for JSON, one per item of a feed (when ``day`` is given, only the
    items published, in UTC, on ``since`` … ``day``) and per HTML response of a web archive
    (only those of ``day``, when it is given). With ``undated`` False, a web page and a
    feed's undated items give nothing. ``fetched`` is the answer a web input came in (its final
    address, Content-Type, fetch time); ``fetcher`` fetches the pages of a feed's summary-only
    items, within ``budget`` (the source's, already drawn on by fetching it). Whatever goes
    wrong quarantines this input, or the one record of it, with the reason."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        yield from _split(name, stream, day, undated, since, fetched, fetcher, budget, limits)
    except Exception as exc:  # noqa: BLE001 - one input's failure must never be the day's
        yield rejected(name, exc)


def read_input(
    item: Input,
    day: str | None = None,
    *,
    undated: bool = True,
    since: str | None = None,
    limits: InputLimits = InputLimits(),
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one listed input, refused before it is opened if its format is unknown
    or its stored size is zero or over the cap."""
    with ExitStack() as stack:
        try:
            kind, _ = input_kind(item.name)
            cap, setting = (
                (limits.max_warc_bytes, "CLAIMFLOW_MAX_WARC_BYTES")
                if kind == "warc"
                else (limits.max_input_bytes, "CLAIMFLOW_MAX_INPUT_BYTES")
            )
            if item.size > cap:
                raise RejectedInput("too_large", f"{item.name}: {item.size:,} bytes stored, limit {cap:,} ({setting})")
            if item.size == 0:
                raise RejectedInput("empty", f"{item.name}: 0 bytes")
            stream = stack.enter_context(item.open())
        except Exception as exc:  # noqa: BLE001 - an input that cannot be opened is quarantined
            yield rejected(item.name, exc)
            return
        yield from split_records(item.name, stream, day, undated=undated, since=since, limits=limits)


def read_inputs(
    source: str,
    day: str | None = None,
    *,
    since: str | None = None,
    limits: InputLimits = InputLimits(),
    seen: set[str] | None = None,
    **store_options: object,
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of every input file under ``source`` (of ``day``, when given), each file
    read once: one already in ``seen`` (by resolved path or URI) is skipped, so overlapping
    sources do not repeat it. Of the files named like CC-NEWS', those named for ``day`` are
    read, and the last one named for the day before, whose crawl may have run past midnight."""
    seen = set() if seen is None else seen
    before = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat() if day else None
    carried: Input | None = None  # the latest CC-NEWS file of the day before, read before the day's own

    def once(item: Input | RejectedRecord) -> Iterator[RawRecord | RejectedRecord]:
        identity = item.name if isinstance(item, RejectedRecord) else item.identity
        if identity in seen:
            log.info("skipped input name=%s: already read", item.name)
            return
        seen.add(identity)
        yield from [item] if isinstance(item, RejectedRecord) else read_input(item, day, since=since, limits=limits)

    for item in list_inputs(source, **store_options):
        named = None if isinstance(item, RejectedRecord) else cc_news_day(item.name)
        if day is not None and named is not None and named != day:
            carried = item if named == before else carried  # type: ignore[assignment]
            continue
        if carried is not None and named == day:
            yield from once(carried)
            carried = None
        yield from once(item)
    if carried is not None:
        yield from once(carried)


def read_sources(
    sources: tuple[str, ...] | list[str],
    day: str,
    *,
    late_days: int = 0,
    fetcher: Fetcher | None = None,
    today: dt.date | None = None,
    limits: InputLimits = InputLimits(),
    **store_options: object,
) -> Iterator[RawRecord | RejectedRecord]:
    """Every raw record of the day's sources and of its ``late_days`` days before, logging
    progress per source; a record of an earlier day says so in ``day``. Web addresses go
    through ``fetcher`` (a polite default one when None), each within a budget of its own; ``today`` (UTC now when None) decides
    whether ``day`` is recent enough for undated web content; each file is read once, however
    many sources list it."""
    fetcher = fetcher or Fetcher()
    seen: set[str] = set()
    recent = is_recent(day, today)
    days = window(day, late_days)
    for source, resolved, each in addresses(sources, days):
        count = 0
        web = resolved.startswith(("http://", "https://"))
        # an address with date placeholders is the day's own page; any other shows the web of now
        undated = recent or not web or resolved != source
        if web:
            budget = fetcher.budget()  # the source's time: its fetch, robots.txt and item pages
            try:
                fetched: Fetched = fetcher.fetch(resolved, budget)
            except RejectedInput as exc:
                yield RejectedRecord(redact_url(resolved), exc.reason, exc.detail)
                continue
            records = split_records(
                redact_url(resolved), fetched.body, day, undated=undated, since=days[0], fetched=fetched,
                fetcher=fetcher, budget=budget, limits=limits,
            )
        else:
            records = _unless_missing(
                read_inputs(resolved, day, since=days[0], limits=limits, seen=seen, **store_options), resolved, each, day
            )
        for record in records:
            count += 1
            yield replace(record, day=record.day or each) if each != day and isinstance(record, RawRecord) else record
        log.info("read source source=%s records=%d", redact_url(resolved), count)


def _unless_missing(
    records: Iterator[RawRecord | RejectedRecord], address: str, each: str, day: str
) -> Iterator[RawRecord | RejectedRecord]:
    """The records at ``address`` (the source as of day ``each``); a folder missing there is
    normal, an archive comes late. For an earlier day of the window it holds nothing late; for
    the run's own day it is one refused input of reason ``missing_source``, so the day's
    accounting and quarantine say which source had nothing, and the other sources still make
    the day."""
    try:
        yield from records
    except FileNotFoundError as exc:
        if each != day:
            log.info("no late inputs source=%s: %s", redact_url(address), redact_url(str(exc)))
        else:
            yield rejected(redact_url(address), RejectedInput("missing_source", f"nothing for {day} yet: {exc}"))
