"""The day manifest: the one record of what a run published, written last by ``publish``.

It names the run, the code and model that produced the day, the quality verdict and accounting,
and the Delta version of every table the run committed, so a reader who wants exactly one run's
day reads each table at its recorded version (time travel). Every reader (the CLI, the UI, the
volume check) goes through :func:`read_manifest`; the key comes from ``layout``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
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
    statistics: Mapping[str, Any] = field(default_factory=dict)


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
        """A manifest from its JSON form; raises ManifestError naming the day and what is wrong."""
        day = data.get("day", "?") if isinstance(data, dict) else "?"
        try:
            return cls(
                day=layout.check_day(_typed(data, "day", str)),
                run_id=_typed(data, "run_id", str),
                published_at=_typed(data, "published_at", str),
                code_version=_typed(data, "code_version", str),
                model=Model(name=_typed(data["model"], "name", str), version=data["model"].get("version")),
                lake=_typed(data, "lake", str),
                tables=_versions(data, "tables", layout.TABLES),
                quarantine=_versions(data, "quarantine", layout.QUARANTINE_TABLES),
                accounting=Accounting(**{k: _typed(data["accounting"], k, int) for k in ("ingested", "published", "quarantined")}),
                quality=Quality(
                    passed=_typed(data["quality"], "passed", bool),
                    results=_typed(data["quality"], "results", str),
                    report=_typed(data["quality"], "report", str),
                    statistics=_typed(data["quality"], "statistics", dict),
                ),
                raw_archive=_typed(data, "raw_archive", str),
                registry=_version(data["registry"]) if data.get("registry") is not None else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ManifestError(str(day), f"{type(error).__name__}: {error}") from error


def _typed(data: Any, name: str, kind: type) -> Any:
    if not isinstance(data, dict):
        raise TypeError(f"expected an object holding {name!r}, got {type(data).__name__}")
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {name!r} to be {kind.__name__}, got {type(value).__name__}")
    return value


def _versions(data: Any, name: str, expected: tuple[str, ...]) -> dict[str, TableVersion]:
    tables = _typed(data, name, dict)
    if sorted(tables) != sorted(expected):
        raise ValueError(f"expected {name} {sorted(expected)}, got {sorted(tables)}")
    return {t: _version(tables[t]) for t in expected}


def _version(entry: Any) -> TableVersion:
    return TableVersion(rows=_typed(entry, "rows", int), version=_typed(entry, "version", int))


def read_manifest(store: ObjectStore, day: str) -> Manifest | None:
    """The day's manifest; None when the day has none (not published), ManifestError when it
    is there but unreadable."""
    try:
        raw = store.get_bytes(layout.manifest(day))
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(day, f"not JSON: {error}") from error
    try:
        manifest = Manifest.from_dict(data)
    except ManifestError as error:  # name the day asked for, whatever the file claims
        raise ManifestError(day, error.reason) from error
    if manifest.day != day:
        raise ManifestError(day, f"it describes {manifest.day}")
    return manifest


def write_manifest(store: ObjectStore, manifest: Manifest) -> str:
    """Write the day's manifest (the last step of a publish); returns its key."""
    key = layout.manifest(manifest.day)
    put_json(store, key, manifest.to_dict())
    return key
