"""docker-compose.yml is a valid Compose file and agrees with the project.

No Docker engine runs here, so the file is parsed, validated against the Compose specification's
JSON schema, and checked against what claimflow expects: services, connection id, bucket, mounts
and the Airflow version.

``tests/fixtures/compose-spec.json`` is the Compose specification schema as shipped in the PyPI
wheel ``docker-compose==1.29.2`` (``compose/config/compose_spec.json``, Apache-2.0; sha256
0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac), vendored so this test needs
no network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from claimflow.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = Path(__file__).parent / "fixtures" / "compose-spec.json"
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
    "airflow-init": None,
}
SERVICES = {"postgres", "redis", "minio", "minio-init", *AIRFLOW_SERVICES}
MOUNTED = ("dags", "plugins", "include", "seeds")
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str) -> str:
    """Compose's variable substitution with an empty environment: ``${X:-default}`` gives the
    default, ``$$`` a literal ``$``."""
    return _VARIABLE.sub(lambda m: "$" if m.group() == "$$" else m.group("default") or "", value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def airflow_env(compose: dict[str, Any]) -> dict[str, str]:
    """The environment every Airflow service shares, variables substituted."""
    return {name: interpolate(str(value)) for name, value in compose["x-airflow-common"]["environment"].items()}


def airflow_pin() -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith("apache-airflow=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError("expected an apache-airflow==X.Y.Z pin in requirements.txt, found none")


def test_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_schema_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    """Guard against a schema that accepts anything: a misspelt service key must fail."""
    schema = json.loads(SCHEMA.read_text())
    broken = {"services": {"redis": {**compose["services"]["redis"], "helthcheck": {}}}}
    with pytest.raises(jsonschema.ValidationError, match="helthcheck"):
        jsonschema.validators.validator_for(schema)(schema).validate(broken)


def test_stack_has_the_celery_executor_services(compose: dict[str, Any], airflow_env: dict[str, str]) -> None:
    services = compose["services"]
    assert SERVICES <= set(services)
    assert airflow_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for name, command in AIRFLOW_SERVICES.items():
        if command:
            assert services[name]["command"] == command, name


def test_dependencies_name_defined_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on undefined service {dependency}"


def test_airflow_components_share_jwt_secret_and_execution_api(
    compose: dict[str, Any], airflow_env: dict[str, str]
) -> None:
    assert airflow_env["AIRFLOW__API_AUTH__JWT_SECRET"]
    url = urlsplit(airflow_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname == "airflow-apiserver" and url.path == "/execution/"
    assert f"{url.port}:{url.port}" in compose["services"]["airflow-apiserver"]["ports"]
    for name in AIRFLOW_SERVICES:
        env = compose["services"][name]["environment"]
        assert (
            env["AIRFLOW__API_AUTH__JWT_SECRET"]
            == compose["x-airflow-common"]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"]
        ), name


def test_connection_is_claimflows_default_and_points_at_minio(
    compose: dict[str, Any], airflow_env: dict[str, str]
) -> None:
    conn_id = Settings().aws_conn_id
    assert airflow_env["CLAIMFLOW_AWS_CONN_ID"] == conn_id
    connection = json.loads(airflow_env[f"AIRFLOW_CONN_{conn_id.upper()}"])
    assert connection["conn_type"] == "aws"
    endpoint = urlsplit(connection["extra"]["endpoint_url"])
    assert endpoint.hostname == "minio"
    assert compose["services"]["minio"]["command"][:2] == ["server", "/data"]
    assert f"{endpoint.port}:{endpoint.port}" in compose["services"]["minio"]["ports"]
    assert connection["extra"]["config_kwargs"]["s3"]["addressing_style"] == "path"
    minio_env = {k: interpolate(v) for k, v in compose["services"]["minio"]["environment"].items()}
    assert (connection["login"], connection["password"]) == (
        minio_env["MINIO_ROOT_USER"],
        minio_env["MINIO_ROOT_PASSWORD"],
    )


def test_lake_bucket_is_created_by_minio_init(compose: dict[str, Any], airflow_env: dict[str, str]) -> None:
    lake = Settings.from_env({"CLAIMFLOW_LAKE": airflow_env["CLAIMFLOW_LAKE"]}).lake
    bucket = urlsplit(lake).netloc
    assert lake.startswith("s3://") and bucket
    script = "\n".join(compose["services"]["minio-init"]["command"])
    assert re.search(rf"mc mb\b.*\blake/{re.escape(bucket)}\s*$", script, re.MULTILINE), script
    for name in AIRFLOW_SERVICES:
        assert compose["services"][name]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_project_folders_are_mounted_and_exist(compose: dict[str, Any]) -> None:
    volumes = compose["x-airflow-common"]["volumes"]
    binds = [volume.split(":")[:2] for volume in volumes if volume.startswith((".", "/"))]
    for source, _target in binds:
        assert (ROOT / source).resolve().is_dir(), f"{source} is mounted but not in the repository"
    assert {target for _source, target in binds} >= {f"/opt/airflow/{name}" for name in MOUNTED}
    named = {volume.split(":")[0] for volume in volumes if not volume.startswith((".", "/"))}
    assert named <= set(compose["volumes"])


def test_image_is_built_from_the_pinned_airflow_version(compose: dict[str, Any]) -> None:
    pin = airflow_pin()
    common = compose["x-airflow-common"]
    assert common["build"]["args"]["AIRFLOW_VERSION"] == pin
    assert common["image"].endswith(f":{pin}")
    dockerfile = (ROOT / common["build"]["context"] / "Dockerfile").read_text()
    assert re.search(rf"^ARG AIRFLOW_VERSION={re.escape(pin)}$", dockerfile, re.MULTILINE)
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}", dockerfile, re.MULTILINE)
    assert "pip install --no-cache-dir -r /requirements.txt" in dockerfile
