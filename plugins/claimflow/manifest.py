"""The day manifest: the one record of what a run published, written last by ``publish``.

It names the run, the code and model that produced the day, the quality verdict and accounting,
and the Delta version of every table the run committed, so a reader who wants exactly one run's
day reads each table at its recorded version (time travel). Every reader (the CLI, the UI, the
volume check) goes through :func:`read_manifest`; the key comes from ``layout``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from typing import Any

from claimflow import layout
from claimflow.exceptions import ManifestError
from claimflow.storage import ObjectStore
from claimflow.storage.records import put_json


@dataclass(frozen=True)
class TableVersion:
    """One Delta table's share of the day: its rows for the day and the version that committed them."""

    rows: int
    version: int


@dataclass(frozen=True)
class Model:
    """The spaCy pipeline that extracted the day."""

    name: str
    version: str | None


@dataclass(frozen=True)
class Accounting:
    """Every ingested input is published or quarantined: ``ingested == published + quarantined``."""

    ingested: int
    published: int
    quarantined: int


@dataclass(frozen=True)
class Quality:
    """The day's data-quality verdict, with the keys of its results and HTML report."""

    passed: bool
    results: str
    report: str
    statistics: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # per table, counts by name


@dataclass(frozen=True)
class Manifest:
    """What one run published for one day.

    ``tables`` is keyed by ``layout.TABLES`` (``"claims"``), ``quarantine`` by
    ``layout.QUARANTINE_TABLES`` (``"inputs"``, whose Delta table is ``quarantine/inputs``).
    """

    day: str
    run_id: str
    published_at: str
    code_version: str
    model: Model
    lake: str
    tables: Mapping[str, TableVersion]
    quarantine: Mapping[str, TableVersion]
    accounting: Accounting
    quality: Quality
    raw_archive: str  # key of the run's raw archive under raw/dt=<day>/
    # the entity registry's rows for the day and its version (None in manifests written before it existed)
    registry: TableVersion | None = None
    # key of the day report (``layout.day_report``); None when writing it failed, or before it existed
    day_report: str | None = None

    def entries(self) -> dict[str, TableVersion]:
        """Every table's share of the day, keyed by its ``layout.DELTA_TABLES`` name."""
        return {
            **self.tables,
            **({layout.REGISTRY: self.registry} if self.registry else {}),
            **{f"quarantine/{table}": tv for table, tv in self.quarantine.items()},
        }

    def versions(self) -> dict[str, int]:
        """The committed Delta version of every table, keyed by its ``layout.DELTA_TABLES`` name."""
        return {table: tv.version for table, tv in self.entries().items()}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # asdict copies Mappings of dataclasses into plain dicts

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        """A manifest from its JSON form, every field checked against its type and bounds; raises
        ManifestError naming the day and what is wrong."""
        day = data.get("day") if isinstance(data, dict) else None
        day = day if isinstance(day, str) and len(day) <= MAX_TEXT else "?"
        try:
            top = _object(data, "manifest", _FIELDS)
            model = _object(top["model"], "model", ("name",))
            quality = _object(top["quality"], "quality", ("passed", "results", "report", "statistics"))
            return cls(
                day=layout.check_day(_text(top, "day")),
                run_id=_text(top, "run_id"),
                published_at=_timestamp(top, "published_at"),
                code_version=_text(top, "code_version"),
                model=Model(name=_text(model, "name"), version=_text(model, "version", optional=True)),
                lake=_text(top, "lake"),
                tables=_versions(top, "tables", layout.TABLES),
                quarantine=_versions(top, "quarantine", layout.QUARANTINE_TABLES),
                accounting=Accounting(**_counts(top, "accounting", ("ingested", "published", "quarantined"))),
                quality=Quality(
                    passed=_typed(quality, "passed", bool),
                    results=_text(quality, "results"),
                    report=_text(quality, "report"),
                    statistics=_statistics(quality),
                ),
                raw_archive=_text(top, "raw_archive"),
                registry=_version(top, "registry") if top.get("registry") is not None else None,
                day_report=_text(top, "day_report", optional=True),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ManifestError(day, _reason(error)) from error


# The schema's bounds: a manifest is a few KB; anything past these is not one of ours.
MAX_MANIFEST_BYTES = 256 << 10  # read no further (a manifest is about 2 KB): the UI reads up to 1,000 per page
MAX_DEPTH = 8  # nesting of objects and lists (a manifest needs 4)
MAX_DIGITS = 19  # an integer literal's digits, checked before Python converts it (2**63 has 19)
MAX_TEXT = 4096  # characters of any string (keys of the lake, run ids, versions)
MAX_STATISTICS = 64  # entries of quality.statistics and of each of its tables
MAX_COUNT = 2**63  # rows, versions and counts are in 0 <= n < 2**63 (Delta's and Parquet's int64)
MAX_REASON = 300  # characters of a refusal's reason: it may quote what the manifest holds
_FIELDS = ("day", "run_id", "published_at", "code_version", "model", "lake", "tables", "quarantine", "accounting",
           "quality", "raw_archive")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?')  # a JSON string, escapes included; unterminated: to the end
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}


def _reason(error: Exception) -> str:
    """The error's class and message, cut short: a refused value may be as long as the manifest."""
    reason = f"{type(error).__name__}: {error}"
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON] + " …"


def _object(data: Any, name: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """``data`` as a JSON object holding every one of ``fields`` (more is allowed: a newer
    writer may add some)."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object for {name}, got {type(data).__name__}")
    if missing := [f for f in fields if f not in data]:
        raise KeyError(f"{name} has no {', '.join(missing)}")
    return data


def _typed(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {name!r} to be {kind.__name__}, got {type(value).__name__}")
    return value


def _text(data: dict[str, Any], name: str, *, optional: bool = False) -> Any:
    """A string field of at most MAX_TEXT characters without control characters; None only where optional."""
    if optional and data.get(name) is None:
        return None
    value = _typed(data, name, str)
    if len(value) > MAX_TEXT or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"expected {name!r} to be a line of at most {MAX_TEXT} characters, got {len(value)} characters")
    return value


def _timestamp(data: dict[str, Any], name: str) -> str:
    value = _text(data, name)
    dt.datetime.fromisoformat(value)  # a ValueError names the value
    return value


def _count(data: dict[str, Any], name: str) -> int:
    value = _typed(data, name, int)
    if not 0 <= value < MAX_COUNT:
        raise ValueError(f"expected {name!r} in 0 <= n < 2**63, got {value}")
    return value


def _counts(data: dict[str, Any], name: str, fields: tuple[str, ...]) -> dict[str, int]:
    counts = _object(data[name], name, fields)
    return {f: _count(counts, f) for f in fields}


def _versions(data: dict[str, Any], name: str, expected: tuple[str, ...]) -> dict[str, TableVersion]:
    tables = _typed(data, name, dict)
    if sorted(tables) != sorted(expected):
        raise ValueError(f"expected {name} {sorted(expected)}, got {sorted(tables)[:len(expected) + 1]}")
    return {t: _version(tables, t) for t in expected}


def _version(data: dict[str, Any], name: str) -> TableVersion:
    return TableVersion(**_counts(data, name, ("rows", "version")))


def _statistics(quality: dict[str, Any]) -> dict[str, dict[str, int]]:
    """``quality.statistics``: per table, counts by name (``quality.day.DayOutcome.statistics``)."""
    tables = _typed(quality, "statistics", dict)
    if len(tables) > MAX_STATISTICS or any(len(_typed(tables, t, dict)) > MAX_STATISTICS for t in tables):
        raise ValueError(f"expected at most {MAX_STATISTICS} statistics per level")
    return {_line(table): {_line(name): _count(counts, name) for name in counts} for table, counts in tables.items()}


def _line(key: str) -> str:
    return _text({"key": key}, "key")


def _depth(text: str) -> int:
    """The deepest nesting of objects and lists in a JSON text, found without parsing it (the
    parser recurses once per level and would raise RecursionError past a thousand): strings
    removed, then the running count of the brackets left."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_STEPS.__getitem__, brackets)), default=0)


def _bounded_int(literal: str) -> int:
    """A JSON integer, refused before conversion when longer than any count can be (a
    5,000-digit one would cost quadratic time, and Python refuses past 4,300 digits)."""
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer of {len(literal.lstrip('-')):,} digits")
    return int(literal)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a manifest holds")


def parse_manifest(raw: bytes, day: str) -> Manifest:
    """The manifest of ``day`` in ``raw``, checked before, while and after parsing: its size, its
    nesting and its integers' digits, then every field's type and bounds; ManifestError names
    the day and the first thing wrong."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(day, f"{len(raw):,} bytes, more than {MAX_MANIFEST_BYTES:,}")
    try:
        text = raw.decode("utf-8")
        if (depth := _depth(text)) > MAX_DEPTH:
            raise ManifestError(day, f"nested deeper than {MAX_DEPTH} levels (at least {depth})")
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, RecursionError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise ManifestError(day, f"not JSON: {_reason(error)}") from error
    try:
        manifest = Manifest.from_dict(data)
    except ManifestError as error:  # name the day asked for, whatever the file claims
        raise ManifestError(day, error.reason) from error
    if manifest.day != day:
        raise ManifestError(day, f"it describes {manifest.day}")
    return manifest


def read_manifest(store: ObjectStore, day: str, *, size: int | None = None) -> Manifest | None:
    """The day's manifest; None when the day has none (not published), ManifestError when it
    is there but unreadable or outside the schema.

    A manifest larger than MAX_MANIFEST_BYTES is refused from its size, before it is read:
    ``size`` where the caller listed the manifest already (the UI), else from a listing of its key.
    """
    key = layout.manifest(day)
    if size is None:
        sizes = [info.size for info in store.list(key) if info.key == key]
        if not sizes:
            return None
        size = sizes[0]
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(day, f"{size:,} bytes, more than {MAX_MANIFEST_BYTES:,}")
    try:
        raw = store.get_bytes(key)
    except FileNotFoundError:  # removed since the listing: a rerun is replacing the day
        return None
    return parse_manifest(raw, day)


def write_manifest(store: ObjectStore, manifest: Manifest) -> str:
    """Write the day's manifest (the last step of a publish); returns its key."""
    key = layout.manifest(manifest.day)
    put_json(store, key, manifest.to_dict())
    return key
