"""The dashboard SQL under include/sql runs on DuckDB over a published lake and agrees with the manifest."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.storage import LocalStore
from claimflow.storage.records import get_json

SQL = Path(__file__).resolve().parents[1] / "include" / "sql"
DAY = "2026-11-26"


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(root), "CLAIMFLOW_SOURCES": str(SQL.parents[1] / "seeds")})
    extracted = [stages.extract(settings, u) for u in stages.ingest(settings, DAY, "r").shard_uris]
    stages.publish(settings, DAY, "r", stages.validate(settings, DAY, "r", extracted))
    return root


@pytest.fixture
def db(lake) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((SQL / "views.sql").read_text().replace("{lake}", str(lake)))
    return con


def test_views_read_the_partitions_with_the_manifest_counts(db, lake):
    manifest = get_json(LocalStore(lake), layout.manifest(DAY))
    for table in layout.TABLES:
        (count,) = db.execute(f"SELECT count(*) FROM {table} WHERE dt = '{DAY}'").fetchone()
        assert count == manifest["tables"][table]["rows"], table


@pytest.mark.parametrize("query", sorted(p.name for p in SQL.glob("*.sql") if p.name != "views.sql"))
def test_dashboard_queries_run_and_return_rows(db, query):
    rows = db.execute((SQL / query).read_text()).fetchall()
    assert rows, query


def test_claims_by_source_kind_adds_up(db):
    rows = db.execute((SQL / "claims_by_source_kind.sql").read_text()).fetchall()
    (total,) = db.execute("SELECT count(*) FROM claims").fetchone()
    assert sum(r[2] for r in rows) == total
    assert {r[1] for r in rows} <= {"person", "organisation", "anonymous", "pronoun", "none"}
