"""Each suite passes a good day and fails a crafted bad one per expectation; the books balance."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from synthetic import CASES, DAY, SUITES_DIR, Mutation, Tables, cell, copy_cells, drop_column, make_tables, validate_day

from claimflow.layout import TABLES
from claimflow.quality import QualityOutcome, SuiteConfigError
from claimflow.quality.suites import load_config
from claimflow.tables import ID_COLUMNS

CONFIG = load_config(SUITES_DIR)


def validate(tables: Tables, **kwargs) -> QualityOutcome:
    outcome = validate_day(tables, day=DAY, suites_dir=SUITES_DIR, **kwargs)
    assert_balanced(outcome, tables)
    return outcome


def assert_balanced(outcome: QualityOutcome, tables: Tables) -> None:
    """The accounting invariant: every input row is good or quarantined, exactly once."""
    for table, frame in tables.items():
        quarantined = outcome.quarantine[outcome.quarantine["table"] == table]
        assert len(outcome.good[table]) + len(quarantined) == len(frame), table
        assert not set(outcome.good[table][ID_COLUMNS[table]].dropna()) & set(quarantined["record_id"].dropna())


def test_every_expectation_has_a_bad_case() -> None:
    """No expectation is vacuous: each one of every suite is broken by a case below."""
    expected = {(t, c.name) for t, suite in CONFIG.suites.items() for c in suite.checks}
    assert {tuple(c.values[:2]) for c in CASES} == expected


def test_good_day_passes() -> None:
    tables = make_tables(4)
    outcome = validate(tables)
    assert outcome.passed, outcome.failures
    assert outcome.quarantine.empty
    for table in TABLES:
        pd.testing.assert_frame_equal(outcome.good[table], tables[table])


@pytest.mark.parametrize(("table", "name", "mutate", "row"), CASES)
def test_bad_table_fails_its_expectation(table: str, name: str, mutate: Mutation, row: int) -> None:
    tables = make_tables(3)
    mutate(tables)
    outcome = validate(tables)
    if CONFIG.suites[table].check(name).level == "critical":
        assert not outcome.passed
        assert any(f.startswith(f"{table}.{name}") for f in outcome.failures), outcome.failures
        return
    assert outcome.passed, outcome.failures
    own = outcome.quarantine[outcome.quarantine["table"] == table]
    target = tables[table].at[row, ID_COLUMNS[table]]
    assert own[["record_id", "reason"]].values.tolist() == [[target, name]]
    assert len(outcome.good[table]) == len(tables[table]) - 1
    if table == "articles":  # the quarantined article drags its children along, the others stay
        children = outcome.quarantine[outcome.quarantine["table"] != "articles"]
        assert set(children["reason"]) == {"orphan"}
        assert set(children["article_id"]) == {target}
        assert all(target not in set(outcome.good[t]["article_id"]) for t in TABLES)


def test_tables_read_back_from_parquet_pass(tmp_path: Path) -> None:
    """Parquet turns lists into arrays and nullable ints into floats; the checks must not care."""
    tables = make_tables(3)
    for table, frame in tables.items():
        frame.to_parquet(tmp_path / f"{table}.parquet")
    loaded = {t: pd.read_parquet(tmp_path / f"{t}.parquet") for t in TABLES}
    cell("claims", "cue_text", "told", row=1)(loaded)
    outcome = validate(loaded)
    assert outcome.passed, outcome.failures
    assert outcome.quarantine[["record_id", "reason"]].values.tolist() == [
        [loaded["claims"].at[1, "claim_id"], "cue_text_mismatch"]
    ]
    assert json.loads(outcome.quarantine.at[0, "record"])["content"][0]["text"].startswith("that ")


def test_duplicate_keeps_the_copy_first_by_path_whatever_the_input_order() -> None:
    tables = make_tables(3)
    copy_cells("articles", ["text", "content_sha256"], src=2, dst=0)(tables)
    tables["articles"] = tables["articles"].iloc[::-1]
    outcome = validate(tables)
    dropped = outcome.quarantine.query("table == 'articles'")["record_id"].tolist()
    assert dropped == [tables["articles"].at[2, "article_id"]]


def test_record_keeps_the_whole_row_and_names_the_article() -> None:
    tables = make_tables(2)
    cell("articles", "language", "fr", row=1)(tables)
    outcome = validate(tables)
    row = outcome.quarantine.query("table == 'articles'").iloc[0]
    record = json.loads(row["record"])
    assert record == json.loads(tables["articles"].iloc[[1]].to_json(orient="records"))[0]
    assert row["article_id"] == record["article_id"] and row["dt"] == DAY
    assert "language='fr'" in row["detail"]
    orphan = outcome.quarantine.query("table == 'claims'").iloc[0]
    assert orphan["reason"] == "orphan" and record["article_id"] in orphan["detail"]


def test_quarantined_entity_drags_its_mentions() -> None:
    tables = make_tables(2)
    cell("entities", "label", "NOPE")(tables)
    outcome = validate(tables)
    entity_id = tables["entities"].at[0, "entity_id"]
    mentions = outcome.quarantine.query("table == 'mentions'")
    expected = tables["mentions"].loc[tables["mentions"]["entity_id"] == entity_id, "mention_id"].tolist()
    assert sorted(mentions["record_id"]) == sorted(expected) and set(mentions["reason"]) == {"orphan"}


@pytest.mark.parametrize(
    ("history", "passed"),
    [
        pytest.param([100] * 7, False, id="sudden drop vs last week fails"),
        pytest.param([4, 5, 6], True, id="3 articles vs median 5 passes"),
        pytest.param([100], True, id="too little history: only the floor counts"),
        pytest.param(None, True, id="no history"),
    ],
)
def test_volume_against_history(history: list[int] | None, passed: bool) -> None:
    outcome = validate(make_tables(3), history=history)
    assert outcome.passed is passed
    assert passed or outcome.failures[0].startswith("articles.volume failed: observed 3")


def test_zero_articles_fails_even_with_no_claims_columns() -> None:
    tables = {t: pd.DataFrame() for t in TABLES}
    outcome = validate(tables)
    assert [f.split(" ")[0] for f in outcome.failures] == ["articles.volume"]


def test_mixed_bad_day_balances_and_reports() -> None:
    tables = make_tables(6)
    for mutate in (
        cell("articles", "language", "de", row=2),
        cell("mentions", "text", "x", row=3),
        cell("claims", "stance", "loud", row=4),
        cell("entities", "dt", "2026-01-01", row=5),
    ):
        mutate(tables)
    outcome = validate(tables)
    assert outcome.failures == [f for f in outcome.failures if f.startswith("entities.dt_is_run_day")]
    json.dumps(outcome.results)
    assert set(TABLES) <= set(outcome.results)
    assert outcome.results["statistics"]["articles"] == {
        "rows": 6,
        "good": 5,
        "quarantined": 1,
        "expectations": 16,
        "failed_expectations": 1,
    }
    for text in (*TABLES, "language", "span_text_mismatch", "stance_unknown", "orphan", "FAILED"):
        assert text in outcome.report_html


def test_schema_break_quarantines_the_table() -> None:
    tables = make_tables(2)
    drop_column("claims", "cue_text")(tables)
    outcome = validate(tables)
    claims = outcome.quarantine.query("table == 'claims'")
    assert len(claims) == len(tables["claims"]) and set(claims["reason"]) == {"schema"}
    assert "cue_text" in outcome.failures[0]


def _suites_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gx"
    shutil.copytree(SUITES_DIR, folder)
    return folder


def _edit_policy(folder: Path, table: str, name: str, level: str | None) -> None:
    policy = json.loads((folder / "policy.json").read_text())
    if level is None:
        del policy["levels"][table][name]
    else:
        policy["levels"][table][name] = level
    (folder / "policy.json").write_text(json.dumps(policy))


@pytest.mark.parametrize(
    ("table", "name", "level", "match"),
    [
        pytest.param("claims", "stance_unknown", None, "has no level", id="expectation without a level"),
        pytest.param("claims", "no_such_check", "record", "not in claims.json", id="level for a missing expectation"),
        pytest.param("articles", "language", "fatal", "must be one of", id="unknown level"),
        pytest.param("articles", "volume", "record", "cannot quarantine rows", id="record level on a table check"),
    ],
)
def test_policy_mistakes_are_refused(tmp_path: Path, table: str, name: str, level: str | None, match: str) -> None:
    folder = _suites_copy(tmp_path)
    _edit_policy(folder, table, name, level)
    with pytest.raises(SuiteConfigError, match=match):
        validate_day(make_tables(1), day=DAY, suites_dir=folder)


def test_invalid_expectation_is_refused_not_dropped(tmp_path: Path) -> None:
    folder = _suites_copy(tmp_path)
    suite = json.loads((folder / "entities.json").read_text())
    suite["expectations"][-1]["type"] = "expect_column_values_to_be_friendly"
    (folder / "entities.json").write_text(json.dumps(suite))
    with pytest.raises(SuiteConfigError, match="n_mentions"):
        validate_day(make_tables(1), day=DAY, suites_dir=folder)


def test_bad_day_argument_is_refused() -> None:
    with pytest.raises(ValueError, match="expected a day like 2026-11-26"):
        validate_day(make_tables(1), day="27/11/2026", suites_dir=SUITES_DIR)


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, claimflow.quality; assert 'great_expectations' not in sys.modules"
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(plugins)})
