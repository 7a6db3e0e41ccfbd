"""Web archives (WARC 1.0/1.1, plain or gzip: the Internet Archive's and CC-NEWS' format) read
as a stream, record by record, so memory does not grow with the file.

The inputs an archive holds are its HTML responses: HTTP 200 with Content-Type ``text/html`` or
``application/xhtml+xml``, crawled on the run's day. The day is the ``WARC-Date`` (the crawl time,
UTC), not the story's own publication date, which only the page itself tells. Everything else is
skipped and counted by kind in one log line per archive, never quarantined: requests, revisits,
metadata and warcinfo records, responses of other media (PDF, images, scripts) or statuses
(redirects, errors), records of other days. A crawl holds far more of them than pages, none was
ever a news article, and quarantining them would bury the real refusals. An HTML response is
quarantined when its body is over the cap (``too_large``) or cut short by the end of the file
(``bad_archive``); so is the archive itself when it holds no WARC record or a header that does
not parse (``bad_archive``: the records before it stay read).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from claimflow.exceptions import RejectedInput
from claimflow.ingest.html import HTML_TYPES
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.redact import redact_url

log = logging.getLogger(__name__)


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
    the HTTP headers of a response as a side effect."""
    if record.record_type != WarcRecordType.response:
        return str(record.record_type)
    if day is not None and (when is None or when.date().isoformat() != day):
        return "other_day" if when else "undated"
    if not (record.headers.get("Content-Type") or "").startswith("application/http"):
        return "not_http"
    record.parse_http(auto_decode="all")
    status = record.http_headers.status_code
    if status != 200:
        return f"http_{status}"
    media = (record.http_content_type or "").lower()
    return None if media in HTML_TYPES else (media or "no_content_type")


def _numbered(name: str, records: ArchiveIterator) -> Iterator[tuple[int, WarcRecord]]:
    """The archive's records numbered from 1; a header that does not parse or lacks its length
    ends the archive as ``bad_archive`` (the records before it stay read)."""
    number = 0
    while True:
        try:
            record = next(records, None)
        except OSError as exc:  # fastwarc's "Invalid WARC header"
            raise RejectedInput("bad_archive", f"{name}: {exc} after record {number}") from exc
        if record is None:
            return
        number += 1
        if "Content-Length" not in record.headers:  # mandatory; missing when the header was cut short
            raise RejectedInput("bad_archive", f"{name}: record {number} has no Content-Length header")
        yield number, record


def warc_records(name: str, stream: BinaryIO, day: str | None, *, max_body: int) -> Iterator[RawRecord | RejectedRecord]:
    """The HTML responses of the archive ``name`` crawled on ``day`` (every day when None), each
    as ``<name>#<record number>`` with its HTTP body (at most ``max_body`` bytes), Content-Type,
    target address (secrets stripped) and crawl time."""
    skipped: Counter[str] = Counter()
    pages = 0
    for number, record in _numbered(name, ArchiveIterator(stream, parse_http=False)):
        where = f"{name}#{number}"
        when = crawl_time(record)
        reason = _skip_reason(record, when, day)
        if reason is not None:
            skipped[reason] += 1
            continue
        pages += 1
        body = record.reader.read(max_body + 1)
        encoded = record.http_headers.get("Content-Encoding") or record.http_headers.get("Transfer-Encoding")
        if len(body) > max_body:
            yield RejectedRecord(where, "too_large", f"HTTP body over {max_body:,} bytes")
        elif not encoded and len(body) < record.content_length:
            yield RejectedRecord(where, "bad_archive", f"body cut short: {len(body):,} of {record.content_length:,} bytes")
        else:
            yield RawRecord(
                name=where,
                payload=body,
                content_type=record.http_headers.get("Content-Type"),
                url=redact_url(record.headers.get("WARC-Target-URI") or "") or None,
                fetched_at=when.isoformat(timespec="seconds") if when else None,
            )
    if not pages and not skipped:
        yield RejectedRecord(name, "bad_archive", "no WARC record in it")
    log.info(
        "read warc name=%s records=%d html=%d skipped=%s",
        name,
        pages + sum(skipped.values()),
        pages,
        ",".join(f"{key}:{count}" for key, count in sorted(skipped.items())) or "none",
    )
