"""A day validated shard by shard, then checked once, gives the whole-day verdict and rows."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from synthetic import CASES, DAY, SUITES_DIR, Mutation, Tables, cell, make_tables, validate_day

from claimflow.layout import TABLES
from claimflow.quality import validate_shard
from claimflow.quality.day import DayCheck, DayOutcome, ShardResult
from claimflow.quality.suites import load_config
from claimflow.tables import ID_COLUMNS

CONFIG = load_config(SUITES_DIR)
FAILED_CHECK = re.compile(r"^(?:shard-\d+: )?(\w+\.\w+)")


def split(tables: Tables, shards: list[list[int]]) -> list[Tables]:
    """``tables`` cut into shards of whole articles (by article position), children with their
    article; rows are placed by their position in an unbroken day, so a broken cell stays put."""
    template = make_tables(len(tables["articles"]) or 3)
    ids = template["articles"]["article_id"].tolist()
    parts = []
    for articles in shards:
        wanted = {ids[i] for i in articles}
        part = {}
        for table in TABLES:
            rows = [p for p, a in enumerate(template[table]["article_id"]) if a in wanted and p < len(tables[table])]
            part[table] = tables[table].iloc[rows].reset_index(drop=True)
        parts.append(part)
    return parts


def shard_result(name: str, tables: Tables) -> tuple[ShardResult, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Validate one shard; its result as the extract task stores it, its quarantine, its good rows."""
    outcome = validate_shard(tables, day=DAY, suites_dir=SUITES_DIR)
    ids = [str(a) for a in tables["articles"]["article_id"].dropna()] if "article_id" in tables["articles"] else []
    result = ShardResult.from_dict(ShardResult(name, outcome.tables, outcome.failures, ids).to_dict())  # as stored
    return result, outcome.quarantine, outcome.good


def check_day(results: list[ShardResult], *, ingested: int, history: list[int] | None = None) -> DayOutcome:
    with DayCheck(DAY, CONFIG, history) as day:
        for result in results:
            day.add(result)
        return day.finish(ingested=ingested, inputs_quarantined=0)


def sharded(tables: Tables, shards: list[list[int]]) -> tuple[DayOutcome, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The day's outcome, quarantine and good rows when validated in ``shards``."""
    parts = [shard_result(f"shard-{i:05d}", part) for i, part in enumerate(split(tables, shards)) if len(part["articles"])]
    outcome = check_day([r for r, _, _ in parts], ingested=len(tables["articles"]))
    quarantine = pd.concat([q for _, q, _ in parts] or [pd.DataFrame()], ignore_index=True)
    good = {t: pd.concat([g[t] for _, _, g in parts], ignore_index=True) for t in TABLES} if parts else {}
    return outcome, quarantine, good


def by_id(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    return frame.sort_values(ID_COLUMNS[table], ignore_index=True)


def quarantine_keys(frame: pd.DataFrame) -> list[tuple]:
    return sorted(map(tuple, frame[["table", "record_id", "reason"]].astype(str).values.tolist())) if len(frame) else []


@pytest.mark.integration  # every case validates a whole day and its shards: about 5 minutes
@pytest.mark.parametrize(("table", "name", "mutate", "row"), CASES)
def test_shards_give_the_whole_day_verdict_rows_and_quarantine(table: str, name: str, mutate: Mutation, row: int):
    tables = make_tables(3)
    mutate(tables)
    whole = validate_day({t: f.copy() for t, f in tables.items()}, day=DAY, suites_dir=SUITES_DIR)
    outcome, quarantine, good = sharded(tables, [[0, 1], [2]])

    assert {FAILED_CHECK.match(f)[1] for f in outcome.failures} == {FAILED_CHECK.match(f)[1] for f in whole.failures}
    assert quarantine_keys(quarantine) == quarantine_keys(whole.quarantine)
    if whole.passed:
        assert outcome.statistics() == whole.results["statistics"]
        assert outcome.accounting.balanced
        for t in TABLES:
            pd.testing.assert_frame_equal(by_id(good[t], t), by_id(whole.good[t], t), check_dtype=False)


def test_an_id_in_two_shards_fails_the_day_naming_both():
    first, second = make_tables(2), make_tables(1)  # article 0 in both
    results = [shard_result("shard-00000", first)[0], shard_result("shard-00001", second)[0]]
    assert all(not r.failures for r in results)  # each shard alone is fine
    outcome = check_day(results, ingested=3)
    article = first["articles"].at[0, "article_id"]
    assert outcome.failures == [
        f"articles.article_id_unique failed across shards: 1 article ids in more than one shard, e.g. "
        f"{article} (shard-00000,shard-00001). Expected: No two articles share an id."
    ]
    unique = next(c for c in outcome.tables[0].checks if c.name == "article_id_unique")
    assert (unique.success, unique.unexpected) == (False, 1)
    assert "shard-00001" in outcome.report_html() and "FAILED" in outcome.report_html()


def test_a_critical_failure_in_one_shard_fails_the_day_with_that_shards_reason():
    tables = make_tables(3)
    cell("claims", "dt", "2026-01-01", row=len(tables["claims"]) - 1)(tables)  # a claim of article 2
    outcome, _, _ = sharded(tables, [[0, 1], [2]])
    assert not outcome.passed
    assert [f.split(" failed")[0] for f in outcome.failures] == ["shard-00001: claims.dt_is_run_day"]
    assert "shard-00001: claims.dt_is_run_day failed" in outcome.report_html()


@pytest.mark.parametrize(
    ("ingested", "failure"),
    [
        pytest.param(3, None, id="balanced"),
        pytest.param(4, "accounting does not balance: ingested 4 != published 3 + quarantined 0", id="a record lost"),
        pytest.param(2, "accounting does not balance: ingested 2 != published 3 + quarantined 0", id="a record too many"),
    ],
)
def test_accounting_fails_the_day_when_it_does_not_balance(ingested: int, failure: str | None):
    outcome = check_day([shard_result("shard-00000", make_tables(3))[0]], ingested=ingested)
    assert outcome.failures == ([failure] if failure else [])
    assert outcome.results()["passed"] is (failure is None)
    assert ("DOES NOT BALANCE" in outcome.report_html()) is (failure is not None)


@pytest.mark.parametrize(
    ("history", "passed"),
    [
        pytest.param([100] * 7, False, id="sudden drop vs last week fails"),
        pytest.param([4, 5, 6], True, id="3 articles vs median 5 passes"),
        pytest.param(None, True, id="no history"),
    ],
)
def test_volume_counts_every_shard(history: list[int] | None, passed: bool):
    tables = make_tables(3)
    results = [shard_result(f"shard-{i:05d}", part)[0] for i, part in enumerate(split(tables, [[0], [1], [2]]))]
    outcome = check_day(results, ingested=3, history=history)
    assert outcome.passed is passed
    assert passed or outcome.failures == [
        "articles.volume failed: observed 3 articles, expected at least 50. Expected: "
        + CONFIG.suites["articles"].check("volume").description
    ]


def test_a_day_without_shards_fails_its_volume():
    outcome = check_day([], ingested=0)
    assert [f.split(" ")[0] for f in outcome.failures] == ["articles.volume"]
    assert outcome.statistics()["articles"]["rows"] == 0


def test_shard_checks_skip_the_volume_and_merge_in_suite_order():
    result = shard_result("shard-00000", make_tables(1))[0]
    assert "volume" not in [c.name for c in result.outcome("articles").checks]
    merged = check_day([result, shard_result("shard-00001", split(make_tables(2), [[1]])[0])[0]], ingested=2)
    assert [c.name for c in merged.tables[0].checks] == [c.name for c in CONFIG.suites["articles"].checks]
