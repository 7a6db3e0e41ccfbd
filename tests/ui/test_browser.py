"""The page in a real browser: served by uvicorn on loopback, rendered by headless Chromium.

Skipped where Debian's chromium is not installed; the TestClient tests cover the content.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from devtools import serving
from uilake import FAILED, PUBLISHED_2

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


@pytest.fixture
def page_url(lake: Path) -> Iterator[str]:
    """The page of the test lake, served under /claimflow/ as Airflow serves it."""
    with serving(str(lake)) as url:
        yield url


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_the_page_renders_in_chromium(page_url, tmp_path):
    dom = _chromium("--dump-dom", page_url).stdout
    assert "claimflow: news-claims lake" in dom and FAILED in dom and PUBLISHED_2 in dom
    shot = tmp_path / "page.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,900", page_url)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
