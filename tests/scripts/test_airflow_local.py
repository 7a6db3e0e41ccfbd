"""scripts/airflow_local.py, what ``make airflow`` runs: a local Airflow that answers on its port,
tells how to log in (and that login works), and stops whole on Ctrl-C. On its own SQLite home in
a temporary folder, as ``make airflow`` uses ``.airflow/``."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


@pytest.fixture
def local_env(tmp_path) -> dict[str, str]:
    """The environment ``make airflow`` gives the script, with a home of its own."""
    home = tmp_path / "airflow"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLAIMFLOW_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "CLAIMFLOW_LAKE": str(tmp_path / "lake"),
            "PYTHONPATH": str(ROOT / "plugins"),
        }
    )
    home.mkdir()
    return env


@pytest.fixture
def local_home(local_env) -> dict[str, str]:
    """``local_env`` with its database migrated, as ``make install`` leaves ``.airflow/``."""
    subprocess.run([AIRFLOW, "db", "migrate"], env=local_env, check=True, capture_output=True, timeout=300)
    return local_env


def test_make_airflow_answers_tells_the_login_and_stops_on_ctrl_c(local_home):
    port = free_port()
    out = Path(local_home["AIRFLOW_HOME"]) / "airflow_local.out"
    with open(out, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "airflow_local.py"), "--port", str(port), "--grace", "20"],
            env=local_home, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240
        while "Ctrl-C stops it." not in out.read_text():
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(1)
        printed = out.read_text()
        assert f"Airflow is up: http://{HOST}:{port}/" in printed
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/monitor/health", timeout=10) as health:
            assert json.load(health)["metadatabase"]["status"] == "healthy"

        user, password = re.search(r"log in as user '([^']+)', password '([^']+)'", printed).groups()
        login = urllib.request.Request(
            f"http://{HOST}:{port}/auth/token", data=json.dumps({"username": user, "password": password}).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(login, timeout=10) as answer:
            assert answer.status == 201 and json.load(answer)["access_token"]

        components = children(process.pid)
        assert len(components) == 3, printed
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=60) == 0, out.read_text()
        assert "stopped" in out.read_text()
        assert not [pid for pid in components if alive(pid)]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_port_in_use_is_refused_with_a_hint(local_env):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "airflow_local.py"), "--port", str(port)],
            env=local_env, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert f"port {port} on {HOST} is in use: choose another, e.g. make airflow PORT={port + 1}" in result.stderr
