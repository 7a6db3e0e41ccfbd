"""A day's verdict from its shards' results: the day-level checks, once, without the rows.

Each extract task validates its shard with the suites (``validate_shard``) and leaves a
:class:`ShardResult`: counts, each check's outcome, failures, its article ids and the files it
staged. What needs the whole day is checked here from those results alone: the volume (all
shards' articles against the recent median, policy.json ``volume``), article ids unique across
shards, and the accounting (ingested = published + quarantined).

Only article ids are compared across shards: mention and claim ids are derived from their
article's id (``models.stable_id(article_id, ...)``) and an entity row is keyed by (entity_id,
article_id) (the entity id is the canonical entity's, shared by articles); each shard keeps only
children of its own articles (``unknown_article``) and checks those keys unique within itself, so
unique article ids make every key unique across shards. Article ids are content-addressed
(``ingest.articles.article_id``), so the same text in two shards is a repeated id as well.

Memory does not grow with the day: shards are added one at a time and the article ids go to
a temporary SQLite file, whose page cache is bounded (``ID_CACHE_KIB``).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from claimflow.layout import TABLES
from claimflow.quality.report import CheckOutcome, TableOutcome, render_report
from claimflow.quality.suites import DAY_LEVEL_CHECKS, Check, QualityConfig

ID_CACHE_KIB = 8 * 1024  # SQLite page cache of the article-id index
EXAMPLES = 3  # repeated ids named in a failure


@dataclass(frozen=True)
class ShardResult:
    """What one shard's validation found and staged; small, whatever the shard's text."""

    shard: str  # the shard's name, e.g. "shard-00003"
    outcomes: list[TableOutcome]  # per table: rows in and out, each check, quarantine reasons
    failures: list[str]  # critical failures of this shard
    article_ids: list[str]  # every input article id of the shard, quarantined ones included
    staged_tables: list[dict[str, Any]] = field(default_factory=list)  # {"table", "key", "rows", "bytes", "sha256"}
    staged_quarantine: list[dict[str, Any]] = field(default_factory=list)  # the same, per quarantine table
    results: str | None = None  # key of the shard's full GX results

    def to_dict(self) -> dict[str, Any]:
        return {
            "shard": self.shard,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "failures": self.failures,
            "article_ids": self.article_ids,
            "staged_tables": self.staged_tables,
            "staged_quarantine": self.staged_quarantine,
            "results": self.results,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShardResult:
        return cls(
            shard=data["shard"],
            outcomes=[TableOutcome.from_dict(o) for o in data["outcomes"]],
            failures=list(data["failures"]),
            article_ids=list(data["article_ids"]),
            staged_tables=list(data["staged_tables"]),
            staged_quarantine=list(data["staged_quarantine"]),
            results=data.get("results"),
        )

    def outcome(self, table: str) -> TableOutcome:
        return next(o for o in self.outcomes if o.table == table)


@dataclass(frozen=True)
class Accounting:
    """Every ingested record is published or quarantined, exactly once."""

    ingested: int  # input records ingest read (articles and refused inputs)
    published: int  # good articles of all shards
    quarantined: int  # refused inputs plus quarantined articles of all shards

    @property
    def balanced(self) -> bool:
        return self.ingested == self.published + self.quarantined

    def to_dict(self) -> dict[str, int]:
        return {"ingested": self.ingested, "published": self.published, "quarantined": self.quarantined}


@dataclass(frozen=True)
class DayOutcome:
    """The day's verdict: merged table outcomes, every failure (shard and day level), accounting."""

    day: str
    tables: list[TableOutcome]
    failures: list[str]
    accounting: Accounting
    parameters: dict[str, Any]
    shards: int

    @property
    def passed(self) -> bool:
        return not self.failures

    def statistics(self) -> dict[str, dict[str, int]]:
        return {t.table: t.statistics() for t in self.tables}

    def results(self) -> dict[str, Any]:
        """What ``validation.json`` holds: verdict, parameters, counts and each merged check."""
        return {
            "passed": self.passed,
            "failures": self.failures,
            "parameters": self.parameters,
            "statistics": self.statistics(),
            "accounting": self.accounting.to_dict(),
            "shards": self.shards,
            "checks": {t.table: [c.to_dict() for c in t.checks] for t in self.tables},
        }

    def report_html(self) -> str:
        a = self.accounting
        notes = [
            f"Rows validated in {self.shards} shards; volume, article ids across shards and accounting "
            "checked once for the day.",
            f"Accounting: ingested {a.ingested}, published {a.published}, quarantined {a.quarantined}"
            + (" (balanced)." if a.balanced else " (DOES NOT BALANCE)."),
        ]
        return render_report(self.day, self.tables, self.failures, notes=notes)


class _ArticleIds:
    """Article ids of every shard in a temporary SQLite table, to find ids in several shards."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.executescript(
            f"PRAGMA cache_size=-{ID_CACHE_KIB}; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
            "PRAGMA temp_store=FILE; CREATE TABLE ids (id TEXT NOT NULL, shard TEXT NOT NULL);"
        )

    def add(self, shard: str, ids: Iterable[str]) -> None:
        self._db.executemany("INSERT INTO ids VALUES (?, ?)", ((str(i), shard) for i in ids))

    def repeated(self) -> tuple[int, list[tuple[str, str]]]:
        """How many ids appear in more than one shard, and a few of them with their shards."""
        query = "SELECT id, group_concat(DISTINCT shard) FROM ids GROUP BY id HAVING count(DISTINCT shard) > 1"
        (count,) = self._db.execute(f"SELECT count(*) FROM ({query})").fetchone()
        examples = self._db.execute(f"{query} ORDER BY id LIMIT {EXAMPLES}").fetchall() if count else []
        return count, examples

    def close(self) -> None:
        self._db.close()


def _merge(merged: CheckOutcome | None, check: CheckOutcome, shard: str) -> CheckOutcome:
    """One check over several shards: passes when it passed everywhere; failing rows add up;
    the observed value is the first failing shard's."""
    if merged is None:
        observed = check.observed if check.success or not check.observed else f"{shard}: {check.observed}"
        return CheckOutcome(check.name, check.level, check.description, check.success, check.unexpected, observed)
    counts = [n for n in (merged.unexpected, check.unexpected) if n is not None]
    observed = merged.observed
    if merged.success and not check.success and check.observed:
        observed = f"{shard}: {check.observed}"
    return CheckOutcome(
        merged.name, merged.level, merged.description, merged.success and check.success,
        sum(counts) if counts else None, observed,
    )


def _bound(value: Any, parameters: dict[str, Any]) -> Any:
    """A kwarg of the suite, with ``{"$PARAMETER": name}`` replaced by the run's parameter."""
    return parameters[value["$PARAMETER"]] if isinstance(value, dict) and "$PARAMETER" in value else value


class DayCheck:
    """Adds up a day's shard results one at a time; ``finish`` gives the day's outcome.

    Use as a context manager: it owns a temporary folder for the article-id index.
    """

    def __init__(self, day: str, config: QualityConfig, history: list[int] | None = None) -> None:
        self.day = day
        self.config = config
        self.parameters = {"run_day": [day], "min_articles": config.volume.floor(history)}
        self._tmp = tempfile.TemporaryDirectory(prefix="claimflow-day-")
        self._ids = _ArticleIds(Path(self._tmp.name) / "article_ids.sqlite")
        self._rows: dict[str, Counter[str]] = {t: Counter() for t in TABLES}
        self._reasons: dict[str, Counter[str]] = {t: Counter() for t in TABLES}
        self._checks: dict[str, dict[str, CheckOutcome]] = {t: {} for t in TABLES}
        self._failures: list[str] = []
        self.shards = 0

    def __enter__(self) -> DayCheck:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._ids.close()
        self._tmp.cleanup()

    def add(self, result: ShardResult) -> None:
        """Count one shard in: its rows, checks, reasons, failures (named by shard) and ids."""
        self.shards += 1
        for outcome in result.outcomes:
            self._rows[outcome.table].update({"in": outcome.rows_in, "good": outcome.rows_good})
            self._reasons[outcome.table].update(outcome.reasons)
            checks = self._checks[outcome.table]
            for check in outcome.checks:
                checks[check.name] = _merge(checks.get(check.name), check, result.shard)
        self._failures.extend(f"{result.shard}: {failure}" for failure in result.failures)
        self._ids.add(result.shard, result.article_ids)

    def finish(self, *, ingested: int, inputs_quarantined: int) -> DayOutcome:
        """The day's outcome once every shard is added; ``ingested`` records were read, of which
        ``inputs_quarantined`` were refused before becoming articles."""
        day_failures: list[str] = []
        tables = [self._table(table, day_failures) for table in TABLES]
        articles = next(t for t in tables if t.table == "articles")
        accounting = Accounting(ingested, articles.rows_good, inputs_quarantined + articles.rows_quarantined)
        if not accounting.balanced:
            day_failures.append(
                f"accounting does not balance: ingested {accounting.ingested} != published "
                f"{accounting.published} + quarantined {accounting.quarantined}"
            )
        return DayOutcome(
            self.day, tables, self._failures + day_failures, accounting, self.parameters, self.shards
        )

    def _table(self, table: str, failures: list[str]) -> TableOutcome:
        """The merged outcome of ``table``: its checks in suite order, the day-level ones done here
        (their failures appended to ``failures``; the shards' own are already named by shard)."""
        checks = []
        for check in self.config.suites[table].checks:
            merged = self._checks[table].get(check.name)
            if check.name in DAY_LEVEL_CHECKS.get(table, frozenset()):
                merged = self._volume(check)
                if not merged.success:
                    failures.append(f"{table}.{check.name} failed: observed {merged.observed}. Expected: {check.description}")
            if table == "articles" and check.name == "article_id_unique":
                merged = self._ids_across_shards(check, merged, failures)
            if merged is not None:  # None: no shard ran it (a day without articles has no shards)
                checks.append(merged)
        rows = self._rows[table]
        return TableOutcome(table, rows["in"], rows["good"], checks, self._reasons[table])

    def _volume(self, check: Check) -> CheckOutcome:
        """The row-count check of the articles suite over all shards' input articles."""
        kwargs = check.config.get("kwargs", {})
        low, high = (_bound(kwargs.get(k), self.parameters) for k in ("min_value", "max_value"))
        count = self._rows["articles"]["in"]
        ok = (low is None or count >= low) and (high is None or count <= high)
        wanted = " and ".join(f"{word} {bound}" for word, bound in (("at least", low), ("at most", high)) if bound is not None)
        observed = f"{count} articles" + ("" if ok else f", expected {wanted}")
        return CheckOutcome(check.name, check.level, check.description, ok, None, observed)

    def _ids_across_shards(
        self, check: Check, merged: CheckOutcome | None, failures: list[str]
    ) -> CheckOutcome | None:
        """``merged`` (the shards' own uniqueness) failed too when an id is in several shards."""
        count, examples = self._ids.repeated()
        if not count:
            return merged
        shown = ", ".join(f"{article_id} ({shards})" for article_id, shards in examples)
        observed = f"{count} article ids in more than one shard, e.g. {shown}"
        failures.append(f"articles.{check.name} failed across shards: {observed}. Expected: {check.description}")
        unexpected = (merged.unexpected or 0) + count if merged else count
        return CheckOutcome(check.name, check.level, check.description, False, unexpected, observed)
