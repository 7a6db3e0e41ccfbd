"""Where every file of a day lives in the lake: one place for all object keys.

Published tables use Hive-style date partitions (``claims/dt=2026-11-26/part-00000.parquet``)
that DuckDB, Athena, Trino and Spark read as they are; work in progress lives under
``_staging/`` and is only trusted once ``publish`` has written the day's manifest.
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
    return f"{table}/dt={check_day(day)}/"


def part_file(table: str, day: str, index: int) -> str:
    return f"{partition(table, day)}part-{index:05d}.parquet"


def quarantine_partition(table: str, day: str) -> str:
    return f"quarantine/{partition(table, day)}"


def quality_prefix(day: str) -> str:
    return f"quality/dt={check_day(day)}/"


def manifest(day: str) -> str:
    return f"_manifests/dt={check_day(day)}/_manifest.json"


def raw_archive(day: str) -> str:
    """The normalized articles of a day, archived before any processing."""
    return f"raw/dt={check_day(day)}/articles.jsonl.gz"


def staging(day: str, run_id: str) -> str:
    return f"_staging/dt={check_day(day)}/{run_key(run_id)}/"


def staged_shard(day: str, run_id: str, kind: str, index: int) -> str:
    """Shard ``index`` of ``kind`` ("articles" in, "extracted" out) for one run."""
    return f"{staging(day, run_id)}{kind}/shard-{index:05d}.jsonl.gz"


def shard_as(key: str, kind: str) -> str:
    """The key of the same shard in another kind: an articles shard's extraction and back."""
    folder, name = key.rsplit("/", 1)
    return f"{folder.rsplit('/', 1)[0]}/{kind}/{name}"
