"""Web archives (WARC 1.0/1.1, plain or gzip: the Internet Archive's and CC-NEWS' format) read
as a stream, record by record, so memory does not grow with the file.

The inputs an archive holds are its HTML responses: HTTP 200 with Content-Type ``text/html`` or
``application/xhtml+xml``, crawled on the run's day. The day is the ``WARC-Date`` (the crawl time,
UTC), not the story's own publication date, which only the page itself tells. Everything else is
skipped and counted by kind in one log line per archive, never quarantined: requests, revisits,
metadata and warcinfo records, responses of other media (PDF, images, scripts) or statuses
(redirects, errors), records of other days. A crawl holds far more of them than pages, none was
ever a news article, and quarantining them would bury the real refusals.

An HTML response is quarantined, and the archive read on, when its body is over the cap once
decoded (``too_large``: a gzip bomb), cut short by the end of the file, or does not decode (a
broken chunked stream, an unknown coding: ``bad_archive``, see :mod:`claimflow.ingest.http_body`).
Bytes that hold no readable record (garbage between records, a header that does not parse or
lacks its length, a gzip member that does not inflate) are one ``bad_archive`` record each
stretch, ``<name>#<number>`` like the others, and reading goes on at the next record: the next
gzip member of a ``.warc.gz`` (each record is its own, as crawlers write them), the next
``WARC/1.`` line of a plain WARC. The archive itself is quarantined when it holds no record at
all. Every refusal names the record's target address, secrets stripped; the log line of each
archive counts them (``unreadable``) beside the skipped records.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from claimflow.exceptions import RejectedInput
from claimflow.ingest.html import HTML_TYPES
from claimflow.ingest.http_body import decoded_body
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.redact import redact_url

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"  # a gzip member's first bytes (deflate): where a .warc.gz record may begin
WARC_LINE = b"WARC/1."  # a plain WARC record's first line (1.0 or 1.1)
SCAN_CHUNK = 1 << 20  # bytes read at once while looking for the next record
MAX_HEADER = 32 << 10  # fastwarc's default limit on one header
_TARGET = re.compile(rb"WARC-Target-URI:[ \t]*<?([^\s>]+)", re.IGNORECASE)


def crawl_time(record: WarcRecord) -> dt.datetime | None:
    """The record's ``WARC-Date`` in UTC, or None when it has none that parses."""
    raw = record.headers.get("WARC-Date")
    try:
        when = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def _skip_reason(record: WarcRecord, when: dt.datetime | None, day: str | None) -> str | None:
    """Why ``record`` is no input of ``day`` (a short key for the log's counts), or None; parses
    the HTTP headers of a response as a side effect (raw: :mod:`claimflow.ingest.http_body`
    decodes the body)."""
    if record.record_type != WarcRecordType.response:
        return str(record.record_type)
    if day is not None and (when is None or when.date().isoformat() != day):
        return "other_day" if when else "undated"
    if not (record.headers.get("Content-Type") or "").startswith("application/http"):
        return "not_http"
    record.parse_http(auto_decode="none")
    status = record.http_headers.status_code
    if status != 200:
        return f"http_{status}"
    media = (record.http_content_type or "").lower()
    return None if media in HTML_TYPES else (media or "no_content_type")


def _is_gzip(stream: BinaryIO) -> bool:
    start = stream.tell()
    head = stream.read(2)
    stream.seek(start)
    return head == GZIP_MAGIC[:2]


def _find(stream: BinaryIO, marker: bytes, start: int) -> int | None:
    """The offset of the first ``marker`` at or after ``start``, read SCAN_CHUNK bytes at a time."""
    stream.seek(start)
    carry, base = b"", start
    while chunk := stream.read(SCAN_CHUNK):
        window = carry + chunk
        if (at := window.find(marker)) >= 0:
            return base + at
        carry = window[-(len(marker) - 1) :]
        base += len(window) - len(carry)
    return None


def _next_start(stream: BinaryIO, gzipped: bool, after: int) -> int | None:
    """Where the next record may begin after ``after``: a gzip member's magic bytes, or a
    ``WARC/1.`` line (the newline before it found too, then stepped over)."""
    if gzipped:
        return _find(stream, GZIP_MAGIC, after)
    at = _find(stream, b"\n" + WARC_LINE, after - 1)
    return None if at is None else at + 1


def _end_of(stream: BinaryIO, start: int, length: int) -> int:
    """Where a plain WARC's record that begins at ``start`` with a block of ``length`` bytes
    ends: its header, its block and the blank line after it."""
    stream.seek(start)
    head = stream.read(MAX_HEADER)
    end = head.find(b"\r\n\r\n")
    return start + (end + 4 if end >= 0 else len(head)) + length + 4


def _head(stream: BinaryIO, gzipped: bool, at: int | None, end: int | None) -> bytes:
    """The first bytes of what could not be read (up to ``end``), inflated if they can be: for
    the address its header may name."""
    if at is None:
        return b""
    stream.seek(at)
    head = stream.read(MAX_HEADER if end is None else min(MAX_HEADER, end - at))
    if not gzipped:
        return head
    try:
        return zlib.decompressobj(wbits=31).decompress(head, MAX_HEADER)
    except zlib.error:
        return b""


def _junk(name: str, number: int, problem: str, after: int, head: bytes, resumed: int | None) -> RejectedRecord:
    """The quarantine record of a stretch of the archive that held no readable WARC record,
    with the target address its broken header names, if any (secrets stripped)."""
    target = _TARGET.search(head)
    url = f" (WARC-Target-URI {redact_url(target[1].decode('utf-8', 'replace'))})" if target else ""
    if after == 0 and resumed is None:
        return RejectedRecord(name, "bad_archive", f"no WARC record in it: {problem}{url}")
    until = f"the next record at byte {resumed:,}" if resumed is not None else "the end of the file"
    return RejectedRecord(f"{name}#{number}", "bad_archive", f"{problem} after record {after}{url}; skipped to {until}")


def _numbered(name: str, stream: BinaryIO) -> Iterator[tuple[int, WarcRecord | RejectedRecord]]:
    """The archive's records numbered from 1. A stretch of bytes that holds no readable record
    (a header that does not parse or lacks its length, a gzip member that does not inflate) is
    one quarantined ``bad_archive`` record, and reading goes on at the next record: the next gzip
    member of a ``.warc.gz`` (each record is its own), the next ``WARC/1.`` line of a plain WARC."""
    gzipped = _is_gzip(stream)
    number = 0
    at = stream.tell()  # where the current reader began
    last: tuple[int, int] | None = None  # where the current reader's last record began, its block's length
    junk: tuple[str, int, bytes] | None = None  # what broke, the record number before it, its first bytes
    while True:
        try:
            for record in ArchiveIterator(stream, parse_http=False):
                if not (record.headers.get("Content-Length") or "").strip().isdigit():  # missing when cut short
                    problem, bad = "WARC header without a valid Content-Length", record.stream_pos
                    head_at = bad
                    break
                if junk is not None:
                    number += 1
                    yield number, _junk(name, number, *junk, resumed=record.stream_pos)
                    junk = None
                number += 1
                last = record.stream_pos, record.content_length  # parsing its HTTP header changes the length
                yield number, record
            else:
                break
        except OSError as exc:  # fastwarc's "Invalid WARC header", a gzip member that does not inflate
            problem = str(exc)
            # a gzip member's end is only known by inflating it again: the next magic bytes after
            # its start are tried (one inside its compressed data fails to read, and is passed)
            bad = at if last is None else last[0] if gzipped else _end_of(stream, *last)
            head_at = None if gzipped and last is not None else bad  # None: the member after the last one read
        resumed = _next_start(stream, gzipped, bad + 1)
        if junk is None:
            head = _head(stream, gzipped, resumed, None) if head_at is None else _head(stream, gzipped, head_at, resumed)
            junk = (problem, number, head)
        if resumed is None:
            break
        stream.seek(resumed)
        at, last = resumed, None
    if junk is not None:
        number += 1
        yield number, _junk(name, number, *junk, resumed=None)


def _target(record: WarcRecord) -> str | None:
    """The record's ``WARC-Target-URI`` without its secrets."""
    return redact_url(record.headers.get("WARC-Target-URI") or "") or None


def _refused(where: str, reason: str, detail: str, url: str | None) -> RejectedRecord:
    return RejectedRecord(where, reason, f"{detail} ({url})" if url else detail)


def _page(where: str, record: WarcRecord, when: dt.datetime | None, max_body: int) -> RawRecord | RejectedRecord:
    """The HTML response ``record`` as a raw record, its body decoded (at most ``max_body``
    bytes), or its refusal with the reason and its target address."""
    url = _target(record)
    try:
        raw = record.reader.read(max_body + 1)
        if len(raw) > max_body:
            raise RejectedInput("too_large", f"HTTP body over {max_body:,} bytes")
        if len(raw) < record.content_length:
            raise RejectedInput("bad_archive", f"body cut short: {len(raw):,} of {record.content_length:,} bytes")
        headers = record.http_headers
        body = decoded_body(
            raw,
            transfer_encoding=headers.get("Transfer-Encoding"),
            content_encoding=headers.get("Content-Encoding"),
            cap=max_body,
            limit="CLAIMFLOW_MAX_RECORD_BYTES",
        )
    except RejectedInput as exc:
        return _refused(where, exc.reason, exc.detail, url)
    except OSError as exc:  # a gzip member that breaks inside the body
        return _refused(where, "bad_archive", str(exc), url)
    return RawRecord(
        name=where,
        payload=body,
        content_type=record.http_headers.get("Content-Type"),
        url=url,
        fetched_at=when.isoformat(timespec="seconds") if when else None,
    )


def warc_records(name: str, stream: BinaryIO, day: str | None, *, max_body: int) -> Iterator[RawRecord | RejectedRecord]:
    """The HTML responses of the archive ``name`` crawled on ``day`` (every day when None), each
    as ``<name>#<record number>`` with its HTTP body (at most ``max_body`` bytes, decoded),
    Content-Type, target address (secrets stripped) and crawl time; and the refusals of the
    responses and the stretches of the archive that could not be read. ``stream`` must seek
    (a file, a downloaded object, a fetched archive's bytes): reading resumes after a bad stretch."""
    skipped: Counter[str] = Counter()
    pages = refused = 0
    for number, record in _numbered(name, stream):
        if isinstance(record, RejectedRecord):
            refused += 1
            yield record
            continue
        where = f"{name}#{number}"
        when = crawl_time(record)
        try:
            reason = _skip_reason(record, when, day)
        except OSError as exc:  # an HTTP header that does not parse
            refused += 1
            yield _refused(where, "bad_archive", f"HTTP header: {exc}", _target(record))
            continue
        if reason is not None:
            skipped[reason] += 1
            continue
        pages += 1
        yield _page(where, record, when, max_body)
    if not pages and not skipped and not refused:
        yield RejectedRecord(name, "bad_archive", "no WARC record in it")
    log.info(
        "read warc name=%s records=%d html=%d unreadable=%d skipped=%s",
        name,
        pages + refused + sum(skipped.values()),
        pages,
        refused,
        ",".join(f"{key}:{count}" for key, count in sorted(skipped.items())) or "none",
    )
