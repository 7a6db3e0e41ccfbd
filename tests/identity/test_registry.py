"""The entity registry in a lake: days published through stages.publish from staged records (no
NLP), then read as the dashboards read them."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from entity_records import record
from staged_day import stage_records

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.identity.resolve import state_id
from claimflow.models import entity_id
from claimflow.readers import connect, dashboard_queries
from claimflow.storage.delta import DeltaLake

INCLUDE = Path(__file__).resolve().parents[2] / "include"
DAY_1, DAY_2, DAY_3 = "2026-11-24", "2026-11-25", "2026-11-26"
TRUMP = entity_id("Donald Trump", "PERSON")


def publish(settings: Settings, day: str, shards: list[list[dict]], run_id: str = "r") -> None:
    stages.publish(settings, day, run_id, stage_records(settings, day, run_id, shards))


def column(settings: Settings, table: str, day: str, name: str) -> list:
    return DeltaLake.open(settings).read_day(table, day, columns=[name]).column(0).to_pylist()


def top_period(settings: Settings, first: str, last: str) -> list[tuple]:
    sql = dashboard_queries(INCLUDE)["top_entities_period"]
    return [row[:6] for row in connect(settings).execute(sql, {"first_day": first, "last_day": last}).fetchall()]


TWO_DAYS = {
    DAY_1: [[record("a1", [("Donald Trump", "PERSON", ["Donald Trump", "Trump"])], [("Donald Trump", [])]),
             record("a2", [("Hillary Clinton", "PERSON", ["Hillary Clinton"])], [("Hillary Clinton", [])])]],
    DAY_2: [[record("b1", [("Donald J. Trump", "PERSON", ["Donald J. Trump"])], [("Donald J. Trump", [])])],
            [record("b2", [("Trump", "ORG", ["Trump"]), ("Hillary Clinton", "PERSON", ["Hillary Clinton"])],
                    [("Trump", ["Hillary Clinton"])])]],
}


@pytest.fixture
def two_days(tmp_path) -> Settings:
    settings = Settings(lake=str(tmp_path / "lake"))
    for day, shards in TWO_DAYS.items():
        publish(settings, day, shards)
    return settings


def test_day_two_forms_of_a_person_take_day_ones_id(two_days):
    """Day 1 says "Donald Trump", day 2 "Donald J. Trump" and "Trump" (labelled ORG): one id."""
    assert set(column(two_days, "entities", DAY_2, "entity_id")) == {TRUMP, entity_id("Hillary Clinton", "PERSON")}
    assert set(column(two_days, "claims", DAY_2, "source_entity_id")) == {TRUMP}
    assert set(column(two_days, "mentions", DAY_2, "entity_id")) == {TRUMP, entity_id("Hillary Clinton", "PERSON")}


def test_top_entities_of_the_period_count_him_once(two_days):
    assert top_period(two_days, DAY_1, DAY_2) == [("Donald Trump", "PERSON", 3, 3, 0.0, 2),
                                                  ("Hillary Clinton", "PERSON", 1, 2, 0.0, 1)]


def test_the_registry_knows_his_forms_days_and_articles(two_days):
    con = connect(two_days)
    (name, label, aliases, first, last, articles, merged) = con.execute(
        "SELECT name, label, aliases, first_day, last_day, article_count, merged_into FROM entity_registry WHERE entity_id = ?",
        [TRUMP]).fetchone()
    assert (name, label, first, last, articles, merged) == ("Donald Trump", "PERSON", DAY_1, DAY_2, 3, None)
    assert aliases == [{"form": "Trump", "count": 2}, {"form": "Donald J. Trump", "count": 1}, {"form": "Donald Trump", "count": 1}]


def test_a_rerun_of_a_day_is_resolved_as_its_first_run(two_days):
    before = connect(two_days).execute("SELECT * FROM entity_registry ORDER BY entity_id").fetchall()
    publish(two_days, DAY_2, TWO_DAYS[DAY_2], run_id="again")
    assert connect(two_days).execute("SELECT * FROM entity_registry ORDER BY entity_id").fetchall() == before
    assert set(column(two_days, "entities", DAY_2, "entity_id")) == {TRUMP, entity_id("Hillary Clinton", "PERSON")}


def test_two_entities_of_one_article_resolved_to_one_id_are_one_row(tmp_path):
    """An article that says "Trump" (ORG) in its headline before "Donald Trump": one entities row."""
    settings = Settings(lake=str(tmp_path / "lake"))
    publish(settings, DAY_1, [[record("a1", [("Trump", "ORG", ["Trump"]), ("Donald Trump", "PERSON", ["Donald Trump"] * 2)])]])
    assert list(zip(column(settings, "entities", DAY_1, "entity_id"), column(settings, "entities", DAY_1, "n_mentions"),
                    strict=True)) == [(TRUMP, 3)]
    assert set(column(settings, "mentions", DAY_1, "entity_id")) == {TRUMP}


# One day of articles whose entities test every rule, and a second day on top.
ARTICLES = [
    record("c1", [("Donald Trump", "PERSON", ["Donald Trump"]), ("United States", "GPE", ["United States"])],
           [("Donald Trump", ["United States"])]),
    record("c2", [("Trump", "ORG", ["Trump"]), ("WASHINGTON", "GPE", ["WASHINGTON"])], [("Trump", [])]),
    record("c3", [("Donald J. Trump", "PERSON", ["Donald J. Trump"]), ("Washington", "GPE", ["Washington"])]),
    record("c4", [("United States", "ORG", ["United States"]), ("Barack Obama", "PERSON", ["Barack Obama"])]),
    record("c5", [("Obama", "PERSON", ["Obama"]), ("Bill Clinton", "PERSON", ["Bill Clinton"])]),
    record("c6", [("Clinton", "PERSON", ["Clinton"]), ("Hillary Clinton", "PERSON", ["Hillary Clinton"])]),
]
NEXT_DAY = [record("d1", [("President Obama", "PERSON", ["President Obama"]), ("Trump", "PERSON", ["Trump"])]),
            record("d2", [("Donald Trump", "PERSON", ["Donald Trump"]), ("U.S.", "GPE", ["U.S."])])]


def publish_in_order(lake: str, order: list[int], shard_size: int) -> list[tuple]:
    """Publish the day's ARTICLES in ``order``, cut into shards of ``shard_size``, then NEXT_DAY
    reversed; every (day, article, entity id) and every registry row, sorted."""
    settings = Settings(lake=lake)
    articles = [ARTICLES[i] for i in order]
    publish(settings, DAY_1, [articles[i:i + shard_size] for i in range(0, len(articles), shard_size)])
    publish(settings, DAY_2, [[a] for a in reversed(NEXT_DAY)])
    con = connect(settings)
    return (con.execute("SELECT dt, article_id, entity_id FROM entities ORDER BY ALL").fetchall()
            + con.execute("SELECT dt, entity_id, name, label, merged_into, article_count FROM registry ORDER BY ALL").fetchall())


def test_shard_orders_and_processes_give_the_same_ids(tmp_path, monkeypatch):
    """The same articles in two shard orders, one run in this process and one in a fresh
    interpreter with another hash seed: the same ids and the same registry."""
    here = publish_in_order(str(tmp_path / "a"), list(range(len(ARTICLES))), 2)
    monkeypatch.setenv("PYTHONHASHSEED", "4242")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = pool.submit(publish_in_order, str(tmp_path / "b"), list(reversed(range(len(ARTICLES)))), 4).result()
    assert here == there
    entities = {(row[1], row[2]) for row in here if len(row) == 3}
    places = {entity_id("United States", "GPE"), entity_id("Washington", "GPE")}
    assert {eid for article, eid in entities if article in ("c1", "c2", "c3")} == {TRUMP, *places}
    obama = entity_id("Barack Obama", "PERSON")
    assert {eid for article, eid in entities if article in ("c1", "c4", "c5")} == {
        TRUMP, obama, entity_id("United States", "GPE"), entity_id("Bill Clinton", "PERSON")}
    assert (DAY_2, "d1", obama) in {(row[0], row[1], row[2]) for row in here if len(row) == 3}  # "President Obama"
    assert (DAY_1, "c6", entity_id("Clinton", "PERSON")) in here  # Bill or Hillary: neither by far


@pytest.fixture
def pinned_include(tmp_path) -> Path:
    include = tmp_path / "include"
    shutil.copytree(INCLUDE, include)
    (include / "entities" / "identities.json").write_text(json.dumps({"pin": {"Donald Trump": ["DJT"]}, "split": []}))
    return include


def test_a_recorded_merge_is_followed_by_the_dashboard_queries(tmp_path, pinned_include):
    """"DJT" and "Donald Trump" are published as two ids; a pin added later records DJT's id as
    merged into his, published rows keep their ids, and the dashboards count him once."""
    settings = Settings(lake=str(tmp_path / "lake"))
    publish(settings, DAY_1, [[record("a1", [("DJT", "PERSON", ["DJT"])], [("DJT", [])])]])
    publish(settings, DAY_2, [[record("b1", [("Donald Trump", "PERSON", ["Donald Trump"]), ("Ann Lee", "PERSON", ["Ann Lee"])],
                                      [("Donald Trump", []), ("Ann Lee", ["Donald Trump"])])]])
    djt = entity_id("DJT", "PERSON")
    assert [row[0] for row in top_period(settings, DAY_1, DAY_2)] == ["Ann Lee", "DJT", "Donald Trump"]
    publish(Settings(lake=settings.lake, include_dir=pinned_include), DAY_3,
            [[record("c1", [("Ann Lee", "PERSON", ["Ann Lee"])])]])
    assert column(settings, "entities", DAY_1, "entity_id") == [djt]  # ids never change
    con = connect(settings)
    assert con.execute("SELECT merged_into FROM entity_registry WHERE entity_id = ?", [djt]).fetchone() == (TRUMP,)
    assert top_period(settings, DAY_1, DAY_2) == [("Donald Trump", "PERSON", 2, 3, 0.0, 2), ("Ann Lee", "PERSON", 1, 1, 0.0, 1)]
    about = con.execute(dashboard_queries(INCLUDE)["quoted_about_entity"], {"entity": "DJT"}).fetchall()
    assert [row[:4] for row in about] == [("Ann Lee", "person", 1, 1)]
    together = con.execute(dashboard_queries(INCLUDE)["entities_together"]).fetchall()
    assert [(a, b, n) for a, _, b, _, n, _, _ in together] == [("Ann Lee", "Donald Trump", 1)]


def test_the_knowledge_base_links_the_registry(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(json.dumps(e) for e in [
        {"id": "Q22686", "name": "Donald Trump", "aliases": ["DJT"], "label": "PERSON"},
        {"id": "Q30", "name": "United States of America", "aliases": ["United States"], "label": "GPE"},
    ]) + "\nnot json\n")
    settings = Settings(lake=str(tmp_path / "lake"), entity_kb=kb)
    publish(settings, DAY_1, [[record("a1", [("DJT", "PERSON", ["DJT"]), ("United States", "ORG", ["United States"])])],
                              [record("a2", [("Donald Trump", "PERSON", ["Donald Trump"])])]])
    rows = connect(settings).execute("SELECT name, label, kb_id, article_count FROM entity_registry ORDER BY name").fetchall()
    assert rows == [("Donald Trump", "PERSON", "Q22686", 2), ("United States", "ORG", "Q30", 1)]
    assert set(column(settings, "entities", DAY_1, "entity_id")) == {TRUMP, entity_id("United States", "ORG")}


def test_the_manifest_names_the_registry_version(two_days):
    from claimflow.manifest import read_manifest
    from claimflow.storage import open_lake

    manifest = read_manifest(open_lake(two_days), DAY_2)
    assert manifest.registry.version == DeltaLake.open(two_days).table(layout.REGISTRY).version()
    assert manifest.registry.rows == len(column(two_days, layout.REGISTRY, DAY_2, "entity_id")) == 2


def test_the_state_written_as_its_abbreviation_is_not_the_city(tmp_path):
    """"Seattle, Wash." names the state, "Washington" the capital: two ids, each article's
    entity, mentions and claims with its own; the next day's "Wash." is the state again."""
    settings = Settings(lake=str(tmp_path / "lake"))
    state, city = state_id("Washington"), entity_id("Washington", "GPE")
    publish(settings, DAY_1, [[record("s1", [("Washington", "GPE", ["Wash."]), ("Jay Inslee", "PERSON", ["Jay Inslee"])],
                                      [("Jay Inslee", ["Washington"])])],
                              [record("w1", [("Washington", "GPE", ["WASHINGTON", "Washington"])], [(None, ["Washington"])])]])
    publish(settings, DAY_2, [[record("s2", [("Washington", "GPE", ["Wash."])])]])
    con = connect(settings)
    for table in ("entities", "mentions"):
        ids = con.execute(f"SELECT DISTINCT article_id, entity_id FROM {table} WHERE entity_id IN (?, ?) ORDER BY ALL",
                          [state, city]).fetchall()
        assert ids == [("s1", state), ("s2", state), ("w1", city)]
    assert con.execute("SELECT article_id, entity_ids FROM claims ORDER BY ALL").fetchall() == [("s1", [state]), ("w1", [city])]
    registry = con.execute("SELECT entity_id, name, aliases FROM registry WHERE dt = ? ORDER BY ALL", [DAY_1]).fetchall()
    assert [(i, n, [a["form"] for a in forms]) for i, n, forms in registry if n == "Washington"] == sorted(
        [(state, "Washington", ["Wash."]), (city, "Washington", ["WASHINGTON", "Washington"])])
