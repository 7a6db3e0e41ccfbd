"""claimflow as an Airflow provider: get_provider_info, the entry points pyproject.toml declares,
and what Airflow's ProvidersManager, plugins manager and ``airflow providers list`` make of them.

Entry points come from the installed package's metadata, which only a reinstall refreshes; so
besides the test of the real installation (skipped where its metadata predates the entry
points), one test gives a subprocess the metadata pip would write from pyproject.toml.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from claimflow.provider import PACKAGE_NAME, PLUGIN_CLASS, PLUGIN_ENTRY_POINT, get_provider_info

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
AIRFLOW = str(Path(sys.executable).parent / "airflow")

# Run in a subprocess: what Airflow finds with the given metadata, as JSON.
PROBE = """
import json
from airflow import plugins_manager
from airflow.providers_manager import ProvidersManager

providers = ProvidersManager().providers
info = providers.get("claimflow")
print(json.dumps({
    "provider": None if info is None else {"version": info.version, "name": info.data["name"],
                                           "plugins": info.data.get("plugins")},
    "provider_plugins": [(p.name, p.plugin_class) for p in ProvidersManager().plugins],
    "plugins": [(p["name"], str(p["source"])) for p in plugins_manager.get_plugin_info()],
    "import_errors": plugins_manager.get_import_errors(),
}))
"""


def test_the_provider_info_is_valid_for_airflow():
    import jsonschema
    from airflow.providers_manager import ProvidersManager

    jsonschema.validate(get_provider_info(), ProvidersManager()._provider_schema_validator.schema)


def test_the_provider_info_names_this_package_and_version():
    info = get_provider_info()
    # Airflow refuses a provider whose package-name is not its distribution's name.
    assert info["package-name"] == PACKAGE_NAME == PYPROJECT["name"]
    assert info["versions"] == [PYPROJECT["version"]]
    assert info["plugins"] == [{"name": "claimflow", "plugin-class": PLUGIN_CLASS}]
    assert "connection-types" not in info  # no hook of its own: S3 goes through the Amazon provider's


def test_pyproject_declares_the_provider_and_its_plugin():
    entry_points = PYPROJECT["entry-points"]
    assert entry_points["apache_airflow_provider"] == {"provider_info": "claimflow.provider:get_provider_info"}
    assert entry_points["airflow.plugins"] == {"claimflow": PLUGIN_ENTRY_POINT}


def test_the_declared_plugin_class_is_the_claimflow_plugin():
    from airflow._shared.module_loading import import_string
    from airflow.plugins_manager import is_valid_plugin

    plugin = import_string(PLUGIN_CLASS)
    assert is_valid_plugin(plugin)
    assert plugin.name == "claimflow"


def installed_metadata(root: Path) -> Path:
    """A ``claimflow`` dist-info under ``root`` with the entry points of pyproject.toml, as
    ``pip install`` would write them; ``root`` goes first on the subprocess's path."""
    dist_info = root / f"{PYPROJECT['name']}-{PYPROJECT['version']}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {PYPROJECT['name']}\nVersion: {PYPROJECT['version']}\n", encoding="utf-8"
    )
    entry_points = configparser.ConfigParser()
    entry_points.optionxform = str  # entry point names are case-sensitive
    entry_points.read_dict(PYPROJECT["entry-points"])
    with open(dist_info / "entry_points.txt", "w", encoding="utf-8") as out:
        entry_points.write(out)
    return root


def installed_declares_the_provider() -> bool:
    """Whether the installed claimflow's metadata already carries the provider entry point."""
    dist = importlib.metadata.distribution(PACKAGE_NAME)
    return any(ep.group == "apache_airflow_provider" for ep in dist.entry_points)


def test_airflow_lists_the_provider_and_loads_its_plugin_once(tmp_path):
    # Metadata written from pyproject.toml only where the installed one predates the entry
    # points: two claimflow distributions on the path would each be found.
    path = [str(ROOT / "plugins")]
    if not installed_declares_the_provider():
        path.insert(0, str(installed_metadata(tmp_path / "site")))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    probe = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.splitlines()[-1])
    assert found["provider"] == {
        "version": PYPROJECT["version"],
        "name": "claimflow",
        "plugins": [{"name": "claimflow", "plugin-class": PLUGIN_CLASS}],
    }
    assert ["claimflow", PLUGIN_CLASS] in found["provider_plugins"]
    # The plugins folder's claimflow_plugin.py steps aside for the entry point: one plugin, no
    # "already registered" import error.
    claimflow = [source for name, source in found["plugins"] if name == "claimflow"]
    assert len(claimflow) == 1 and "ClaimflowPlugin" in claimflow[0], found["plugins"]
    assert found["import_errors"] == {}

    listed = subprocess.run([AIRFLOW, "providers", "list", "-o", "json"], env=env, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr[-3000:]
    rows = json.loads(listed.stdout[listed.stdout.index("[") :])
    assert {(row["package_name"], row["version"]) for row in rows} >= {("claimflow", PYPROJECT["version"])}


def test_the_installed_package_is_a_provider():
    dist = importlib.metadata.distribution(PACKAGE_NAME)
    if not installed_declares_the_provider():
        pytest.skip(
            "the installed claimflow's metadata predates its apache_airflow_provider entry point: "
            "reinstall it (pip install --no-deps -e .) to refresh the entry points"
        )
    from airflow.providers_manager import ProvidersManager

    assert ProvidersManager().providers[PACKAGE_NAME].version == dist.version
