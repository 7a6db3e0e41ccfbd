"""Each suite passes a good day and fails a crafted bad one per expectation; the books balance."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from synthetic import DAY, SUITES_DIR, make_tables

from claimflow.quality import QualityOutcome, SuiteConfigError, validate_day
from claimflow.quality.suites import ID_COLUMNS, TABLES, load_config

Tables = dict[str, pd.DataFrame]
Mutation = Callable[[Tables], None]
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


def cell(table: str, column: str, value: object, row: int = 0) -> Mutation:
    """Set one cell (any value, lists included) of ``table``."""

    def mutate(tables: Tables) -> None:
        values = tables[table][column].tolist()
        values[row] = value
        tables[table][column] = pd.Series(values, index=tables[table].index, dtype=object)

    return mutate


def copy_cells(table: str, columns: list[str], src: int = 0, dst: int = 1) -> Mutation:
    """Copy row ``src``'s ``columns`` onto row ``dst``."""

    def mutate(tables: Tables) -> None:
        for column in columns:
            cell(table, column, tables[table].at[src, column], dst)(tables)

    return mutate


def drop_column(table: str, column: str) -> Mutation:
    def mutate(tables: Tables) -> None:
        tables[table] = tables[table].drop(columns=[column])

    return mutate


def empty_day(tables: Tables) -> None:
    for table in TABLES:
        tables[table] = tables[table].iloc[0:0]


def append_to_text(suffix: str) -> Mutation:
    """Append to article 0's text, keeping its spans valid and its hash honest."""

    def mutate(tables: Tables) -> None:
        text = tables["articles"].at[0, "text"] + suffix
        cell("articles", "text", text)(tables)
        cell("articles", "content_sha256", "f" * 64)(tables)

    return mutate


def content_text(text: str) -> Mutation:
    """Claim 0's only content span gets ``text`` (its content_text follows, so only the span is wrong)."""

    def mutate(tables: Tables) -> None:
        span = dict(tables["claims"].at[0, "content"][0], text=text)
        cell("claims", "content", [span])(tables)
        cell("claims", "content_text", text)(tables)

    return mutate


def case(table: str, name: str, mutate: Mutation, row: int = 0) -> object:
    """Breaking ``mutate`` fails expectation ``name`` of ``table`` (and quarantines ``row``)."""
    return pytest.param(table, name, mutate, row, id=f"{table}.{name}")


# one case per expectation of every suite
CASES = [
    case("articles", "columns", drop_column("articles", "language")),
    case("articles", "volume", empty_day),
    case("articles", "article_id_present", cell("articles", "article_id", None)),
    case("articles", "article_id_unique", copy_cells("articles", ["article_id"])),
    case("articles", "article_id_format", cell("articles", "article_id", "NOT-HEX")),
    case("articles", "dt_is_run_day", cell("articles", "dt", "2026-11-26")),
    case("articles", "content_sha256_format", cell("articles", "content_sha256", "abc")),
    case("articles", "text_missing", cell("articles", "text", None)),
    case("articles", "blank", cell("articles", "text", " \n\t ")),
    case("articles", "too_large", append_to_text(" " * 2_000_001)),
    case("articles", "control_chars", append_to_text("\x00\x07")),
    case("articles", "language", cell("articles", "language", "es")),
    # article 1's path sorts after article 0's, so article 1 is the copy that goes
    case("articles", "duplicate", copy_cells("articles", ["text", "content_sha256"], src=0, dst=1), 1),
    case("articles", "published_unparseable", cell("articles", "published", "last Tuesday")),
    case("articles", "published_in_future", cell("articles", "published", "2026-11-29T00:00:00Z")),
    case("entities", "columns", drop_column("entities", "label")),
    case("entities", "entity_id_present", cell("entities", "entity_id", None)),
    case("entities", "entity_id_unique", copy_cells("entities", ["entity_id"])),
    case("entities", "dt_is_run_day", cell("entities", "dt", "2026-11-28")),
    case("entities", "unknown_article", cell("entities", "article_id", "f" * 16)),
    case("entities", "name_blank", cell("entities", "name", "  ")),
    case("entities", "label_unknown", cell("entities", "label", "PERSONA")),
    case("entities", "n_mentions", cell("entities", "n_mentions", 0)),
    case("mentions", "columns", drop_column("mentions", "end")),
    case("mentions", "mention_id_present", cell("mentions", "mention_id", None)),
    case("mentions", "mention_id_unique", copy_cells("mentions", ["mention_id"])),
    case("mentions", "dt_is_run_day", cell("mentions", "dt", "2026-11-28")),
    case("mentions", "unknown_article", cell("mentions", "article_id", "f" * 16)),
    case("mentions", "unknown_entity", cell("mentions", "entity_id", "no-such-entity")),
    case("mentions", "span_out_of_range", cell("mentions", "end", 10**6)),
    case("mentions", "span_text_mismatch", cell("mentions", "text", "Someone Else")),
    case("mentions", "label_unknown", cell("mentions", "label", "person")),
    case("claims", "columns", drop_column("claims", "content")),
    case("claims", "claim_id_present", cell("claims", "claim_id", None)),
    case("claims", "claim_id_unique", copy_cells("claims", ["claim_id"])),
    case("claims", "dt_is_run_day", cell("claims", "dt", "2026-11-28")),
    case("claims", "unknown_article", cell("claims", "article_id", "f" * 16)),
    case("claims", "sentence_negative", cell("claims", "sentence", -1)),
    case("claims", "cue_out_of_range", cell("claims", "cue_start", -3)),
    case("claims", "cue_text_mismatch", cell("claims", "cue_text", "told")),
    case("claims", "source_out_of_range", cell("claims", "source_end", None)),
    case("claims", "source_text_mismatch", cell("claims", "source_text", "Nobody")),
    case("claims", "content_out_of_range", cell("claims", "content", [])),
    case("claims", "content_text_mismatch", content_text("something never said")),
    case("claims", "content_text_not_joined", cell("claims", "content_text", "a … b")),
    case("claims", "source_kind_unknown", cell("claims", "source_kind", "officials")),
    case("claims", "quote_type_unknown", cell("claims", "quote_type", "paraphrase")),
    case("claims", "stance_unknown", cell("claims", "stance", "angry")),
    case("claims", "confidence_out_of_range", cell("claims", "confidence", 1.5)),
]


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
        "expectations": 15,
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
    with pytest.raises(ValueError, match="expected day as YYYY-MM-DD"):
        validate_day(make_tables(1), day="27/11/2026", suites_dir=SUITES_DIR)


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, claimflow.quality; assert 'great_expectations' not in sys.modules"
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(plugins)})
