"""The records ingest reads inputs into, the refusals it quarantines, and the byte caps of one input.

A raw record is one article before decoding: a text file's bytes, a web page or archived response
with its HTTP details, or a JSON record's or feed item's fields. An input that cannot become one
is a rejected record with a machine-readable reason; :func:`rejected` names the reason of an
exception.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

from claimflow.config import Settings
from claimflow.exceptions import RejectedInput
from claimflow.redact import redact_url

log = logging.getLogger(__name__)


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
    """An input that could not even become a raw record (unparseable JSON, broken gzip); its
    name, an address for a web input, is redacted however it was made (it becomes a quarantine row)."""

    name: str
    reason: str
    detail: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", redact_url(self.name))


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
