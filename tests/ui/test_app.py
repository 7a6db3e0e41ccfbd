"""The claimflow app over a real lake, through FastAPI's TestClient: no Airflow server needed."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from bad_manifests import ISSUE_19, hostile
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError
from fastapi import HTTPException
from fastapi.params import Depends
from fastapi.testclient import TestClient
from uilake import ACCOUNTING, CLAIMS, FAILED, PUBLISHED_1, PUBLISHED_2, UNPUBLISHED, publish_day, run_id

from claimflow import layout, readers
from claimflow.config import Settings
from claimflow.exceptions import TransientStorageError
from claimflow.maintenance import maintain_table
from claimflow.manifest import read_manifest, write_manifest
from claimflow.storage import LocalStore
from claimflow.storage.records import get_json
from claimflow.ui.app import create_claimflow_app
from claimflow.ui.lake import LakeView


@pytest.fixture
def client(lake: Path) -> TestClient:
    return TestClient(create_claimflow_app(str(lake)))


def manifest(lake: Path, day: str) -> dict:
    return get_json(LocalStore(lake), layout.manifest(day))


def test_days_are_the_published_ones_newest_first(client, lake):
    body = client.get("/api/days").json()
    assert [d["day"] for d in body["days"]] == [PUBLISHED_2, PUBLISHED_1]
    newest = body["days"][0]
    expected = manifest(lake, PUBLISHED_2)
    assert newest["run_id"] == run_id(PUBLISHED_2)
    assert newest["published_at"] == expected["published_at"]
    assert newest["accounting"] == expected["accounting"] == {"ingested": 2, "published": 2, "quarantined": 0}
    assert body["unreadable"] == []
    assert newest["rows"] == {t: expected["tables"][t]["rows"] for t in layout.TABLES}
    assert newest["quality_passed"] is True


def test_days_limit_keeps_the_newest(client):
    assert [d["day"] for d in client.get("/api/days?limit=1").json()["days"]] == [PUBLISHED_2]


def test_a_day_is_its_manifest(client, lake):
    response = client.get(f"/api/days/{PUBLISHED_1}")
    assert response.status_code == 200
    assert response.json() == manifest(lake, PUBLISHED_1)


@pytest.mark.parametrize(
    ("day", "verdict"),
    [
        pytest.param(FAILED, "failed", id="batch failed data quality"),
        pytest.param(ACCOUNTING, "failed", id="a check after validation failed"),
        pytest.param(UNPUBLISHED, "not published", id="validated, never published"),
    ],
)
def test_a_day_without_manifest_is_a_json_404_naming_its_runs(client, day, verdict):
    response = client.get(f"/api/days/{day}")
    assert response.status_code == 404
    body = response.json()
    assert body["day"] == day and "not published" in body["error"]
    assert [(r["run"], r["verdict"]) for r in body["quality_runs"]] == [(layout.run_key(run_id(day)), verdict)]


def test_a_day_never_run_is_a_json_404_without_runs(client):
    response = client.get("/api/days/2020-01-01")
    assert response.status_code == 404
    assert response.json()["quality_runs"] == []


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/days/2026-13-01", id="no such month"),
        pytest.param("/api/days/yesterday", id="not a date"),
        pytest.param("/api/days/2026-1-5", id="not zero-padded"),
        pytest.param("/api/days/2026-02-30/report", id="report of no such day"),
    ],
)
def test_a_malformed_day_is_a_json_422(client, path):
    response = client.get(path)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("expected a day like 2026-11-26")
    assert body["day"] == path.split("/")[3]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/days?limit=0", id="limit below 1"),
        pytest.param("/api/trends?days=many", id="days not a number"),
        pytest.param("/?days=100000", id="page window too large"),
    ],
)
def test_bad_query_parameters_are_a_json_422(client, path):
    response = client.get(path)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid request"
    assert body["problems"][0]["where"].startswith("query.")


def test_unknown_route_is_a_json_404(client):
    response = client.get("/api/nothing")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


def test_trends_agree_with_manifests_and_the_claims_table(client, lake):
    points = client.get("/api/trends?days=30").json()["days"]
    assert [p["day"] for p in points] == [PUBLISHED_1, PUBLISHED_2]  # oldest first: chart order
    for point in points:
        tables = manifest(lake, point["day"])["tables"]
        claims = DeltaTable(str(lake / "claims"), version=tables["claims"]["version"])
        kinds = claims.to_pyarrow_table(filters=[("dt", "=", point["day"])]).column("source_kind").to_pylist()
        assert sorted(kinds) == sorted(CLAIMS[point["day"]])
        assert point["articles"] == tables["articles"]["rows"]
        assert point["entities"] == tables["entities"]["rows"]
        assert point["claims"] == tables["claims"]["rows"] == len(kinds) > 0
        assert point["quarantined"] == 0
        assert point["claims_per_article"] == round(len(kinds) / point["articles"], 3)
        assert point["anonymous_share"] == round(kinds.count("anonymous") / len(kinds), 3)
        assert sum(point["source_kinds"].values()) == len(kinds)
    assert any(p["anonymous_share"] > 0 for p in points)


def test_trends_read_each_days_claims_once_and_resolve_the_options_once(client, monkeypatch):
    from claimflow.storage import delta

    reads, resolved = [], []
    real_open, real_options = readers.open_table, delta.storage_options
    monkeypatch.setattr(readers, "open_table", lambda *a, **kw: reads.append((kw["day"], kw["version"])) or real_open(*a, **kw))
    monkeypatch.setattr(delta, "storage_options", lambda settings: resolved.append(1) or real_options(settings))
    first = client.get("/api/trends").json()
    assert client.get("/api/trends").json() == first
    assert len(reads) == len(set(reads)) == 2 and len(resolved) == 1
    assert {day for day, _version in reads} == {PUBLISHED_1, PUBLISHED_2}


@pytest.fixture
def own_lake(lake: Path, tmp_path: Path) -> Path:
    """A copy of the test lake that a test may change."""
    return Path(shutil.copytree(lake, tmp_path / "lake"))


@pytest.mark.parametrize(
    ("log_retention", "gone"),
    [
        pytest.param(None, FileNotFoundError, id="its files vacuumed"),
        pytest.param("interval 0 seconds", TableNotFoundError, id="its log entries expired too"),
    ],
)
def test_the_share_survives_compaction_and_vacuum_of_its_version(own_lake, log_retention, gone):
    before = TestClient(create_claimflow_app(str(own_lake))).get("/api/trends").json()
    if log_retention:
        DeltaTable(str(own_lake / "claims")).alter.set_table_properties({"delta.logRetentionDuration": log_retention})
    maintain_table("claims", str(own_lake / "claims"), retention_hours=0)
    version = manifest(own_lake, PUBLISHED_1)["tables"]["claims"]["version"]
    with pytest.raises(gone):  # the manifest's version cannot be read any more...
        DeltaTable(str(own_lake / "claims"), version=version).to_pyarrow_table()
    after = TestClient(create_claimflow_app(str(own_lake))).get("/api/trends").json()
    assert after == before and after["days"][0]["anonymous_share"] == 0.333  # ...the same rows are read


def test_a_vacuumed_version_whose_day_was_replaced_shows_an_unknown_share(own_lake, caplog):
    store = LocalStore(own_lake)
    old = read_manifest(store, PUBLISHED_1)
    publish_day(Settings(lake=str(own_lake)), PUBLISHED_1, ["person"], run="manual__rerun")
    write_manifest(store, old)  # the rerun committed its rows, its manifest is not written yet
    maintain_table("claims", str(own_lake / "claims"), retention_hours=0)
    with caplog.at_level(logging.WARNING, logger="claimflow.ui.lake"):
        points = TestClient(create_claimflow_app(str(own_lake))).get("/api/trends").json()["days"]
    assert [(p["day"], p["claims"], p["anonymous_share"], p["source_kinds"]) for p in points] == [
        (PUBLISHED_1, 3, None, {}), (PUBLISHED_2, 2, 0.5, {"anonymous": 1, "organisation": 1})]
    assert f"claims unreadable day={PUBLISHED_1}" in caplog.text


def test_report_of_a_published_day_is_the_html_its_manifest_links(client, lake):
    response = client.get(f"/api/days/{PUBLISHED_1}/report")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    key = manifest(lake, PUBLISHED_1)["quality"]["report"]
    assert response.text == (lake / key).read_text()
    assert "PASSED" in response.text


def test_report_of_a_failed_run_is_served_by_run(client):
    response = client.get(f"/api/days/{FAILED}/report", params={"run": layout.run_key(run_id(FAILED))})
    assert response.status_code == 200
    assert "FAILED" in response.text and "volume" in response.text


@pytest.mark.parametrize(
    ("query", "status"),
    [
        pytest.param("", 404, id="unpublished day, no run named"),
        pytest.param("?run=no_such_run", 404, id="unknown run"),
        pytest.param("?run=../../_manifests", 422, id="run escaping the quality folder"),
    ],
)
def test_report_errors_are_json(client, query, status):
    response = client.get(f"/api/days/{FAILED}/report{query}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["day"] == FAILED


def test_failed_lists_days_without_manifest_newest_first(client):
    body = client.get("/api/failed").json()
    assert [(d["day"], [r["verdict"] for r in d["runs"]]) for d in body["days"]] == [
        (FAILED, ["failed"]),
        (UNPUBLISHED, ["not published"]),
        (ACCOUNTING, ["failed"]),
    ]
    assert body["days"][0]["runs"][0]["report"].startswith(layout.quality_prefix(FAILED))


def test_page_shows_runs_with_failed_days_in_red_and_trends(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert "<script" not in html and not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # self-contained
    failed_rows = re.findall(r'<tr class="failed">(.*?)</tr>', html)
    assert [re.search(r"\d{4}-\d\d-\d\d", row)[0] for row in failed_rows] == [FAILED, UNPUBLISHED, ACCOUNTING]
    assert "failed" in failed_rows[0] and f"report?run={layout.run_key(run_id(FAILED))}" in failed_rows[0]
    for day in (PUBLISHED_1, PUBLISHED_2):
        assert run_id(day) in html and f'href="api/days/{day}/report"' in html
    assert html.index(FAILED) < html.index(PUBLISHED_2) < html.index(PUBLISHED_1) < html.index(UNPUBLISHED)
    assert "failed" in failed_rows[2] and "not published" not in failed_rows[2]
    assert html.count("<polyline") == 2 and html.count("<circle") == 4  # articles and claims, two days
    assert "anonymous sources" in html


def test_page_of_an_empty_lake_says_so(tmp_path):
    html = TestClient(create_claimflow_app(str(tmp_path))).get("/").text
    assert "No day has been validated or published" in html and "No published day yet" in html


def test_creating_the_app_reads_nothing_from_the_lake(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(tmp_path / "lake"))
    app = create_claimflow_app()
    assert not (tmp_path / "lake").exists()
    assert TestClient(app).get("/api/days").json() == {"days": [], "count": 0, "unreadable": []}  # the env's lake, opened now


def test_an_unreadable_lake_is_a_json_503(client, monkeypatch):
    def down(self):
        raise TransientStorageError("could not list s3://claimflow/lake/_manifests/: SlowDown (HTTP 503)")

    monkeypatch.setattr(LakeView, "published_days", down)
    response = client.get("/api/days")
    assert response.status_code == 503
    assert response.json() == {
        "error": "the lake could not be read",
        "detail": "could not list s3://claimflow/lake/_manifests/: SlowDown (HTTP 503)",
    }


@pytest.fixture
def unreadable(own_lake: Path) -> Path:
    """The copy with the newest day's manifest overwritten by a partial write."""
    (own_lake / layout.manifest(PUBLISHED_2)).write_text('{"day": "2026-11-25", "run_id": "/srv/secret/path')
    return own_lake


def test_an_unreadable_manifest_is_one_unreadable_day(unreadable, caplog):
    client = TestClient(create_claimflow_app(str(unreadable)))
    with caplog.at_level(logging.WARNING, logger="claimflow.ui.lake"):
        body = client.get("/api/days").json()
    assert [d["day"] for d in body["days"]] == [PUBLISHED_1]
    assert body["unreadable"] == [{"day": PUBLISHED_2, "verdict": "unreadable"}]
    assert f"manifest unreadable day={PUBLISHED_2} reason=not JSON" in caplog.text  # the detail is logged
    assert [p["day"] for p in client.get("/api/trends").json()["days"]] == [PUBLISHED_1]


def test_the_page_shows_an_unreadable_day_in_red_without_the_detail(unreadable):
    response = TestClient(create_claimflow_app(str(unreadable))).get("/")
    assert response.status_code == 200
    red = re.findall(r'<tr class="failed">(.*?)</tr>', response.text)
    assert any(PUBLISHED_2 in row and "unreadable" in row for row in red)
    assert "secret" not in response.text and "JSONDecodeError" not in response.text
    assert PUBLISHED_1 in response.text


@pytest.mark.parametrize("case", ISSUE_19)
def test_a_hostile_manifest_shows_its_day_as_unreadable(own_lake, case, caplog):
    (own_lake / layout.manifest(PUBLISHED_2)).write_bytes(hostile(manifest(own_lake, PUBLISHED_2), case))
    client = TestClient(create_claimflow_app(str(own_lake)), raise_server_exceptions=False)
    with caplog.at_level(logging.WARNING, logger="claimflow.ui.lake"):
        page, days, trends = client.get("/"), client.get("/api/days"), client.get("/api/trends")
    assert (page.status_code, days.status_code, trends.status_code) == (200, 200, 200)
    assert any(PUBLISHED_2 in row and "unreadable" in row for row in re.findall(r'<tr class="failed">(.*?)</tr>', page.text))
    assert days.json()["unreadable"] == [{"day": PUBLISHED_2, "verdict": "unreadable"}]
    assert [d["day"] for d in days.json()["days"]] == [PUBLISHED_1]
    assert [p["day"] for p in trends.json()["days"]] == [PUBLISHED_1]
    assert f"manifest unreadable day={PUBLISHED_2}" in caplog.text


@pytest.mark.parametrize("path", [f"/api/days/{PUBLISHED_2}", f"/api/days/{PUBLISHED_2}/report"])
def test_asking_for_the_unreadable_day_says_so_without_the_detail(unreadable, path, caplog):
    with caplog.at_level(logging.WARNING, logger="claimflow.ui.app"):
        response = TestClient(create_claimflow_app(str(unreadable))).get(path)
    assert response.status_code == 500
    assert response.json() == {"error": "the manifest of this day is unreadable", "day": PUBLISHED_2}
    assert f"manifest unreadable day={PUBLISHED_2}" in caplog.text


def test_an_unexpected_error_is_logged_not_echoed(lake, monkeypatch, caplog):
    def broken(self, limit):
        raise RuntimeError("cannot open /srv/claimflow/secret.key")

    monkeypatch.setattr(LakeView, "days", broken)
    client = TestClient(create_claimflow_app(str(lake)), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="claimflow.ui.app"):
        response = client.get("/api/days")
    assert (response.status_code, response.json()) == (500, {"error": "internal error"})
    assert "secret.key" in caplog.text


def _deny() -> None:
    raise HTTPException(401, {"error": "Not authenticated"})


@pytest.mark.parametrize("path", ["/openapi.json", "/", "/api/days", f"/api/days/{PUBLISHED_1}/report"])
def test_every_route_the_app_serves_runs_its_dependencies(lake, path):
    response = TestClient(create_claimflow_app(str(lake), dependencies=[Depends(_deny)])).get(path)
    assert (response.status_code, response.json()) == (401, {"error": "Not authenticated"})


def test_openapi_describes_the_api_and_there_are_no_docs_pages(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/days", "/api/days/{day}", "/api/trends", "/api/failed"} <= set(spec["paths"])
    assert "/openapi.json" not in spec["paths"]
    assert [client.get(p).status_code for p in ("/docs", "/redoc")] == [404, 404]
