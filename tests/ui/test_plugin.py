"""The plugin as Airflow sees it: loaded once (from the package's entry point where the installed
metadata has it, else from the plugins folder), its app mounted behind Airflow's login, its menu
entry valid for the UI. The conftest points ``AIRFLOW__CORE__PLUGINS_FOLDER`` at the
repository's ``plugins/``; tests/test_provider.py loads it through the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from claimflow.storage import LocalStore

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pyarrow", "pandas", "spacy", "great_expectations", "boto3")


def test_importing_the_plugin_is_cheap_and_reads_no_lake(tmp_path):
    lake = tmp_path / "lake"
    code = f"import json, sys, claimflow.ui.plugin; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "CLAIMFLOW_LAKE": str(lake)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == []
    assert not lake.exists()


@pytest.fixture(scope="module")
def plugin_info() -> dict:
    from airflow import plugins_manager

    errors = plugins_manager.get_import_errors()
    assert not {source: error for source, error in errors.items() if "claimflow_plugin" in source}
    return next(info for info in plugins_manager.get_plugin_info() if info["name"] == "claimflow")


def test_airflow_loads_the_plugin_once_from_where_it_is_registered(plugin_info):
    from importlib.metadata import entry_points

    from airflow import plugins_manager

    from claimflow.provider import PLUGIN_ENTRY_POINT

    by_entry_point = any(ep.value == PLUGIN_ENTRY_POINT for ep in entry_points(group="airflow.plugins"))
    source = str(plugin_info["source"])
    assert ("ClaimflowPlugin" in source) if by_entry_point else source.endswith("claimflow_plugin.py")
    assert [info["name"] for info in plugins_manager.get_plugin_info()].count("claimflow") == 1


def test_the_plugin_is_what_the_ui_api_serves(plugin_info):
    from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse

    plugin = PluginResponse.model_validate(plugin_info)  # what /api/v2/plugins does; invalid ones are dropped
    assert [(app.name, app.url_prefix) for app in plugin.fastapi_apps] == [("claimflow", "/claimflow")]
    [view] = plugin.external_views
    assert (view.name, view.href, view.destination, view.category, view.url_route) == (
        "claimflow",
        "/claimflow/",
        "nav",
        "browse",
        "claimflow",
    )


@pytest.fixture(scope="module")
def airflow_api(airflow_db: str) -> TestClient:
    """The plugin mounted the way Airflow's API server mounts it, with its auth manager (which
    checks tokens against the metadata DB's revoked tokens)."""
    from airflow.api_fastapi.app import init_auth_manager, init_plugins

    app = FastAPI()
    init_auth_manager(app)
    init_plugins(app)
    return TestClient(app)


def _token(role: str | None) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="ui-test", role=role))


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/claimflow/api/days", "/claimflow/openapi.json", "/claimflow/"])
def test_the_mounted_app_needs_an_airflow_login(airflow_api, path):
    response = airflow_api.get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "Not authenticated"}


@pytest.mark.integration
def test_the_mounted_app_refuses_a_user_without_a_role(airflow_api):
    response = airflow_api.get("/claimflow/", headers={"Authorization": f"Bearer {_token(None)}"})
    assert response.status_code == 403
    assert response.json()["error"].startswith("forbidden")


@pytest.mark.integration
def test_the_mounted_app_serves_a_viewer_with_the_ui_cookie(airflow_api, tmp_path, monkeypatch):
    monkeypatch.setattr("claimflow.ui.app.open_lake", lambda settings: LocalStore(tmp_path))
    airflow_api.cookies.set("_token", _token("viewer"))
    try:
        response = airflow_api.get("/claimflow/")
    finally:
        airflow_api.cookies.clear()
    assert response.status_code == 200
    assert "claimflow: news-claims lake" in response.text
