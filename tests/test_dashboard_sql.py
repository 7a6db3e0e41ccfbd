"""The dashboard SQL under include/sql runs on DuckDB over a Delta lake, read through deltalake,
with the numbers the rows written make; time travel reads an earlier run of a day."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from delta_rows import article_row, claim_row, entity_row, manifest_for, write_rows

from claimflow import layout
from claimflow.config import Settings
from claimflow.models import SOURCE_KINDS, stable_id
from claimflow.readers import DERIVED_VIEWS, connect, connect_day, dashboard_queries, sql_name, views_sql
from claimflow.storage.delta import storage_options, table_uri

INCLUDE = Path(__file__).resolve().parents[1] / "include"
DAY_1, DAY_2 = "2026-11-25", "2026-11-26"

# (article, source_kind, speaker, quote_type) per claim
CLAIMS = {
    (DAY_1, "r1"): [(0, "person", "Ann", "direct"), (0, "anonymous", None, "indirect"),
                    (1, "person", "Ann", "indirect"), (2, "organisation", "City Council", "direct")],
    (DAY_2, "r2"): [(0, "anonymous", None, "direct"), (1, "anonymous", None, "indirect")],  # replaced by r3
    (DAY_2, "r3"): [(0, "person", "Bob", "direct"), (0, "person", "Bob", "direct"), (1, "anonymous", None, "mixed")],
}
# (day, run, claim index) -> what the article discloses about that claim's anonymous source
DISCLOSED = {
    (DAY_1, "r1", 1): {"source_affiliation": "Egyptian security", "anonymity_reason": "not authorized to comment"},
    (DAY_2, "r2", 0): {"source_organisation": "Hamas"},
}


def write_run(uri_of, day: str, run: str, options: dict[str, str] | None = None) -> dict[str, int]:
    """Publish one run's articles and claims of ``day`` as publish does (replace the day); the versions."""
    claims = [claim_row(day, run, article, index, source_kind=kind, speaker=speaker, quote_type=quote)
              | DISCLOSED.get((day, run, index), {})
              for index, (article, kind, speaker, quote) in enumerate(CLAIMS[day, run])]
    articles = [article_row(day, run, a) for a in sorted({c[0] for c in CLAIMS[day, run]})]
    return {table: write_rows(uri_of(table), table, rows, day=day, storage_options=options)
            for table, rows in (("articles", articles), ("claims", claims))}


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> tuple[Settings, dict[str, int]]:
    """Day 1 published once; day 2 by r2, then rerun by r3. Returns r2's versions too."""
    settings = Settings(lake=str(tmp_path_factory.mktemp("lake")))
    uri_of = lambda table: table_uri(settings, table)  # noqa: E731
    write_run(uri_of, DAY_1, "r1")
    first = write_run(uri_of, DAY_2, "r2")
    write_run(uri_of, DAY_2, "r3")
    return settings, first


@pytest.fixture
def db(lake):
    return connect(lake[0])


PEOPLE = {"first_day": DAY_1, "last_day": DAY_2, "source_kind": "person"}  # top_speakers' parameters: people, both days


def query(db, name: str, parameters: dict[str, str] | None = None) -> list[tuple]:
    return db.execute(dashboard_queries(INCLUDE)[name], parameters or {}).fetchall()


def test_anonymous_share_per_day(db):
    assert query(db, "anonymous_share") == [(DAY_1, 0.25, 4), (DAY_2, 0.333, 3)]


def test_anonymous_sources_and_what_is_disclosed_per_day(db):
    """Day 1's anonymous source has an affiliation and a reason; day 2's (rerun r3) has nothing."""
    assert query(db, "anonymous_sources") == [(DAY_1, 1, 1, 0, 1, 1.0), (DAY_2, 1, 0, 0, 0, 0.0)]


def test_claims_by_source_kind(db):
    assert query(db, "claims_by_source_kind") == [
        (DAY_1, "person", 2), (DAY_1, "anonymous", 1), (DAY_1, "organisation", 1),
        (DAY_2, "person", 2), (DAY_2, "anonymous", 1),
    ]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        pytest.param(PEOPLE, [("Ann", 2, 1, 2, 1), ("Bob", 2, 2, 1, 1)], id="people: no organisation among them"),
        pytest.param(PEOPLE | {"source_kind": "organisation"}, [("City Council", 1, 1, 1, 1)], id="organisations"),
        pytest.param(PEOPLE | {"first_day": DAY_2}, [("Bob", 2, 2, 1, 1)], id="one day of the range"),
        pytest.param(PEOPLE | {"last_day": "2026-11-24"}, [], id="a range before any claim"),
    ],
)
def test_top_speakers_of_a_kind_over_a_range(db, parameters, expected):
    assert query(db, "top_speakers", parameters) == expected


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        pytest.param(DAY_1, DAY_2, [DAY_1, DAY_2], id="both days"),
        pytest.param(DAY_2, None, [DAY_2], id="from a day on"),
        pytest.param(None, DAY_1, [DAY_1], id="up to a day"),
        pytest.param("2026-12-01", "2026-12-31", [], id="no day in the range"),
    ],
)
def test_a_range_of_days_reads_only_its_partitions(lake, first, last, days):
    db = connect(lake[0], first_day=first, last_day=last)
    for table in ("claims", "articles"):
        assert [d for (d,) in db.execute(f"SELECT DISTINCT dt FROM {table} ORDER BY dt").fetchall()] == days
    assert [row[0] for row in query(db, "anonymous_share")] == days


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"first_day": DAY_2, "last_day": DAY_1}, "ends on or after it starts", id="reversed range"),
        pytest.param({"day": DAY_1, "first_day": DAY_1}, "one day or a range", id="a day and a range"),
        pytest.param({"first_day": "2026-11-25' OR 1=1"}, "expected a day like", id="not a day"),
    ],
)
def test_a_bad_range_is_refused(lake, arguments, message):
    with pytest.raises(ValueError, match=message):
        connect(lake[0], **arguments)


def test_every_dashboard_query_is_tested():
    assert {case.id for case in COUNTED_ONCE} == set(dashboard_queries(INCLUDE))  # and counts a story once
    assert set(dashboard_queries(INCLUDE)) == {"anonymous_share", "anonymous_sources", "claims_by_source_kind", "top_speakers",
                                               "entity_claims", "top_entities_day", "top_entities_period", "entities_together",
                                               "quoted_about_entity"}


# Entities: (name, label) by short name; who is mentioned in each article and who said what about whom
ENTITIES = {"ann": ("Ann", "PERSON"), "bob": ("Bob", "PERSON"), "council": ("City Council", "ORG"),
            "bridge": ("Elm Bridge", "FAC")}
MENTIONED = {(DAY_1, 0): ["ann", "bridge"], (DAY_1, 1): ["ann", "council"], (DAY_1, 2): ["council", "bridge"],
             (DAY_2, 0): ["bob", "ann", "bridge"], (DAY_2, 1): ["ann", "bob"]}
# (day, article, source kind, who said it, about whom)
SAID = [(DAY_1, 0, "person", "ann", ["bridge"]), (DAY_1, 0, "anonymous", None, ["ann", "bridge"]),
        (DAY_1, 1, "person", "ann", ["council"]), (DAY_1, 2, "organisation", "council", ["bridge"]),
        (DAY_1, 2, "anonymous", None, ["council"]),
        (DAY_2, 0, "person", "bob", ["ann"]), (DAY_2, 0, "person", "bob", ["bridge"]),
        (DAY_2, 1, "person", "ann", ["bob"]), (DAY_2, 1, "anonymous", None, ["bob"])]


def eid(short: str) -> str:
    name, label = ENTITIES[short]
    return stable_id(label, name)


@pytest.fixture(scope="module")
def entity_db(tmp_path_factory):
    """Two days of articles, canonical entities and claims linked to them, published as publish does."""
    settings = Settings(lake=str(tmp_path_factory.mktemp("entity-lake")))
    for day in (DAY_1, DAY_2):
        said = [(i, row) for i, row in enumerate(SAID) if row[0] == day]
        rows = {
            "articles": [article_row(day, "r", a) for (d, a) in MENTIONED if d == day],
            "entities": [entity_row(day, "r", a, *ENTITIES[e]) for (d, a), es in MENTIONED.items() if d == day for e in es],
            "claims": [claim_row(day, "r", a, i, source_kind=kind, speaker=who and ENTITIES[who][0],
                                 source_entity_id=who and eid(who), entity_ids=tuple(map(eid, about)))
                       for i, (_, a, kind, who, about) in said],
        }
        for table, table_rows in rows.items():
            write_rows(table_uri(settings, table), table, table_rows, day=day)
    return connect(settings)


def test_top_entities_of_each_day_with_their_anonymous_share(entity_db):
    rows = [row[:6] for row in query(entity_db, "top_entities_day")]
    assert rows == [
        (DAY_1, "Ann", "PERSON", 2, 3, 0.333), (DAY_1, "City Council", "ORG", 1, 3, 0.333),  # the bridge is no speaker
        (DAY_2, "Bob", "PERSON", 2, 4, 0.25), (DAY_2, "Ann", "PERSON", 1, 2, 0.0),
    ]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        pytest.param(DAY_1, DAY_2, [("Ann", "PERSON", 3, 5, 0.2, 2), ("Bob", "PERSON", 2, 4, 0.25, 1),
                                    ("City Council", "ORG", 1, 3, 0.333, 1)], id="both days"),
        pytest.param(DAY_2, DAY_2, [("Bob", "PERSON", 2, 4, 0.25, 1), ("Ann", "PERSON", 1, 2, 0.0, 1)], id="one day"),
        pytest.param("2026-12-01", "2026-12-31", [], id="no claims in the period"),
    ],
)
def test_top_entities_of_a_period(entity_db, first, last, expected):
    sql = dashboard_queries(INCLUDE)["top_entities_period"]
    rows = entity_db.execute(sql, {"first_day": first, "last_day": last}).fetchall()
    assert [row[:6] for row in rows] == expected
    assert [row[6] for row in rows] == [eid({"Ann": "ann", "Bob": "bob", "City Council": "council"}[r[0]]) for r in rows]


@pytest.mark.parametrize(
    ("entity", "first", "last", "expected"),
    [
        pytest.param("Ann", DAY_1, DAY_2, [(DAY_2, 1), (DAY_1, 0), (DAY_1, 1)], id="by name, newest day first"),
        pytest.param(stable_id("PERSON", "Ann"), DAY_1, DAY_1, [(DAY_1, 0), (DAY_1, 1)], id="by entity_id, one day"),
        pytest.param("City Council", DAY_1, DAY_2, [(DAY_1, 2)], id="an organisation"),
        pytest.param("Elm Bridge", DAY_1, DAY_2, [], id="an entity that says nothing"),
    ],
)
def test_what_an_entity_said_over_a_range(entity_db, entity, first, last, expected):
    rows = query(entity_db, "entity_claims", {"entity": entity, "first_day": first, "last_day": last})
    assert [(row[0], row[6]) for row in rows] == [(day, stable_id(day, article)) for day, article in expected]
    assert {row[1] for row in rows} <= {"Ann", "City Council"}


def test_entities_mentioned_together(entity_db):
    rows = [(a, b, n) for a, _, b, _, n, _, _ in query(entity_db, "entities_together")]
    assert rows == [("Ann", "Bob", 2), ("Ann", "Elm Bridge", 2), ("Ann", "City Council", 1),
                    ("Bob", "Elm Bridge", 1), ("City Council", "Elm Bridge", 1)]


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        pytest.param("Ann", [("Bob", "person", 1, 1), (None, "anonymous", 1, 1)], id="by name"),
        pytest.param(stable_id("FAC", "Elm Bridge"), [("Ann", "person", 1, 1), ("Bob", "person", 1, 1),
                                                      ("City Council", "organisation", 1, 1), (None, "anonymous", 1, 1)],
                 id="by entity_id"),
        pytest.param("Nobody", [], id="an unknown entity"),
    ],
)
def test_who_is_quoted_about_an_entity(entity_db, entity, expected):
    sql = dashboard_queries(INCLUDE)["quoted_about_entity"]
    assert [row[:4] for row in entity_db.execute(sql, {"entity": entity}).fetchall()] == expected


# A corrected story: DAY_1 published article 0 (the story at its URL) and article 1; DAY_2 published
# a revision of article 0 (as article 0 of DAY_2, ``revises`` naming the first) and a new article 1.
FIRST_STORY = stable_id(DAY_1, 0)
REVISED = {  # (day, article) -> (revises, mentioned, [(source kind, who said it, about whom)])
    (DAY_1, 0): (None, ["ann", "bridge"], [("person", "ann", ["bridge"]), ("anonymous", None, ["ann"])]),
    (DAY_1, 1): (None, ["bob", "bridge"], [("person", "bob", ["bridge"])]),
    (DAY_2, 0): (FIRST_STORY, ["ann", "bridge"], [("person", "ann", ["bridge"])]),
    (DAY_2, 1): (None, ["bob"], [("anonymous", None, ["bob"])]),
}


@pytest.fixture(scope="module")
def revised_db(tmp_path_factory):
    settings = Settings(lake=str(tmp_path_factory.mktemp("revised-lake")))
    for day in (DAY_1, DAY_2):
        articles = {a: value for (d, a), value in REVISED.items() if d == day}
        rows = {
            "articles": [article_row(day, "r", a) | {"revises": revises} for a, (revises, _, _) in articles.items()],
            "entities": [entity_row(day, "r", a, *ENTITIES[e]) for a, (_, mentioned, _) in articles.items() for e in mentioned],
            "claims": [claim_row(day, "r", a, i, source_kind=kind, speaker=who and ENTITIES[who][0],
                                 source_entity_id=who and eid(who), entity_ids=tuple(map(eid, about)))
                       for a, (_, _, said) in articles.items() for i, (kind, who, about) in enumerate(said)],
        }
        for table, table_rows in rows.items():
            write_rows(table_uri(settings, table), table, table_rows, day=day)
    return connect(settings)


def test_each_story_is_its_latest_revision(revised_db):
    stories = revised_db.execute("SELECT story_id, article_id, dt, revisions FROM stories ORDER BY dt, article_id").fetchall()
    assert sorted(stories) == sorted([(stable_id(DAY_1, 1), stable_id(DAY_1, 1), DAY_1, 1),
                                      (FIRST_STORY, stable_id(DAY_2, 0), DAY_2, 2),
                                      (stable_id(DAY_2, 1), stable_id(DAY_2, 1), DAY_2, 1)])


COUNTED_ONCE = [  # each dashboard query over the corrected story's lake
    pytest.param("anonymous_share", {}, [(DAY_1, 0.0, 1), (DAY_2, 0.5, 2)], id="anonymous_share"),
    pytest.param("anonymous_sources", {}, [(DAY_2, 1, 0, 0, 0, 0.0)], id="anonymous_sources"),
    pytest.param("claims_by_source_kind", {}, [(DAY_1, "person", 1), (DAY_2, "anonymous", 1), (DAY_2, "person", 1)],
                 id="claims_by_source_kind"),
    pytest.param("top_speakers", PEOPLE, [("Ann", 1, 1, 1), ("Bob", 1, 1, 1)], id="top_speakers"),
    pytest.param("entity_claims", {"entity": "Ann", "first_day": DAY_1, "last_day": DAY_2},
                 [(DAY_2, "Ann", "said", "the bridge would reopen")], id="entity_claims"),
    pytest.param("top_entities_day", {}, [(DAY_1, "Bob", "PERSON", 1, 1, 0.0), (DAY_2, "Ann", "PERSON", 1, 1, 0.0)],
                 id="top_entities_day"),
    pytest.param("top_entities_period", {"first_day": DAY_1, "last_day": DAY_2},
                 [("Ann", "PERSON", 1, 1, 0.0, 1), ("Bob", "PERSON", 1, 2, 0.5, 1)], id="top_entities_period"),
    pytest.param("entities_together", {}, [("Ann", "Elm Bridge", 1), ("Bob", "Elm Bridge", 1)], id="entities_together"),
    pytest.param("quoted_about_entity", {"entity": "Elm Bridge"}, [("Ann", "person", 1, 1), ("Bob", "person", 1, 1)],
                 id="quoted_about_entity"),
]


@pytest.mark.parametrize(("name", "parameters", "expected"), COUNTED_ONCE)
def test_a_corrected_story_is_counted_once(revised_db, name, parameters, expected):
    """Only the revision's claims and entities count: the first version's are superseded."""
    rows = revised_db.execute(dashboard_queries(INCLUDE)[name], parameters).fetchall()
    if name == "entities_together":
        rows = [(a, b, n) for a, _, b, _, n, _, _ in rows]
    width = len(expected[0]) if expected else 0
    assert [row[:width] for row in rows] == expected


def test_a_day_alone(lake):
    db = connect(lake[0], day=DAY_1)
    assert db.execute("SELECT DISTINCT dt FROM claims UNION SELECT DISTINCT dt FROM articles").fetchall() == [(DAY_1,)]


def test_time_travel_reads_the_replaced_run_at_its_version(lake):
    settings, first = lake
    manifest = manifest_for(DAY_2, "r2", settings.lake_uri, tables={"articles": (2, first["articles"]),
                                                                    "claims": (2, first["claims"])})
    db = connect_day(settings, manifest)
    assert db.execute("SELECT DISTINCT run_id FROM claims UNION SELECT DISTINCT run_id FROM articles").fetchall() == [
        ("r2",)]
    assert query(db, "anonymous_share") == [(DAY_2, 1.0, 2)]


def test_a_table_never_published_is_not_registered(db):
    names = {row[0] for row in db.execute("SHOW TABLES").fetchall()}
    # stories: the view over articles; the entity views over claims, with empty entities and registry
    assert names == {"articles", "claims", "stories", "entities", "registry", *DERIVED_VIEWS}
    with pytest.raises(duckdb.CatalogException, match="quarantine_inputs"):
        db.execute("SELECT count(*) FROM quarantine_inputs")


def test_the_delta_scan_views_name_every_table_as_the_reader_does():
    views = views_sql(INCLUDE, "s3://bucket/lake")
    for table in layout.DELTA_TABLES:
        assert f"VIEW {sql_name(table)} AS SELECT * FROM delta_scan('s3://bucket/lake/{table}');" in views
    for view in DERIVED_VIEWS:
        assert f"CREATE OR REPLACE VIEW {view} AS" in views
    assert views.count("CREATE OR REPLACE VIEW") == len(layout.DELTA_TABLES) + 1 + len(DERIVED_VIEWS)  # stories too
    assert views.index("VIEW articles AS") < views.index("VIEW stories AS")


def test_the_dashboard_on_s3(s3_lake):
    settings = Settings(lake=s3_lake, aws_conn_id="claimflow_no_such_conn")
    write_run(lambda table: table_uri(settings, table), DAY_1, "r1", storage_options(settings))
    db = connect(settings)
    assert db.execute(dashboard_queries(INCLUDE)["anonymous_share"]).fetchall() == [(DAY_1, 0.25, 4)]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Settings, object]:
    """The seeds run through ingest, extract, validate and publish: a lake as the pipeline leaves it."""
    pytest.importorskip("claimflow.staging", reason="publish writes Delta tables once lake-commit is merged")
    from claimflow import stages
    from claimflow.manifest import read_manifest
    from claimflow.storage import LocalStore

    root = tmp_path_factory.mktemp("published")
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(root), "CLAIMFLOW_SOURCES": str(INCLUDE.parent / "seeds")})
    extracted = [stages.extract(settings, uri) for uri in stages.ingest(settings, DAY_2, "r").shard_uris]
    stages.publish(settings, DAY_2, "r", stages.validate(settings, DAY_2, "r", extracted))
    return settings, read_manifest(LocalStore(root), DAY_2)


def test_a_published_day_reads_with_the_manifest_counts(published):
    settings, manifest = published
    db = connect_day(settings, manifest)
    for table in layout.TABLES:
        (count,) = db.execute(f"SELECT count(*) FROM {table} WHERE dt = '{DAY_2}'").fetchone()
        assert count == manifest.tables[table].rows > 0, table
    (quarantined,) = db.execute("SELECT count(*) FROM quarantine_inputs").fetchone()
    assert quarantined == manifest.quarantine["inputs"].rows


def test_the_dashboard_over_a_published_day_adds_up(published):
    settings, manifest = published
    db = connect(settings)
    claims = manifest.tables["claims"].rows
    by_kind = query(db, "claims_by_source_kind")
    assert sum(row[2] for row in by_kind) == claims
    assert {row[1] for row in by_kind} <= set(SOURCE_KINDS)
    [(day, share, total)] = query(db, "anonymous_share")
    assert (day, total) == (DAY_2, claims)
    anonymous = sum(row[2] for row in by_kind if row[1] == "anonymous")
    assert share == round(anonymous / claims, 3)
    assert sum(row[1] for row in query(db, "anonymous_sources")) == anonymous
    speakers = query(db, "top_speakers", {"first_day": DAY_2, "last_day": DAY_2, "source_kind": "person"})
    assert speakers and all(quoted >= direct for _speaker, quoted, direct, _articles, _days in speakers)
    (linked,) = db.execute("SELECT count(*) FROM claims WHERE source_entity_id IS NOT NULL").fetchone()
    quoted = query(db, "top_entities_day")
    assert quoted and {row[2] for row in quoted} <= {"PERSON", "ORG"} and all(row[3] <= row[4] for row in quoted)
    assert sum(row[3] for row in quoted) <= linked
    (entities_per_article,) = db.execute("SELECT count(*) - count(DISTINCT (entity_id, article_id)) FROM entities").fetchone()
    assert entities_per_article == 0  # one row per entity and article
    assert query(db, "entities_together")
