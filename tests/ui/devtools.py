"""The UI served on loopback, and headless Chromium driven through the DevTools protocol (over ``websockets``, already a pinned
requirement), for what a screenshot cannot tell: the DOM after load, computed styles, and the
console. Loopback only: the browser and the page's server both listen on 127.0.0.1."""

from __future__ import annotations

import base64
import itertools
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from websockets.sync.client import ClientConnection, connect

from claimflow.ui.app import create_claimflow_app

TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(lake: str) -> Iterator[str]:
    """The app over ``lake`` served by uvicorn on loopback under /claimflow/, as Airflow mounts it;
    yields the page's URL."""
    from fastapi import FastAPI

    root = FastAPI()
    root.mount("/claimflow", create_claimflow_app(lake))
    port = free_port()
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


class Browser:
    """One page of a headless Chromium: navigate, evaluate JavaScript in it, read its console."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.console: list[str] = []  # console messages and browser log entries (CSP reports land here)
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def _receive(self) -> dict[str, Any]:
        message = json.loads(self.socket.recv(timeout=TIMEOUT))
        if message.get("method") == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in message["params"]["args"]))
        elif message.get("method") == "Log.entryAdded":
            self.console.append(message["params"]["entry"]["text"])
        return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are recorded)."""
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while self._receive().get("method") != "Page.loadEventFired":
            assert time.monotonic() < deadline, f"{url} did not load"

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, width: int = 1280, height: int = 900) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))


@contextmanager
def chromium(executable: str, profile: Path) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, its DevTools on a free loopback port; its one page as a Browser."""
    port = free_port()
    process = subprocess.Popen(
        [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
                    pages = [t for t in json.load(answer) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Browser(socket)
    finally:
        process.terminate()
        process.wait(10)
