"""Finding a day's input files and splitting them into raw records.

A source is a file, a folder or an object-store prefix (``s3://bucket/news/``), local or
remote alike through :mod:`claimflow.storage`, or an ``http(s)://`` address of an RSS/Atom feed
or a web page, fetched politely (:mod:`claimflow.ingest.web`). It may hold date placeholders so date-partitioned archives read only the run's
day: ``archive/{yyyy}/{mm}/{dd}/`` or ``s3://b/news/dt={ds}/``. Of a feed, only the items
published on the run's day (or undated) are taken: the other days' runs take the others.
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
from claimflow.ingest.feeds import looks_like_feed, parse_feed
from claimflow.ingest.web import Fetcher
from claimflow.storage import open_store

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm", ".md")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson")
FEED_SUFFIXES = (".rss", ".atom", ".xml")
SUFFIXES = TEXT_SUFFIXES + RECORD_SUFFIXES + FEED_SUFFIXES


@dataclass(frozen=True)
class RawRecord:
    """One input article before decoding: raw bytes of a text file, or a parsed JSON record."""

    name: str  # file path or URI, with "#<line>" for a record of a JSON-lines file
    payload: bytes | None = None
    fields: dict[str, Any] = field(default_factory=dict)


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


def _feed_records(name: str, data: bytes, day: str | None) -> Iterator[RawRecord | RejectedRecord]:
    try:
        items = parse_feed(data)
    except ValueError as exc:
        yield RejectedRecord(name, "bad_feed", str(exc))
        return
    for number, item in enumerate(items, start=1):
        published = item.get("published")
        if day is None or published is None or published[:10] == day:
            yield RawRecord(name=f"{name}#{number}", fields=item)


def _gunzip(name: str, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise RejectedInput("bad_archive", f"{name}: {exc}") from exc


def split_records(name: str, data: bytes, day: str | None = None) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one input: one for a text file or web page, one per line or object for
    JSON, one per item of a feed (only the items of ``day``, when it is given)."""
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
    if lower.endswith(FEED_SUFFIXES) or (lower.startswith(("http://", "https://")) and looks_like_feed(data)):
        yield from _feed_records(name, data, day)
        return
    if lower.endswith(TEXT_SUFFIXES) or lower.startswith(("http://", "https://")):
        yield RawRecord(name=name, payload=data)
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
    sources: tuple[str, ...] | list[str], day: str, *, fetcher: Fetcher | None = None, **store_options: object
) -> Iterator[RawRecord | RejectedRecord]:
    """Every raw record of the day's sources, logging progress per source; web addresses go
    through ``fetcher`` (a polite default one when None)."""
    fetcher = fetcher or Fetcher()
    for source in sources:
        resolved = expand(source, day)
        count = 0
        if resolved.startswith(("http://", "https://")):
            try:
                inputs: Iterator[tuple[str, bytes]] = iter([(resolved, fetcher.fetch(resolved))])
            except RejectedInput as exc:
                yield RejectedRecord(resolved, exc.reason, exc.detail)
                continue
        else:
            inputs = list_inputs(resolved, **store_options)
        for name, data in inputs:
            for record in split_records(name, data, day):
                count += 1
                yield record
        log.info("read source source=%s records=%d", resolved, count)
