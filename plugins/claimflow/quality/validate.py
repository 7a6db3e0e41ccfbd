"""Validate a shard of a day's tables with Great Expectations: split good rows, quarantine, batch failures.

A shard holds whole articles with all their rows; the checks that need the whole day run once,
from every shard's counts, in :mod:`claimflow.quality.day`. Record-level failures move the
offending rows to quarantine (reason = the expectation's ``meta.name``) and the rest goes on; a
quarantined article drags its entities, mentions and claims along with reason ``orphan``.
Critical failures (schema, ids, ...) end up in ``failures``: the day must not be published.
Every input row is either good or quarantined, exactly once. GX is imported on first use, never
at module import, so DAG parsing stays cheap.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from claimflow.layout import TABLES, check_day
from claimflow.models import MAX_ARTICLE_CHARS
from claimflow.quality.derived import Parents, add_derived
from claimflow.quality.report import CheckOutcome, TableOutcome, render_report
from claimflow.quality.suites import DAY_LEVEL_CHECKS, Check, Suite, SuiteConfigError, load_config
from claimflow.tables import ID_COLUMNS, QUARANTINE_COLUMNS

ORPHAN = "orphan"
RESULT_FORMAT = {"result_format": "COMPLETE", "exclude_unexpected_values": True}


@dataclass
class QualityOutcome:
    """A validated day: the rows that passed, the quarantined ones with reasons, the verdict."""

    good: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS, one row per quarantined input row
    failures: list[str]  # batch-level failures; empty when the day may be published
    results: dict[str, Any]  # GX results (JSON) per table, plus "parameters" and per-table "statistics"
    report_html: str
    tables: list[TableOutcome]  # per table: rows in and out, each check, quarantine reasons

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class _Verdict:
    """One table's rows (positional index) and, per quarantined position, its reason and detail."""

    table: str
    frame: pd.DataFrame
    quarantined: dict[int, tuple[str, str]] = field(default_factory=dict)
    checks: list[CheckOutcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    def quarantine(self, positions: Iterable[int], reason: str, detail: Callable[[int], str]) -> None:
        """Quarantine the rows at ``positions`` not already quarantined; ``detail`` says why, per row."""
        for pos in positions:
            if pos not in self.quarantined:
                self.quarantined[pos] = (reason, detail(pos))

    def orphan(self, positions: Iterable[int], detail: Callable[[int], str]) -> None:
        """Quarantine rows whose parent was quarantined; the parent's fault outranks their own."""
        for pos in positions:
            if self.quarantined.get(pos, ("",))[0] != ORPHAN:
                self.quarantined[pos] = (ORPHAN, detail(pos))

    def outcome(self) -> TableOutcome:
        reasons = Counter(reason for reason, _ in self.quarantined.values())
        return TableOutcome(self.table, len(self.frame), len(self.frame) - len(self.quarantined), self.checks, reasons)


@functools.cache
def _batch_definitions() -> dict[str, Any]:
    """One ephemeral GX context per process, with a whole-dataframe batch definition per table."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("claimflow")
    return {t: source.add_dataframe_asset(t).add_batch_definition_whole_dataframe("day") for t in TABLES}


def _gx_suite(suite: Suite) -> Any:
    """The GX ExpectationSuite of ``suite``, refusing what GX would log and silently drop."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for check in suite.checks:
        try:
            expectation = ExpectationConfiguration(**check.config).to_domain_obj()
        except Exception as exc:  # GX raises many types (pydantic, KeyError, its own) for bad configs
            raise SuiteConfigError(f"{suite.table}.json: expectation {check.name!r} is invalid: {exc}") from exc
        if check.level == "record" and not isinstance(
            expectation, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation
        ):
            raise SuiteConfigError(
                f"policy.json levels.{suite.table}.{check.name}: {check.config['type']} checks the whole "
                "table, so it cannot quarantine rows; make it critical"
            )
        expectations.append(expectation)
    return gx.ExpectationSuite(name=suite.table, expectations=expectations)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _row_detail(frame: pd.DataFrame, check: Check, pos: int) -> str:
    """Why a row failed ``check``: what the check wants and, for a real column, what the row has."""
    column = check.column
    if column is None or column.startswith("dq_"):
        return check.description
    return f"{check.description} Got {column}={_shown(frame.at[pos, column])}."


def _batch_failure(frame: pd.DataFrame, table: str, check: Check, result: Any) -> str:
    """The line for ``failures``: which rows (a few ids) or which observed value broke ``check``."""
    bad = result.result.get("unexpected_index_list") or []
    if bad:
        id_column = ID_COLUMNS[table]
        examples = ", ".join(_shown(frame.at[pos, id_column]) for pos in bad[:3])
        found = f"{len(bad)} of {len(frame)} rows fail, e.g. {id_column} {examples}"
    else:
        limits = {k: v for k, v in result.expectation_config.kwargs.items() if k != "batch_id"}
        found = f"observed {_shown(result.result.get('observed_value'))} with {limits}"
    return f"{table}.{check.name} failed: {found}. Expected: {check.description}"


def _run_suite(verdict: _Verdict, frame: pd.DataFrame, suite: Suite, parameters: dict[str, Any]) -> None:
    """Validate ``frame`` (the table plus its dq_ columns) and record what each expectation found."""
    batch = _batch_definitions()[verdict.table].get_batch(batch_parameters={"dataframe": frame})
    results = batch.validate(_gx_suite(suite), result_format=RESULT_FORMAT, expectation_parameters=parameters)
    verdict.result = results.to_json_dict()
    by_name = {r.expectation_config.meta["name"]: r for r in results.results}
    for check in suite.checks:  # file order, so a row's reason is the first check it fails
        result = by_name[check.name]
        if (result.exception_info or {}).get("raised_exception"):
            message = str(result.exception_info.get("exception_message", "")).splitlines()[0]
            verdict.checks.append(CheckOutcome(check.name, check.level, check.description, False, None, message))
            verdict.failures.append(f"{verdict.table}.{check.name} could not be evaluated: {message}")
            continue
        observed = _shown(result.result["observed_value"]) if "observed_value" in result.result else ""
        count = result.result.get("unexpected_count")
        verdict.checks.append(CheckOutcome(check.name, check.level, check.description, result.success, count, observed))
        if result.success:
            continue
        if check.level == "record":
            bad = [int(pos) for pos in result.result["unexpected_index_list"]]
            verdict.quarantine(bad, check.name, functools.partial(_row_detail, frame, check))
        else:
            verdict.failures.append(_batch_failure(frame, verdict.table, check, result))


def _validate_table(table: str, frame: pd.DataFrame, suite: Suite, parents: Parents, parameters: dict) -> _Verdict:
    frame = frame.reset_index(drop=True)
    missing = sorted(suite.required_columns - set(frame.columns))
    if missing and frame.empty:  # a day without claims may come as a frame without columns
        frame = frame.reindex(columns=[*frame.columns, *missing])
        missing = []
    verdict = _Verdict(table, frame)
    if missing:
        detail = f"{table} is missing columns {missing}"
        verdict.failures.append(f"{table}.columns: {detail}; its rows cannot be checked")
        verdict.quarantine(range(len(frame)), "schema", lambda _: detail)
        verdict.result = {"success": False, "missing_columns": missing}
        return verdict
    _run_suite(verdict, add_derived(table, frame, parents), suite, parameters)
    return verdict


def _cascade(child: _Verdict, parent: _Verdict, columns: tuple[str, ...]) -> None:
    """Quarantine ``child`` rows whose ``columns`` name a quarantined ``parent`` row (by the same
    columns: an entity is its (article_id, entity_id), since entity ids repeat across articles)."""
    if not set(columns) <= set(parent.frame.columns) or not set(columns) <= set(child.frame.columns):
        return  # a broken schema: that table's rows are all quarantined already
    keys = list(zip(*(parent.frame[c] for c in columns), strict=True))
    dropped = {keys[pos]: reason for pos, (reason, _) in parent.quarantined.items()}
    values = list(zip(*(child.frame[c] for c in columns), strict=True))
    hits = [pos for pos, value in enumerate(values) if value in dropped]

    def detail(pos: int) -> str:
        named = ", ".join(f"{c}={v}" for c, v in zip(columns, values[pos], strict=True))
        return f"{named} was quarantined ({dropped[values[pos]]})"

    child.orphan(hits, detail)


def _quarantine_rows(verdict: _Verdict, day: str) -> pd.DataFrame:
    positions = sorted(verdict.quarantined)
    frame = verdict.frame.iloc[positions]
    records = frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso").split("\n")
    id_column = ID_COLUMNS[verdict.table]
    return pd.DataFrame(
        {
            "table": verdict.table,
            "record_id": frame[id_column].tolist() if id_column in frame else None,
            "article_id": frame["article_id"].tolist() if "article_id" in frame else None,
            "reason": [verdict.quarantined[p][0] for p in positions],
            "detail": [verdict.quarantined[p][1] for p in positions],
            "record": records[: len(positions)],
            "dt": day,
        },
        columns=list(QUARANTINE_COLUMNS),
    )


def _check_inputs(tables: dict[str, pd.DataFrame], day: str) -> None:
    check_day(day)
    if missing := [t for t in TABLES if t not in tables]:
        raise ValueError(f"expected tables {list(TABLES)}, missing {missing}")
    if wrong := {t: type(tables[t]).__name__ for t in TABLES if not isinstance(tables[t], pd.DataFrame)}:
        raise ValueError(f"expected pandas DataFrames, got {wrong}")


def validate_shard(tables: dict[str, pd.DataFrame], *, day: str, suites_dir: Path) -> QualityOutcome:
    """Validate one shard of a day (whole articles with all their rows) against the suites in
    ``suites_dir``, minus the checks that need the whole day (``DAY_LEVEL_CHECKS``: the volume),
    which ``claimflow.quality.day`` does once from every shard's counts.

    Args:
        tables: the shard's tables by name (``articles``, ``entities``, ``mentions``, ``claims``).
        day: the run's day, ``YYYY-MM-DD``; every row's ``dt`` must equal it.
        suites_dir: the folder with ``<table>.json`` suites and ``policy.json`` (``include/gx``).

    Returns:
        The outcome; stage ``good`` and ``quarantine``; ``failures`` fail the day.

    Raises:
        ValueError: ``tables`` or ``day`` is not what is expected.
        SuiteConfigError: the suites or the policy are malformed.
    """
    config = load_config(Path(suites_dir))
    suites = {t: s.without(DAY_LEVEL_CHECKS.get(t, frozenset())) for t, s in config.suites.items()}
    return _validate(tables, day, suites, {})


def _validate(
    tables: dict[str, pd.DataFrame], day: str, suites: dict[str, Suite], parameters: dict[str, Any]
) -> QualityOutcome:
    _check_inputs(tables, day)
    parameters = {"run_day": [day], "max_article_chars": MAX_ARTICLE_CHARS, **parameters}
    parents = Parents.of(day, tables["articles"], tables["entities"])
    verdicts = {t: _validate_table(t, tables[t], suites[t], parents, parameters) for t in TABLES}
    for child in ("entities", "mentions", "claims"):
        _cascade(verdicts[child], verdicts["articles"], ("article_id",))
    _cascade(verdicts["mentions"], verdicts["entities"], ("article_id", "entity_id"))

    failures = [f for v in verdicts.values() for f in v.failures]
    quarantine = pd.concat([_quarantine_rows(v, day) for v in verdicts.values()], ignore_index=True)
    good = {t: v.frame.drop(index=list(v.quarantined)).reset_index(drop=True) for t, v in verdicts.items()}
    outcomes = [v.outcome() for v in verdicts.values()]
    results = {t: v.result for t, v in verdicts.items()} | {
        "parameters": parameters,
        "statistics": {o.table: o.statistics() for o in outcomes},
    }
    report = render_report(day, outcomes, failures)
    return QualityOutcome(
        good=good, quarantine=quarantine, failures=failures, results=results, report_html=report, tables=outcomes
    )
