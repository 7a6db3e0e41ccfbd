"""The page in a real browser: served by uvicorn on loopback, rendered by headless Chromium.

Skipped where Debian's chromium is not installed; the TestClient tests cover the content.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from uilake import FAILED, PUBLISHED_2

from claimflow.ui.app import create_claimflow_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def page_url(lake: Path) -> Iterator[str]:
    """The page of the test lake, served under /claimflow/ as Airflow serves it."""
    from fastapi import FastAPI

    root = FastAPI()
    root.mount("/claimflow", create_claimflow_app(str(lake)))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(root, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/claimflow/"
    server.should_exit = True
    thread.join(10)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_the_page_renders_in_chromium(page_url, tmp_path):
    dom = _chromium("--dump-dom", page_url).stdout
    assert "claimflow: news-claims lake" in dom and FAILED in dom and PUBLISHED_2 in dom
    shot = tmp_path / "page.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,900", page_url)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
