"""The day view, the entity view and the day report in headless Chromium, each opened from a file
with the network off (the views as the app serves them): rendered with their names, numbers and
charts, and hostile text from the lake shown as text (no element it names is made).

Skipped where Debian's chromium is not installed; the TestClient tests cover the content.
"""

from __future__ import annotations

import re

import pytest
from explore_lake import ANN, DAY_1, DAY_2, eid
from fastapi.testclient import TestClient
from test_browser import CHROMIUM, _chromium

from claimflow.config import Settings
from claimflow.explore.report import render_day_report
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore
from claimflow.ui.app import create_claimflow_app

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
OFFLINE = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")  # no request leaves


def assert_inert(dom: str) -> None:
    """The hostile names and words are text: Chromium made no element of them."""
    assert not re.search(r"<(script|img)\b|<a\b[^>]*href=\"javascript:|<[^>]*\son\w+=", dom, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Holdings" in dom


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(f"day/{DAY_2}", [f"Who said what on {DAY_2}", "Ann Lee", "33%", "allegedly"], id="day view"),
        pytest.param(f"entity/{eid(ANN)}?from={DAY_1}&to={DAY_2}",
                     ["Ann Lee", "<b>3</b>claims by it", "the bridge will open in May", "A. Lee"], id="entity view"),
    ],
)
def test_a_view_renders_in_chromium(explore_lake, tmp_path, path, expected):
    response = TestClient(create_claimflow_app(str(explore_lake))).get("/" + path)
    assert response.status_code == 200
    page = tmp_path / "view.html"
    page.write_text(response.text, encoding="utf-8")
    dom = _chromium(*OFFLINE, "--dump-dom", page.as_uri()).stdout
    assert all(text in dom for text in expected) and "<svg" in dom
    assert_inert(dom)
    shot = tmp_path / "view.png"
    _chromium(*OFFLINE, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_day_report_renders_from_a_file_offline(explore_lake, tmp_path):
    manifest = read_manifest(LocalStore(str(explore_lake)), DAY_2)
    report = tmp_path / "report.html"
    report.write_text(render_day_report(Settings(lake=str(explore_lake)), manifest), encoding="utf-8")
    dom = _chromium(*OFFLINE, "--dump-dom", report.as_uri()).stdout
    assert f"Who said what on {DAY_2}" in dom and "<rect" in dom and "Ann Lee" in dom
    assert_inert(dom)
    shot = tmp_path / "report.png"
    _chromium(*OFFLINE, f"--screenshot={shot}", "--window-size=1200,900", report.as_uri())
    assert shot.stat().st_size > 10_000
