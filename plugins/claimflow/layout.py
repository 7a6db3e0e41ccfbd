"""Where every file of a day lives in the lake: one place for all object keys.

Published tables are Delta Lake tables (``claims/``, ``quarantine/inputs/``...) partitioned by
``dt``, which delta-rs lays out Hive-style (``claims/dt=2026-11-26/part-...parquet``); work in
progress lives under ``_staging/`` and is only trusted once ``publish`` has committed it and
written the day's manifest.
"""

from __future__ import annotations

import datetime as dt
import re

TABLES = ("articles", "entities", "mentions", "claims")
QUARANTINE_TABLES = ("inputs", *TABLES)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_day(day: str) -> str:
    """``day`` if it is a real ISO date, else a ValueError that shows the expected form."""
    try:
        if _DAY.match(day):
            dt.date.fromisoformat(day)
            return day
    except ValueError:
        pass
    raise ValueError(f"expected a day like 2026-11-26, got {day!r}")


def run_key(run_id: str) -> str:
    """A run id made safe for object keys (Airflow's contain ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("_") or "run"


def delta_table(table: str) -> str:
    """The folder of a published Delta table: ``claims`` or, for quarantine, ``quarantine/claims``
    (``table`` is one of TABLES or ``quarantine/<one of QUARANTINE_TABLES>``)."""
    name = table.removeprefix("quarantine/")
    if name not in (QUARANTINE_TABLES if table.startswith("quarantine/") else TABLES):
        raise ValueError(f"expected one of {TABLES} or quarantine/{{{', '.join(QUARANTINE_TABLES)}}}, got {table!r}")
    return table


DELTA_TABLES = (*TABLES, *(f"quarantine/{t}" for t in QUARANTINE_TABLES))


def partition(table: str, day: str) -> str:
    """The folder of a day inside a Delta table (``table`` as in DELTA_TABLES); delta-rs names the
    files, and only the table's log says which of them are live."""
    return f"{delta_table(table)}/dt={check_day(day)}/"


def quality_prefix(day: str) -> str:
    return f"quality/dt={check_day(day)}/"


def manifest(day: str) -> str:
    return f"_manifests/dt={check_day(day)}/_manifest.json"


def raw_archive(day: str, run_id: str) -> str:
    """The normalized articles of a day as one run read them, archived when that run publishes
    (a key per run, so a run that does not publish never touches the archive a manifest names)."""
    return f"raw/dt={check_day(day)}/run={run_key(run_id)}/articles.jsonl.gz"


def publish_lease(day: str) -> str:
    """The folder of a day's publish leases, one numbered object per holder in turn."""
    return f"_leases/dt={check_day(day)}/publish/"


STAGING = "_staging/"


def staging(day: str, run_id: str) -> str:
    return f"{STAGING}dt={check_day(day)}/{run_key(run_id)}/"


def staged_raw_archive(day: str, run_id: str) -> str:
    """Where ingest archives the day's articles until publish commits them to raw_archive."""
    return f"{staging(day, run_id)}raw/articles.jsonl.gz"


def staged_shard(day: str, run_id: str, kind: str, index: int) -> str:
    """Shard ``index`` of ``kind`` ("articles" in, "extracted" out) for one run."""
    return f"{staging(day, run_id)}{kind}/shard-{index:05d}.jsonl.gz"


def shard_as(key: str, kind: str) -> str:
    """The key of the same shard in another kind: an articles shard's extraction and back."""
    folder, name = key.rsplit("/", 1)
    return f"{folder.rsplit('/', 1)[0]}/{kind}/{name}"
