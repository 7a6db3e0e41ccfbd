"""Finding a day's input files and splitting them into raw records.

A source is a file, a folder or an object-store prefix (``s3://bucket/news/``), local or
remote alike through :mod:`claimflow.storage`, or an ``http(s)://`` address of an RSS/Atom feed
or a web page, fetched politely (:mod:`claimflow.ingest.web`). It may hold date placeholders
so date-partitioned archives read only the run's day: ``archive/{yyyy}/{mm}/{dd}/`` or
``s3://b/news/dt={ds}/``. A run also reads its late window again (the ``late_days`` days
before its day: placeholders expanded for each), and of a feed it takes the items published
(UTC) from the window's first day to the run's day; each record says which day it belongs to,
so that ingest can skip what an earlier day already published. What the web gives with no date (an undated item, a web
page) is taken only by runs of today or yesterday (UTC), unless the address itself names the
day: a backfill of last year must not file today's page under every day of it. Web archives
(``.warc``, ``.warc.gz``) give their HTML responses crawled on the day (:mod:`claimflow.ingest.warc`);
files named like CC-NEWS' (``CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz``) are read only by the run of
the day in their name, so ``cc-news/{yyyy}/{mm}/`` serves a backfill of a whole year, and by
the next day's run too if it is the last of its day: a crawl begun before midnight runs past it.

Every input is hostile until read: sizes are checked against the caps of
:class:`InputLimits` before anything is opened, inputs are read as streams (``.gz``
decompressed with a cap on what comes out, JSON lines one at a time), and whatever goes wrong
with one input quarantines that input with a reason, never the day. Every file of a folder is
accounted for: read, or refused with a reason (``unsupported_format``, ``empty``,
``unreadable``...); only hidden files and folders (names starting with ``.`` or ``_``, e.g.
``_SUCCESS``) are ignored. A link is followed only to a file inside the source folder.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from claimflow.config import Settings
from claimflow.days import utc_day, window
from claimflow.exceptions import RejectedInput
from claimflow.ingest.feeds import FeedItem, looks_like_feed, parse_feed
from claimflow.ingest.web import Fetched, Fetcher
from claimflow.redact import redact_url
from claimflow.storage import ObjectStore, open_store

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".md")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
WARC_SUFFIXES = (".warc", ".warc.gz")
RECENT_DAYS = 1  # runs of this many days before today (UTC) still take undated web content
_CC_NEWS = re.compile(r"CC-NEWS-(\d{4})(\d{2})(\d{2})\d{6}-\d+\.warc(?:\.gz)?$", re.IGNORECASE)


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


@dataclass(frozen=True)
class InputLimits:
    """The raw byte caps of one input (``CLAIMFLOW_MAX_*_BYTES``, see :class:`~claimflow.config.Settings`)."""

    max_input_bytes: int = Settings.max_input_bytes  # one file as stored and, for .gz, decompressed
    max_record_bytes: int = Settings.max_record_bytes  # one text/feed file, JSON document or line, WARC body
    max_warc_bytes: int = Settings.max_warc_bytes  # one WARC file as stored

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        """The caps a run's settings name."""
        return cls(settings.max_input_bytes, settings.max_record_bytes, settings.max_warc_bytes)


@dataclass(frozen=True)
class Input:
    """One listed input file, not read yet: its name (a path, or a URI without secrets), the
    identity that lists it once (resolved path or URI), its stored size and how to open it."""

    name: str
    identity: str
    size: int
    open: Callable[[], AbstractContextManager[BinaryIO]]


def expand(source: str, day: str) -> str:
    """``source`` with its date placeholders filled in for ``day``."""
    date = dt.date.fromisoformat(day)
    return source.format(ds=day, yyyy=f"{date:%Y}", mm=f"{date:%m}", dd=f"{date:%d}")


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/") if part)


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


def _local_input(name: str, target: Path) -> Input:
    return Input(name, str(target), target.stat().st_size, partial(open, target, "rb"))


def _local_entry(root: Path, path: Path) -> Input | RejectedRecord | None:
    """The input at ``path`` under the resolved ``root`` (named by its ``file://`` URI), a refusal
    for a link that dangles or leads out of the source, or None for a link to a folder inside it
    (its files are listed where they are)."""
    name = f"{root.as_uri()}/{path.relative_to(root).as_posix()}"
    target = path.resolve()
    try:
        if not target.exists():
            raise FileNotFoundError(f"{name} is a link to nothing")
        if target != root and root not in target.parents:
            raise PermissionError(f"{name} is a link out of the source folder {root}")
        if target.is_dir():
            return None
        if not stat.S_ISREG(target.stat().st_mode):
            raise PermissionError(f"{name} is not a regular file")
        return _local_input(name, target)
    except OSError as exc:
        return rejected(name, exc)


def _local_inputs(folder: Path) -> Iterator[Input | RejectedRecord]:
    root = folder.resolve()
    paths = []
    unreadable: list[OSError] = []
    for dirpath, dirs, files in os.walk(root, onerror=unreadable.append):  # links to folders are not walked into
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        links = [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]
        paths += [Path(dirpath, name) for name in files + links if not name.startswith((".", "_"))]
    for error in unreadable:  # a folder that cannot be listed is accounted for, not skipped
        yield rejected(str(error.filename), error)
    for path in sorted(paths):
        entry = _local_entry(root, path)
        if entry is not None:
            yield entry


@contextmanager
def _downloaded(store: ObjectStore, key: str) -> Iterator[BinaryIO]:
    """The object at ``key``, downloaded (streamed) to a temporary file that is removed after."""
    with tempfile.TemporaryDirectory(prefix="claimflow-input-") as tmp:
        path = Path(tmp) / "input"
        store.get_file(key, path)
        with open(path, "rb") as stream:
            yield stream


def _store_inputs(source: str, **store_options: object) -> Iterator[Input]:
    scheme, rest = source.split("://", 1)
    bucket, _, prefix = rest.partition("/")
    store = open_store(f"{scheme}://{bucket}", **store_options)
    for info in store.list(prefix):
        if not _hidden(info.key[len(prefix) :]):
            uri = store.uri(info.key)
            yield Input(redact_url(uri), uri, info.size, partial(_downloaded, store, info.key))


def list_inputs(source: str, **store_options: object) -> Iterator[Input | RejectedRecord]:
    """Every input file under ``source`` in name order, or the refusal of one that cannot be
    listed safely; ``store_options`` reach the S3 backend (e.g. ``aws_conn_id``)."""
    if "://" in source and not source.startswith("file://"):
        yield from _store_inputs(source, **store_options)
        return
    path = Path(source.removeprefix("file://"))
    if path.is_file():
        yield _local_input(str(path), path.resolve())
    elif path.is_dir():
        yield from _local_inputs(path)
    else:
        raise FileNotFoundError(f"source {source!r} is neither a file nor a folder")


def cc_news_day(name: str) -> str | None:
    """The day (``YYYY-MM-DD``) in the name of a file named like CC-NEWS'
    (``CC-NEWS-YYYYMMDDHHMMSS-NNNNN.warc.gz``: when its crawl began), else None."""
    match = _CC_NEWS.search(name.rsplit("/", 1)[-1])
    return "-".join(match.groups()) if match else None


def is_recent(day: str, today: dt.date | None = None) -> bool:
    """Whether ``day`` is today or up to RECENT_DAYS before it (UTC, unless ``today`` is given)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return dt.date.fromisoformat(day) >= today - dt.timedelta(days=RECENT_DAYS)


def _feed_records(
    name: str,
    data: bytes,
    day: str | None,
    undated: bool,
    since: str | None,
    fetched: Fetched | None,
    fetcher: Fetcher | None,
) -> Iterator[RawRecord | RejectedRecord]:
    """The feed's items published (UTC) on ``since`` … ``day`` (on ``day`` alone without ``since``) as records (item links relative to the address it was
    ``fetched`` from); with a ``fetcher`` that fetches item pages, a summary-only item's page is
    the record (its feed fields kept), its summary when that fails."""
    try:
        items = parse_feed(data, name, fetched.url if fetched else None)
    except RejectedInput as exc:
        yield RejectedRecord(name, exc.reason, exc.detail)
        return
    skipped = 0
    for number, item in enumerate(items, start=1):
        published = utc_day(item.published)
        if day is None:
            take = True
        elif published is None:
            take = undated
        else:
            take = (since or day) <= published <= day
        if take:
            earlier = published if day is not None and published is not None and published < day else None
            try:
                yield replace(_item_record(f"{name}#{number}", item, fetcher), day=earlier)
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


def rejected(name: str, exc: BaseException) -> RejectedRecord:
    """The quarantine record of input ``name`` that failed with ``exc``: a refusal keeps its
    reason, a broken gzip stream is ``bad_archive``, anything else ``unreadable`` with its class."""
    if isinstance(exc, RejectedInput):
        record = RejectedRecord(name, exc.reason, exc.detail)
    elif isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        record = RejectedRecord(name, "bad_archive", f"{type(exc).__name__}: {exc}")
    else:
        record = RejectedRecord(name, "unreadable", f"{type(exc).__name__}: {exc}")
    log.warning("quarantined input name=%s reason=%s detail=%s", name, record.reason, record.detail)
    return record


class _CappedStream:
    """A decompressing stream that refuses, as ``too_large``, to give more than ``cap`` bytes in
    all: a gzip bomb costs the time to inflate the cap, never the memory."""

    def __init__(self, stream: BinaryIO, cap: int, name: str) -> None:
        self.stream, self.cap, self.name, self.total = stream, cap, name, 0

    def _take(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.cap:
            raise RejectedInput(
                "too_large", f"{self.name}: decompresses to more than {self.cap:,} bytes (CLAIMFLOW_MAX_INPUT_BYTES)"
            )
        return data

    def _room(self, size: int | None) -> int:
        room = self.cap + 1 - self.total
        return room if size is None or size < 0 else min(size, room)

    def read(self, size: int | None = -1) -> bytes:
        return self._take(self.stream.read(self._room(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self.stream.readline(self._room(size)))


READ_CHUNK = 1024 * 1024  # bytes asked of a stream at once: read(cap) would allocate the whole cap first


def _read_record(name: str, stream: BinaryIO | _CappedStream, cap: int) -> bytes:
    """The rest of ``stream``, refused as ``too_large`` past ``cap`` bytes, read in chunks so that
    memory follows the record, not the cap."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(READ_CHUNK, cap + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise RejectedInput("too_large", f"{name}: more than {cap:,} bytes in one record (CLAIMFLOW_MAX_RECORD_BYTES)")
    return b"".join(chunks)


def _lines(name: str, stream: BinaryIO | _CappedStream, cap: int) -> Iterator[tuple[str, bytes | RejectedRecord]]:
    """The lines of a JSON-lines stream as ``(name#number, line)``; a line over ``cap`` bytes
    becomes a ``too_large`` refusal and the rest of it is skipped without being held."""
    number = 0
    while line := stream.readline(cap + 1):
        number += 1
        where = f"{name}#{number}"
        if len(line) > cap and not line.endswith(b"\n"):
            while (rest := stream.readline(cap + 1)) and not rest.endswith(b"\n"):
                pass
            yield where, RejectedRecord(where, "too_large", f"line longer than {cap:,} bytes (CLAIMFLOW_MAX_RECORD_BYTES)")
        else:
            yield where, line


def _json_values(where: str, text: bytes) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one JSON document: an object, or each object of a list."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield RejectedRecord(where, "bad_json", str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - huge integers (ValueError), deep nesting (RecursionError)
        yield rejected(where, exc)
        return
    values = value if isinstance(value, list) else [value]
    for index, item in enumerate(values):
        item_name = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, dict):
            yield RawRecord(name=item_name, fields=item)
        else:
            yield RejectedRecord(item_name, "bad_record", f"expected a JSON object, got {type(item).__name__}")


def _json_records(name: str, stream: BinaryIO | _CappedStream, cap: int) -> Iterator[RawRecord | RejectedRecord]:
    """One record per object of a ``.json`` document, or per line of JSON lines; an input
    without any is refused as ``empty``."""
    if name.lower().removesuffix(".gz").endswith(".json"):
        documents: Iterator[tuple[str, bytes | RejectedRecord]] = iter([(name, _read_record(name, stream, cap))])
    else:
        documents = _lines(name, stream, cap)
    count = 0
    for where, document in documents:
        if isinstance(document, RejectedRecord):
            count += 1
            yield document
            continue
        if document.strip():
            for record in _json_values(where, document):
                count += 1
                yield record
    if not count:
        yield RejectedRecord(name, "empty", "no JSON records in it")


def _split(
    name: str,
    stream: BinaryIO | _CappedStream,
    day: str | None,
    undated: bool,
    since: str | None,
    fetched: Fetched | None,
    fetcher: Fetcher | None,
    limits: InputLimits,
) -> Iterator[RawRecord | RejectedRecord]:
    kind, compressed = input_kind(name)
    if compressed:
        stream = _CappedStream(gzip.GzipFile(fileobj=stream, mode="rb"), limits.max_input_bytes, name)  # type: ignore[arg-type]
    if kind == "warc":
        from claimflow.ingest.warc import warc_records  # fastwarc only for archives; warc imports this module

        yield from warc_records(name, stream, day, max_body=limits.max_record_bytes)  # type: ignore[arg-type]
        return
    if kind == "records":
        yield from _json_records(name, stream, limits.max_record_bytes)
        return
    data = _read_record(name, stream, limits.max_record_bytes)
    web = kind == "web"
    if kind == "feed" or (web and looks_like_feed(data)):
        yield from _feed_records(name, data, day, undated, since, fetched, fetcher)
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
    limits: InputLimits = InputLimits(),
) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one input (bytes or a binary stream): one for a text file or web page,
    one per line or object for JSON, one per item of a feed (when ``day`` is given, only the
    items published, in UTC, on ``since`` … ``day``) and per HTML response of a web archive
    (only those of ``day``, when it is given). With ``undated`` False, a web page and a
    feed's undated items give nothing. ``fetched`` is the answer a web input came in (its final
    address, Content-Type, fetch time); ``fetcher`` fetches the pages of a feed's summary-only
    items. Whatever goes wrong quarantines this input, or the one record of it, with the reason."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        yield from _split(name, stream, day, undated, since, fetched, fetcher, limits)
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
    through ``fetcher`` (a polite default one when None); ``today`` (UTC now when None) decides
    whether ``day`` is recent enough for undated web content; each file is read once, however
    many sources list it."""
    fetcher = fetcher or Fetcher()
    seen: set[str] = set()
    recent = is_recent(day, today)
    days = window(day, late_days)
    for source, resolved, each in _addresses(sources, days):
        count = 0
        web = resolved.startswith(("http://", "https://"))
        # an address with date placeholders is the day's own page; any other shows the web of now
        undated = recent or not web or resolved != source
        if web:
            try:
                fetched: Fetched = fetcher.fetch(resolved)
            except RejectedInput as exc:
                yield RejectedRecord(redact_url(resolved), exc.reason, exc.detail)
                continue
            records = split_records(
                redact_url(resolved), fetched.body, day, undated=undated, since=days[0], fetched=fetched,
                fetcher=fetcher, limits=limits,
            )
        else:
            records = read_inputs(resolved, day, since=days[0], limits=limits, seen=seen, **store_options)
            if each != day:
                records = _late(records, resolved)
        for record in records:
            count += 1
            yield replace(record, day=record.day or each) if each != day and isinstance(record, RawRecord) else record
        log.info("read source source=%s records=%d", redact_url(resolved), count)


def _addresses(sources: tuple[str, ...] | list[str], days: list[str]) -> Iterator[tuple[str, str, str]]:
    """``(source, address, day)`` for each distinct address a source's placeholders give over
    ``days`` (oldest first): a source without placeholders is read once, as the last day's."""
    for source in sources:
        addresses = {expand(source, each): each for each in days}  # the same address: the latest day
        for address, each in addresses.items():
            yield source, address, each


def _late(records: Iterator[RawRecord | RejectedRecord], address: str) -> Iterator[RawRecord | RejectedRecord]:
    """The records at an earlier day's ``address``; a folder missing for that day holds nothing late."""
    try:
        yield from records
    except FileNotFoundError as exc:
        log.info("no late inputs source=%s: %s", address, exc)
