"""The explorer's data on a small published lake: the numbers the rows make, ids followed
through the registry's merges, each day as its manifest says, and the same numbers as the
dashboard queries on the same lake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from delta_rows import article_row, claim_row, entity_row, write_rows
from explore_lake import A_LEE, ANN, BOB, COUNCIL, DAY_1, DAY_2, EVIL, HOSTILE, RUN, build_explore_lake, eid, publish

from claimflow import readers
from claimflow.config import Settings
from claimflow.explore.data import EntityNotFound, day_data, entity_data, period
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore
from claimflow.storage.delta import table_uri


def rows(con, sql: str, params: dict | None = None) -> list[dict]:
    cursor = con.execute(sql, params or {})
    return [dict(zip([c[0] for c in cursor.description], row, strict=True)) for row in cursor.fetchall()]


def manifests(lake: Path, *days: str):
    return [read_manifest(LocalStore(str(lake)), day) for day in days]


def test_day_counts_who_is_quoted_by_which_sources(explore_lake):
    (manifest,) = manifests(explore_lake, DAY_1)
    data = day_data(Settings(lake=str(explore_lake)), manifest)
    assert (data.articles, data.claims) == (2, 5)
    assert [(r["name"], r["quoted"], r["claims"]) for r in data.quoted] == [
        ("Ann Lee", 2, 4), ("Bob Stone", 1, 1), ("City Council", 1, 2)]
    assert {r["source_kind"]: r["claims"] for r in data.source_kinds} == {"person": 3, "anonymous": 1, "organisation": 1}
    assert data.anonymous_share == 0.2
    assert data.stance_counts == {"doubtful": 1, "denial": 1, "hedged": 1}
    assert [(c["stance"], c["source"]) for c in data.flagged] == [("denial", "Bob Stone"), ("doubtful", None),
                                                                  ("neutral", "City Council")]
    assert data.flagged[2]["hedges"] == ["reportedly"] and data.flagged[0]["title"] == f"{DAY_1} story 1"
    assert [(r["name"], r["articles"]) for r in data.mentioned][:2] == [("Ann Lee", 2), ("City Council", 2)]
    assert [(r["title"], r["claims"], r["anonymous"]) for r in data.article_rows] == [
        (f"{DAY_1} story 1", 3, 0), (f"{DAY_1} story 0", 2, 1)]


def test_a_merged_id_counts_as_the_entity_it_is_merged_into(explore_lake):
    (manifest,) = manifests(explore_lake, DAY_2)
    data = day_data(Settings(lake=str(explore_lake)), manifest)
    ann = next(r for r in data.quoted if r["label"] == "PERSON")
    assert (ann["name"], ann["entity_id"], ann["quoted"]) == ("Ann Lee", eid(ANN), 1)
    assert eid(A_LEE) not in {r["entity_id"] for r in data.quoted + data.mentioned}
    assert next(r for r in data.quoted if r["label"] == "ORG")["name"] == HOSTILE


@pytest.mark.parametrize("whole_registry", [False, True], ids=["the day's ids' registry rows", "the whole registry"])
@pytest.mark.parametrize("day", [DAY_1, DAY_2])
def test_day_numbers_equal_the_dashboard_queries(explore_lake, day, whole_registry):
    """The day view reads the registry only for the day's ids (or the whole one), and each day's
    run: the dashboard SQL on readers.connect_day (every registry row) gives the same rows."""
    settings = Settings(lake=str(explore_lake))
    (manifest,) = manifests(explore_lake, day)
    data = day_data(settings, manifest, whole_registry=whole_registry)
    con = readers.connect_day(settings, manifest)
    queries = readers.dashboard_queries(settings.include_dir)
    assert data.quoted == rows(con, queries["top_entities_day"])
    kinds = con.execute(queries["claims_by_source_kind"]).fetchall()
    assert [(r["source_kind"], r["claims"]) for r in data.source_kinds] == [(kind, n) for _day, kind, n in kinds]
    assert data.anonymous_share == con.execute(queries["anonymous_share"]).fetchall()[0][1]


@pytest.mark.parametrize("day", [DAY_1, DAY_2])
def test_the_days_ids_registry_rows_show_the_day_as_the_whole_registry_does(explore_lake, day):
    settings = Settings(lake=str(explore_lake))
    (manifest,) = manifests(explore_lake, day)
    assert day_data(settings, manifest) == day_data(settings, manifest, whole_registry=True)


def test_entity_over_a_period_follows_its_merges(explore_lake):
    data = entity_data(Settings(lake=str(explore_lake)), manifests(explore_lake, DAY_1, DAY_2), eid(A_LEE), DAY_1, DAY_2)
    assert (data.canonical_id, data.name, data.merged_ids) == (eid(ANN), "Ann Lee", [eid(A_LEE)])
    assert data.per_day == [{"dt": DAY_1, "said": 2, "about": 2}, {"dt": DAY_2, "said": 1, "about": 2}]
    assert (data.said_total, data.about_total) == (3, 4)
    assert {c["content_text"] for c in data.said} == {
        "the council will fund the bridge", "the bridge will open in May", "the bridge is on time"}
    assert [c["dt"] for c in data.said] == [DAY_2, DAY_1, DAY_1]  # newest first
    assert {(r["name"], r["articles"]) for r in data.quoted_with} == {("City Council", 1), ("Bob Stone", 1), (HOSTILE, 1)}
    assert {(r["source"], r["source_kind"], r["claims"]) for r in data.about_sources} == {
        (None, "anonymous", 2), ("City Council", "organisation", 1), (HOSTILE, "organisation", 1)}
    assert {a["form"]: a["count"] for a in data.aliases} == {"Ann Lee": 3, "Lee": 3, "A. Lee": 1}


def test_entity_numbers_equal_the_dashboard_queries(explore_lake):
    """Over the whole lake: claims it is quoted in as top_entities_period counts them, and who is
    quoted about it as quoted_about_entity says."""
    settings = Settings(lake=str(explore_lake))
    data = entity_data(settings, manifests(explore_lake, DAY_1, DAY_2), eid(ANN), DAY_1, DAY_2)
    con = readers.connect(settings)
    queries = readers.dashboard_queries(settings.include_dir)
    top = rows(con, queries["top_entities_period"], {"first_day": DAY_1, "last_day": DAY_2})
    ann = next(r for r in top if r["entity_id"] == eid(ANN))
    assert sum(d["said"] for d in data.per_day) == ann["quoted"]
    assert ann["days"] == sum(1 for d in data.per_day if d["said"])
    about = rows(con, queries["quoted_about_entity"], {"entity": eid(ANN)})
    assert data.about_sources == about


@pytest.mark.parametrize("torn_run", [pytest.param("killed", id="a run no manifest names"),
                                      pytest.param(RUN.format(day=DAY_2), id="the run another day's manifest names")])
def test_each_day_shows_the_run_its_manifest_names(tmp_path, torn_run):
    """A killed publish of DAY_1 left claims of another run in the table, and DAY_2 was published
    after it: the period's newest version holds them, the entity view still counts DAY_1's run only."""
    settings = Settings(lake=str(tmp_path / "lake"))
    publish(settings, DAY_1)
    torn = claim_row(DAY_1, torn_run, 0, 9, source_kind="person", speaker="Ann Lee", source_entity_id=eid(ANN))
    write_rows(table_uri(settings, "claims"), "claims", [torn], day=DAY_1, mode="append")
    publish(settings, DAY_2)
    data = entity_data(settings, manifests(tmp_path / "lake", DAY_1, DAY_2), eid(ANN), DAY_1, DAY_2)
    assert [d["said"] for d in data.per_day] == [2, 1]


def test_a_torn_rerun_of_a_published_day_leaves_its_view_as_published(tmp_path):
    """A rerun of DAY_1 replaced the day's rows in every table and has not written its manifest
    (still running, or crashed): the day view still shows the run DAY_1's manifest names."""
    lake = build_explore_lake(tmp_path)
    settings = Settings(lake=str(lake))
    (manifest,) = manifests(lake, DAY_1)
    before = day_data(settings, manifest)
    rerun = "manual__rerun"
    for table, rows in (("articles", [article_row(DAY_1, rerun, 7)]), ("entities", [entity_row(DAY_1, rerun, 7, *BOB)]),
                        ("claims", [claim_row(DAY_1, rerun, 7, 0, source_kind="person", speaker="Bob Stone",
                                              source_entity_id=eid(BOB))])):
        write_rows(table_uri(settings, table), table, rows, day=DAY_1)
    assert day_data(settings, manifest) == before
    assert entity_data(settings, manifests(lake, DAY_1, DAY_2), eid(ANN), DAY_1, DAY_2).per_day[0]["said"] == 2


def test_an_entity_nobody_named_is_not_found(explore_lake):
    with pytest.raises(EntityNotFound, match="'nobody' is not in the lake from"):
        entity_data(Settings(lake=str(explore_lake)), manifests(explore_lake, DAY_1), "nobody", DAY_1, DAY_1)


def test_an_entity_quoted_on_one_day_has_zeros_on_the_others(explore_lake):
    data = entity_data(Settings(lake=str(explore_lake)), manifests(explore_lake, DAY_1, DAY_2), eid(BOB), DAY_1, DAY_2)
    assert data.per_day == [{"dt": DAY_1, "said": 1, "about": 0}, {"dt": DAY_2, "said": 0, "about": 0}]
    assert [c["content_text"] for c in data.said] == ["the holdings never paid"]
    assert data.merged_ids == [] and data.quoted_with[0]["name"] in {COUNCIL[0], ANN[0]}


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        pytest.param(None, None, ("2026-10-27", DAY_2), id="the 30 days up to the newest published"),
        pytest.param(None, DAY_1, ("2026-10-26", DAY_1), id="30 days up to the end asked"),
        pytest.param(DAY_1, DAY_1, (DAY_1, DAY_1), id="one day"),
    ],
)
def test_period_defaults(first, last, expected):
    assert period(first, last, [DAY_1, DAY_2], default_days=30) == expected


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        pytest.param(DAY_2, DAY_1, "expected from <= to", id="end before start"),
        pytest.param("2025-01-01", DAY_2, "at most 366 days", id="too long"),
        pytest.param("<script>", DAY_2, "expected a day like", id="not a day"),
    ],
)
def test_period_refuses(first, last, message):
    with pytest.raises(ValueError, match=message):
        period(first, last, [DAY_1, DAY_2], default_days=30)


def test_a_lake_without_registry_counts_every_id_as_itself(tmp_path):
    """A lake published before the registry existed: the manifest names none, ids stand alone."""
    lake = build_explore_lake(tmp_path)
    shutil.rmtree(lake / "registry")
    (manifest,) = manifests(lake, DAY_2)
    data = day_data(Settings(lake=str(lake)), manifest)
    assert {(r["name"], r["label"]) for r in data.quoted} == {A_LEE, EVIL}
