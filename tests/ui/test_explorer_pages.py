"""The day view and the entity view through the app: names and numbers shown, links between the
views, hostile text from the lake shown as text, and JSON errors for what cannot be shown."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from explore_lake import A_LEE, ANN, BOB, DAY_1, DAY_2, HOSTILE, HOSTILE_WORDS, eid
from fastapi.testclient import TestClient

from claimflow import layout
from claimflow.config import Settings
from claimflow.explore.report import write_day_report
from claimflow.manifest import read_manifest, write_manifest
from claimflow.storage import LocalStore
from claimflow.ui.app import CSP, create_claimflow_app

ACTIVE = re.compile(r"<script|<img|href=\"javascript:|<[^>]*\son\w+\s*=", re.I)  # markup that could run


@pytest.fixture
def client(explore_lake: Path) -> TestClient:
    return TestClient(create_claimflow_app(str(explore_lake)))


def test_the_runs_table_opens_the_day_view(client):
    html = client.get("/").text
    for day in (DAY_1, DAY_2):
        assert f'href="day/{day}"' in html and f'href="api/days/{day}"' in html  # the JSON stays linked
    assert "day report" not in html  # these manifests name none


def test_day_view_shows_who_said_what(client):
    response = client.get(f"/day/{DAY_1}")
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    html = response.text
    assert f"Who said what on {DAY_1}" in html and "<svg" in html
    ann = f'<a href="../entity/{eid(ANN)}?from=2026-10-26&amp;to={DAY_1}">Ann Lee</a></td><td class="num">2</td>'
    assert ann in html  # quoted twice, linked to its entity view over the 30 days up to the day
    assert 'href="../article/' in html and f"?day={DAY_1}" in html
    assert "<b>20%</b>" in html and "the holdings never paid" in html  # the anonymous share, a denial
    assert f'href="../api/days/{DAY_1}"' in html


def test_day_view_escapes_what_the_lake_holds(client):
    html = client.get(f"/day/{DAY_2}").text
    assert HOSTILE not in html and HOSTILE_WORDS not in html and not ACTIVE.search(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Holdings" in html
    assert "&lt;a href=&quot;javascript:alert(3)&quot;&gt;this&lt;/a&gt;" in html


def test_entity_view_over_a_period(client):
    response = client.get(f"/entity/{eid(ANN)}", params={"from": DAY_1, "to": DAY_2})
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    html = response.text
    assert "<h1>Ann Lee" in html and "<b>3</b>claims by it" in html and "<b>4</b>claims by others naming it" in html
    assert f"<title>{DAY_1}: 2 said</title>" in html and f"<title>{DAY_2}: 2 about</title>" in html  # the chart
    assert "the bridge will open in May" in html and f"{eid(A_LEE)}</code>" in html  # merged id counted
    assert f'<a href="../entity/{eid(BOB)}?from={DAY_1}&amp;to={DAY_2}">Bob Stone</a>' in html  # quoted with
    assert "A. Lee <span class=muted>(1)</span>" in html  # an alias
    assert HOSTILE not in html and not ACTIVE.search(html)
    assert f'href="../entity/{eid(ANN)}?from=2026-11-19&amp;to={DAY_2}">7 days</a>' in html


def test_entity_view_of_a_merged_id_names_its_entity(client):
    html = client.get(f"/entity/{eid(A_LEE)}", params={"from": DAY_1, "to": DAY_2}).text
    assert "<h1>Ann Lee" in html and "The id asked for is merged into" in html


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        pytest.param("/entity/nobody", 404, "is not in the lake", id="unknown entity"),
        pytest.param(f"/entity/x?from={DAY_2}&to={DAY_1}", 422, "expected from <= to", id="period backwards"),
        pytest.param("/entity/x?from=%3Cscript%3E", 422, "expected a day like", id="not a day"),
        pytest.param("/entity/" + "x" * 201, 422, "invalid request", id="id too long"),
        pytest.param("/day/2026-11-01", 404, "not published", id="day not published"),
        pytest.param("/day/yesterday", 422, "expected a day like", id="not a day"),
        pytest.param(f"/day/{DAY_1}/report", 404, "no day report", id="manifest names no report"),
    ],
)
def test_what_cannot_be_shown_is_a_json_error(client, path, status, error):
    response = client.get(path)
    assert response.status_code == status and error in response.json()["error"]


def test_a_stored_day_report_is_served_and_linked(explore_lake, tmp_path):
    lake = tmp_path / "lake"
    shutil.copytree(explore_lake, lake)
    store = LocalStore(str(lake))
    manifest = read_manifest(store, DAY_2)
    key = write_day_report(Settings(lake=str(lake)), store, manifest)
    write_manifest(store, manifest.__class__(**{**vars(manifest), "day_report": key}))
    client = TestClient(create_claimflow_app(str(lake)))
    assert f'href="day/{DAY_2}/report">day report</a>' in client.get("/").text
    assert f'href="../day/{DAY_2}/report"' in client.get(f"/day/{DAY_2}").text
    response = client.get(f"/day/{DAY_2}/report")
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    assert f"Who said what on {DAY_2}" in response.text and layout.DAY_REPORT in key
