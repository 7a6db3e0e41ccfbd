"""The dashboard SQL under include/sql runs on DuckDB over a Delta lake, read through deltalake,
with the numbers the rows written make; time travel reads an earlier run of a day."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from claimflow import layout
from claimflow.config import Settings
from claimflow.models import SOURCE_KINDS
from claimflow.readers import connect, connect_day, dashboard_queries, sql_name, views_sql
from claimflow.storage.delta import storage_options, table_uri

from delta_rows import article_row, claim_row, manifest_for, write_rows

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


def query(db, name: str) -> list[tuple]:
    return db.execute(dashboard_queries(INCLUDE)[name]).fetchall()


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


def test_top_speakers(db):
    assert query(db, "top_speakers") == [("Ann", 2, 1, 2), ("Bob", 2, 2, 1), ("City Council", 1, 1, 1)]


def test_every_dashboard_query_is_tested():
    assert set(dashboard_queries(INCLUDE)) == {"anonymous_share", "anonymous_sources", "claims_by_source_kind", "top_speakers"}


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
    assert names == {"articles", "claims"}
    with pytest.raises(duckdb.CatalogException, match="quarantine_inputs"):
        db.execute("SELECT count(*) FROM quarantine_inputs")


def test_the_delta_scan_views_name_every_table_as_the_reader_does():
    views = views_sql(INCLUDE, "s3://bucket/lake")
    for table in layout.DELTA_TABLES:
        assert f"VIEW {sql_name(table)} AS SELECT * FROM delta_scan('s3://bucket/lake/{table}');" in views
    assert views.count("CREATE OR REPLACE VIEW") == len(layout.DELTA_TABLES)


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
    speakers = query(db, "top_speakers")
    assert speakers and all(quoted >= direct for _speaker, quoted, direct, _articles in speakers)
