"""Load the users' expectation suites and quality policy from ``include/gx/``.

The suites are plain GX 1.x ExpectationSuite JSON (name + expectations with type, kwargs, meta);
every expectation carries ``meta.name``, the stable name the policy refers to and the
quarantine reason of a record-level failure. ``policy.json`` says which expectation is
critical (the day fails) and which is record-level (the offending rows are quarantined), and
how the volume floor is computed. Mistakes in these files are refused with a message naming
the file and the expectation, instead of GX's habit of logging and dropping a bad entry.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimflow.layout import TABLES

LEVELS = ("critical", "record")
# Checks that need the whole day: a shard skips them and the day-level check (quality.day) does them.
DAY_LEVEL_CHECKS = {"articles": frozenset({"volume"})}
POLICY_FILE = "policy.json"


class SuiteConfigError(ValueError):
    """A suite or the policy file under ``include/gx/`` is malformed or inconsistent."""


@dataclass(frozen=True)
class Check:
    """One expectation of a suite as the user wrote it, with its policy level."""

    name: str  # meta.name: unique in its suite, the quarantine reason when record-level
    level: str  # one of LEVELS
    config: dict[str, Any]  # the GX expectation JSON (type, kwargs, meta, description)

    @property
    def description(self) -> str:
        return self.config.get("description") or self.config["type"]

    @property
    def column(self) -> str | None:
        return self.config.get("kwargs", {}).get("column")


@dataclass(frozen=True)
class Suite:
    """A table's checks in file order, plus the columns its schema check requires."""

    table: str
    checks: tuple[Check, ...]
    required_columns: frozenset[str]

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def without(self, names: frozenset[str]) -> Suite:
        """This suite minus the checks named ``names`` (a shard's suite has no day-level checks)."""
        return Suite(self.table, tuple(c for c in self.checks if c.name not in names), self.required_columns)


@dataclass(frozen=True)
class VolumeRule:
    """How many articles a day must have: a fixed floor and a share of the recent median."""

    min_articles: int = 1
    share_of_median: float = 0.5
    window_days: int = 7
    min_history_days: int = 3

    def floor(self, history: list[int] | None) -> int:
        """The minimum article count for today given earlier days' counts (oldest first)."""
        recent = list(history or [])[-self.window_days :]
        if len(recent) < self.min_history_days:
            return self.min_articles
        return max(self.min_articles, math.ceil(self.share_of_median * statistics.median(recent)))


@dataclass(frozen=True)
class QualityConfig:
    """Everything validation reads from the suites folder."""

    suites: dict[str, Suite]
    volume: VolumeRule


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteConfigError(f"{path}: missing; expected one file per table {TABLES} and {POLICY_FILE}") from None
    except json.JSONDecodeError as exc:
        raise SuiteConfigError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SuiteConfigError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _load_suite(path: Path, table: str, levels: dict[str, str]) -> Suite:
    data = _read_json(path)
    expectations = data.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteConfigError(f"{path}: expected a non-empty 'expectations' list")
    checks: list[Check] = []
    for i, exp in enumerate(expectations):
        name = (exp.get("meta") or {}).get("name") if isinstance(exp, dict) else None
        if not name or not isinstance(exp.get("type"), str) or not isinstance(exp.get("kwargs"), dict):
            raise SuiteConfigError(
                f"{path}: expectation #{i} needs type, kwargs and meta.name, e.g. "
                '{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "text"}, '
                '"meta": {"name": "text_missing"}}'
            )
        if name in levels:
            checks.append(Check(name=name, level=levels[name], config=exp))
        else:
            raise SuiteConfigError(f"{path}: expectation {name!r} has no level in {POLICY_FILE} levels.{table}")
    names = [c.name for c in checks]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise SuiteConfigError(f"{path}: meta.name must be unique, repeated: {dupes}")
    if extra := sorted(set(levels) - set(names)):
        raise SuiteConfigError(f"{POLICY_FILE} levels.{table} names expectations not in {path.name}: {extra}")
    required = frozenset(
        col
        for c in checks
        if c.config["type"] == "expect_table_columns_to_match_set"
        for col in c.config["kwargs"].get("column_set", [])
    )
    return Suite(table=table, checks=tuple(checks), required_columns=required)


def load_config(suites_dir: Path) -> QualityConfig:
    """Read and cross-check ``<table>.json`` and ``policy.json`` under ``suites_dir``.

    Raises:
        SuiteConfigError: a file is missing or malformed, or the policy and suites disagree.
    """
    policy = _read_json(suites_dir / POLICY_FILE)
    all_levels = policy.get("levels") or {}
    suites: dict[str, Suite] = {}
    for table in TABLES:
        levels = all_levels.get(table) or {}
        if bad := {n: lv for n, lv in levels.items() if lv not in LEVELS}:
            raise SuiteConfigError(f"{POLICY_FILE} levels.{table}: levels must be one of {LEVELS}, got {bad}")
        suites[table] = _load_suite(suites_dir / f"{table}.json", table, levels)
    try:
        volume = VolumeRule(**(policy.get("volume") or {}))
    except TypeError as exc:
        raise SuiteConfigError(
            f"{POLICY_FILE} volume: {exc}; expected e.g. "
            '{"min_articles": 1, "share_of_median": 0.5, "window_days": 7, "min_history_days": 3}'
        ) from None
    return QualityConfig(suites=suites, volume=volume)
