"""Shared test set-up: a private Airflow home and metadata DB, and paths to shared data.

Airflow reads its configuration when first imported, so the environment is set here, before
any test module imports it. The metadata DB is PostgreSQL when the local server answers (as
on CI machines), else SQLite in a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POLNEAR = SHARED / "data" / "polnear"
EXAMPLE_ARTICLE = SHARED / "seeds" / "wnd-hamas-dialogue.txt"

sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from seaweed import s3_lake, seaweedfs  # noqa: E402,F401  (fixtures: one SeaweedFS per session)

_HOME = Path(tempfile.mkdtemp(prefix="claimflow-airflow-"))
PG_DATABASE = f"claimflow_test_{os.getpid()}"  # one per session: parallel runs never collide


def _admin():
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    conn.autocommit = True
    return conn


def _postgres_url() -> str | None:
    """A fresh database on the local PostgreSQL for this session, or None where there is none."""
    if os.environ.get("CLAIMFLOW_TEST_DB") == "sqlite":
        return None
    try:
        conn = _admin()
    except Exception:  # noqa: BLE001 - any failure means no server to test against
        return None
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {PG_DATABASE}")
    conn.close()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{PG_DATABASE}"


os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _postgres_url() or f"sqlite:///{_HOME / 'airflow.db'}",
    }
)
_DB_URL = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop this session's PostgreSQL database (SQLite goes with the temporary folder)."""
    if _DB_URL.startswith("postgresql"):
        try:
            from airflow import settings

            settings.dispose_orm()
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass
        conn = _admin()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.close()


SERVER_FIXTURES = {"seaweedfs", "s3_lake", "airflow_db"}  # each starts a server or migrates a DB


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a server fixture is an integration test (``make test-fast`` leaves it out)."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


for _name in [n for n in os.environ if n.startswith("CLAIMFLOW_") and n != "CLAIMFLOW_TEST_DB"]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """A migrated, empty Airflow metadata DB for this test session."""
    from airflow.utils.db import resetdb

    resetdb(skip_init=False)
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


@pytest.fixture
def polnear() -> Path:
    if not POLNEAR.is_dir():
        pytest.skip("PolNeAR is not present at ../shared/data/polnear")
    return POLNEAR


@pytest.fixture
def example_article() -> Path:
    if not EXAMPLE_ARTICLE.is_file():
        pytest.skip("the user's example article is not present in ../shared/seeds")
    return EXAMPLE_ARTICLE
