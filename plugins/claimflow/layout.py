"""Where every file of a day lives in the lake: one place for all object keys.

Published tables are Delta Lake tables (``claims/``, ``quarantine/inputs/``...) partitioned by
``dt``, which delta-rs lays out Hive-style (``claims/dt=2026-11-26/part-...parquet``); work in
progress lives under ``_staging/`` and is only trusted once ``publish`` has committed it and
written the day's manifest. Every key is built here, and the readers (the UI, the staging
sweep, the publish lease) parse keys here too: file names are named constants shared by the
code that writes a file and the code that looks for it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

TABLES = ("articles", "entities", "mentions", "claims")  # parents first: validation's order too
QUARANTINE_TABLES = ("inputs", *TABLES)
# The entity registry: one row per entity id a day saw or decided on (canonical name, label,
# aliases, merges), written by publish from the day's resolved entities, not extracted per shard.
REGISTRY = "registry"

_DAY = r"\d{4}-\d{2}-\d{2}"
_RUN_KEY_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
_RUN_KEY_ESCAPE = "~"
# what run_key makes: safe characters and ~XX escapes, never a leading '.' (no "." or ".." folder)
_RUN_KEY = r"(?!\.)(?:[A-Za-z0-9._-]|~[0-9A-F]{2})+"


def check_day(day: str) -> str:
    """``day`` if it is a real ISO date, else a ValueError that shows the expected form."""
    try:
        if re.fullmatch(_DAY, day):
            dt.date.fromisoformat(day)
            return day
    except ValueError:
        pass
    raise ValueError(f"expected a day like 2026-11-26, got {day!r}")


def _is_day(day: str) -> bool:
    try:
        check_day(day)
    except ValueError:
        return False
    return True


class RunKey(str):
    """A run id already made into a run key (by :func:`run_key`, or parsed from a key): the key
    builders take a run id or a RunKey, and escape only the former."""


def run_key(run_id: str) -> RunKey:
    """A run id made safe for object keys, one to one: a byte outside ``A-Za-z0-9._-`` (Airflow's
    ':' and '+', '/', a space, '~' itself) and a leading '.' become ``~XX``, its hex in UTF-8, so two
    run ids never share a key and an ordinary id (``manual_1``, ``nightly-a``) is its own key.
    ``~`` rather than '%': delta-rs and URI helpers decode '%' escapes, '~' is unreserved in URIs."""
    if isinstance(run_id, RunKey):
        return run_id
    if not run_id:
        raise ValueError("expected a run id, got ''")
    return RunKey("".join(
        char if char in _RUN_KEY_SAFE and not (char == "." and index == 0)
        else "".join(f"{_RUN_KEY_ESCAPE}{byte:02X}" for byte in char.encode("utf-8"))
        for index, char in enumerate(run_id)
    ))


def check_run_key(run: str) -> RunKey:
    """``run`` if it can be a run key (what :func:`run_key` makes), else a ValueError that shows one."""
    if not re.fullmatch(_RUN_KEY, run):
        raise ValueError(f"expected a run key like {run_key('manual__2026-11-26T00:00:00+00:00')}, got {run!r}")
    return RunKey(run)


def delta_table(table: str) -> str:
    """The folder of a published Delta table: ``claims`` or, for quarantine, ``quarantine/claims``
    (``table`` is one of TABLES or ``quarantine/<one of QUARANTINE_TABLES>``)."""
    name = table.removeprefix("quarantine/")
    if name not in (QUARANTINE_TABLES if table.startswith("quarantine/") else (*TABLES, REGISTRY)):
        raise ValueError(f"expected one of {(*TABLES, REGISTRY)} or quarantine/{{{', '.join(QUARANTINE_TABLES)}}}, got {table!r}")
    return table


DELTA_TABLES = (*TABLES, REGISTRY, *(f"quarantine/{t}" for t in QUARANTINE_TABLES))


# Manifests: one per published day, written last by publish.

MANIFESTS = "_manifests/"
MANIFEST = "_manifest.json"
_MANIFEST_KEY = re.compile(f"^{MANIFESTS}dt=(?P<day>{_DAY})/{re.escape(MANIFEST)}$")


def manifest(day: str) -> str:
    """The manifest of a published day."""
    return f"{MANIFESTS}dt={check_day(day)}/{MANIFEST}"


def manifest_day(key: str) -> str | None:
    """The day a manifest key (as :func:`manifest` builds it) is for; None for any other key."""
    match = _MANIFEST_KEY.match(key)
    return match["day"] if match and _is_day(match["day"]) else None


DAY_REPORT = "day-report.html"  # the day's claims in one self-contained page, beside the manifest


def day_report(day: str, run_id: str) -> str:
    """The day report publish writes for a run (one key per run: a rerun that never publishes
    leaves the report the published manifest names untouched); ``run_id`` may be its RunKey."""
    return f"{MANIFESTS}dt={check_day(day)}/run={run_key(run_id)}/{DAY_REPORT}"


# Quality: one folder per validated run, kept whether the run published or failed.

QUALITY = "quality/"
VALIDATION = "validation.json"  # the day-level verdict and every check's result
REPORT = "report.html"
# A failed run keeps the rows it refused beside its report: the file's presence marks the run failed.
FAILED_QUARANTINE = "quarantine.jsonl.gz"
SHARD_RESULTS = "shards/"  # one GX result file per shard
QUALITY_FILES = (VALIDATION, REPORT, FAILED_QUARANTINE)
_QUALITY_FILE = re.compile(f"^{QUALITY}dt=(?P<day>{_DAY})/run=(?P<run>{_RUN_KEY})/(?P<name>[^/]+)$")


class QualityFile(NamedTuple):
    """A file directly in a run's quality folder: the day, the run key and the file's name."""

    day: str
    run: RunKey
    name: str


def quality_prefix(day: str) -> str:
    """The folder of every run's quality files for a day."""
    return f"{QUALITY}dt={check_day(day)}/"


def quality_run(day: str, run_id: str) -> str:
    """The folder of one run's quality files (report, validation.json, per-shard GX results);
    ``run_id`` may be the run id or its RunKey."""
    return f"{quality_prefix(day)}run={run_key(run_id)}/"


def quality_file(day: str, run_id: str, name: str) -> str:
    """A file of one run's quality folder; ``name`` is one of QUALITY_FILES."""
    if name not in QUALITY_FILES:
        raise ValueError(f"expected a quality file name in {QUALITY_FILES}, got {name!r}")
    return quality_run(day, run_id) + name


def quality_shard(day: str, run_id: str, shard: str) -> str:
    """The GX results of one shard (``shard-00003``) of a run."""
    return f"{quality_run(day, run_id)}{SHARD_RESULTS}{shard}.json"


def parse_quality_file(key: str) -> QualityFile | None:
    """The day, run key and name of a file directly in a run's quality folder; None for any
    other key (a shard's results, a stray object)."""
    match = _QUALITY_FILE.match(key)
    return QualityFile(match["day"], RunKey(match["run"]), match["name"]) if match and _is_day(match["day"]) else None


# The raw archive and the publish lease.

RAW = "raw/"
RAW_ARCHIVE = "articles.jsonl.gz"  # the archive's file name, staged and published alike
_RAW_ARCHIVE_KEY = re.compile(f"^{RAW}dt=(?P<day>{_DAY})/run={_RUN_KEY}/{re.escape(RAW_ARCHIVE)}$")


def raw_archive(day: str, run_id: str) -> str:
    """The normalized articles of a day as one run read them, archived when that run publishes
    (a key per run, so a run that does not publish never touches the archive a manifest names)."""
    return f"{RAW}dt={check_day(day)}/run={run_key(run_id)}/{RAW_ARCHIVE}"


def raw_archive_day(key: str) -> str | None:
    """The day of a raw archive key (as :func:`raw_archive` builds it); None for any other key."""
    match = _RAW_ARCHIVE_KEY.match(key)
    return match["day"] if match and _is_day(match["day"]) else None


LEASES = "_leases/"
_LEASE_HOLDER = re.compile(f"^{LEASES}(dt={_DAY}|lake)/publish/\\d{{10}}\\.json$")


def publish_lease(day: str) -> str:
    """The folder of a day's publish leases, one numbered object per holder in turn."""
    return f"{LEASES}dt={check_day(day)}/publish/"


def publish_lease_holder(day: str, generation: int) -> str:
    """The lease object of holder number ``generation``: zero-padded, so key order is number order."""
    return lease_holder(publish_lease(day), generation)


def lake_publish_lease() -> str:
    """The folder of the lake-wide publish lease: whoever holds it is the one run, of any day,
    that may commit to the tables, roll back torn days, or decide what is a duplicate."""
    return f"{LEASES}lake/publish/"


def lease_holder(folder: str, generation: int) -> str:
    """Holder number ``generation`` of the lease whose folder is ``folder`` (a day's or the lake's)."""
    return f"{folder}{generation:010d}.json"


def is_publish_lease_holder(key: str) -> bool:
    """Whether ``key`` (listed under a :func:`publish_lease` folder) is a holder's lease object."""
    return _LEASE_HOLDER.match(key) is not None


# A run's staging: everything between ingest and publish, removed when the run ends.

STAGING = "_staging/"
INGEST = "ingest.json"  # what ingest staged: the day, the run id, the input accounting
REJECTED = "rejected.jsonl.gz"  # the inputs ingest refused, with the reason
STAGED = "staged.json"  # what validate hands publish: every staged file, accounting, verdict
INPUTS_QUARANTINE = "ingest"  # the shard name of ingest's refusals in the quarantine/inputs table
_STAGED_SHARD = re.compile(
    f"^{STAGING}dt=(?P<day>{_DAY})/(?P<run>{_RUN_KEY})/articles/(?P<name>shard-\\d{{5}})\\.jsonl\\.gz$"
)


class StagedShard(NamedTuple):
    """A staged shard of articles as its key names it: the day, the run key and the shard's name."""

    day: str
    run: RunKey
    name: str  # e.g. "shard-00003"


def staging(day: str, run_id: str) -> str:
    """The folder of one run's staging; ``run_id`` may be the run id or its RunKey."""
    return f"{STAGING}dt={check_day(day)}/{run_key(run_id)}/"


def staging_run_of(key: str) -> str | None:
    """The run staging folder (``_staging/dt=D/<run>/``) holding ``key``; None for a key that is
    not inside one."""
    parts = key.split("/")
    if len(parts) < 4 or parts[0] + "/" != STAGING:
        return None
    return "/".join(parts[:3]) + "/"


def staged_file(day: str, run_id: str, name: str) -> str:
    """A file of the run's staging; ``name`` is INGEST, REJECTED or STAGED."""
    if name not in (INGEST, REJECTED, STAGED):
        raise ValueError(f"expected a staged file name in {(INGEST, REJECTED, STAGED)}, got {name!r}")
    return staging(day, run_id) + name


def staged_raw_archive(day: str, run_id: str) -> str:
    """Where ingest archives the day's articles until publish commits them to raw_archive."""
    return f"{staging(day, run_id)}raw/{RAW_ARCHIVE}"


def shard_name(index: int) -> str:
    """A shard's name, zero-padded so key order is shard order: ``shard-00003``."""
    return f"shard-{index:05d}"


def staged_shard(day: str, run_id: str, index: int) -> str:
    """Shard ``index`` of the articles ingest staged for one run."""
    return f"{staging(day, run_id)}articles/{shard_name(index)}.jsonl.gz"


def parse_staged_shard(key: str) -> StagedShard:
    """The day, run key and name of a staged articles shard, or a ValueError naming the key."""
    match = _STAGED_SHARD.match(key)
    if not match or not _is_day(match["day"]):
        raise ValueError(f"expected a staged shard key like {staged_shard('2026-11-26', 'manual', 3)}, got {key!r}")
    return StagedShard(match["day"], RunKey(match["run"]), match["name"])


def validated_shard(day: str, run_id: str, shard: str) -> str:
    """The result extract leaves for validate about one shard (``shard-00003``)."""
    return f"{staging(day, run_id)}validated/{shard}.json"


def staged_table(day: str, run_id: str, table: str, shard: str) -> str:
    """One shard's good rows of ``table`` (one of TABLES), staged for publish."""
    if table not in TABLES:
        raise ValueError(f"expected one of {TABLES}, got {table!r}")
    return f"{staging(day, run_id)}tables/{table}/{shard}.parquet"


def staged_quarantine(day: str, run_id: str, table: str, shard: str) -> str:
    """One shard's quarantined rows of ``table`` (one of QUARANTINE_TABLES), staged for publish;
    ingest's refusals are the ``inputs`` table's shard INPUTS_QUARANTINE."""
    if table not in QUARANTINE_TABLES:
        raise ValueError(f"expected one of {QUARANTINE_TABLES}, got {table!r}")
    return f"{staging(day, run_id)}quarantine/{table}/{shard}.parquet"


def staged_resolved(day: str, run_id: str, table: str, part: int) -> str:
    """A staged file of ``table`` (entities, mentions, claims or REGISTRY) with its entity ids
    resolved against the registry by publish; ``part`` numbers the day's staged files of the table."""
    if table not in (*TABLES, REGISTRY):
        raise ValueError(f"expected one of {(*TABLES, REGISTRY)}, got {table!r}")
    return f"{staging(day, run_id)}resolved/{table}/part-{part:05d}.parquet"
