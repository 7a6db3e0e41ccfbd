"""Where claimflow's core meets Airflow: the only core module that imports it, and only inside
functions, so ``import claimflow`` works (the CLI, the tests, a ``pip install claimflow``)
where Airflow is not installed.

The DAGs build their :class:`~claimflow.config.Settings` here (:func:`task_settings`, which also
hands the secrets in them to Airflow's log masker), and the S3 backend asks here for the Airflow
connection its client may come from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from claimflow.config import VARIABLES, Settings
from claimflow.redact import secrets_in

log = logging.getLogger(__name__)

# Airflow Variables that override the environment, each with the variable it overrides.
AIRFLOW_VARIABLES = {
    "claimflow_lake": "CLAIMFLOW_LAKE",
    "claimflow_sources": "CLAIMFLOW_SOURCES",
    "claimflow_spacy_model": "CLAIMFLOW_SPACY_MODEL",
}


def task_settings(overrides: Mapping[str, str] | None = None) -> Settings:
    """Settings inside an Airflow task: the environment, overridden by the Airflow Variables
    ``claimflow_lake``, ``claimflow_sources`` and ``claimflow_spacy_model``, overridden by
    ``overrides`` (``CLAIMFLOW_*`` names to their text: what an operator's arguments say).
    Called at run time only (a Variable read at parse time would hit the metadata DB on every parse).

    Raises:
        ValueError: an override that names no ``CLAIMFLOW_*`` setting, or whose value is not of its form.
    """
    from airflow.sdk import Variable

    overrides = dict(overrides or {})
    if unknown := sorted(set(overrides) - {variable.name for variable in VARIABLES}):
        raise ValueError(f"expected CLAIMFLOW_* setting names such as CLAIMFLOW_SHARD_SIZE, got {', '.join(unknown)}")
    env = dict(os.environ)
    for name, variable in AIRFLOW_VARIABLES.items():
        if variable in overrides:  # an argument wins: no metadata DB look-up for it
            continue
        value = Variable.get(name, default=None)
        if value:
            env[variable] = value
    settings = Settings.from_env({**env, **overrides})
    mask_secrets(settings)
    return settings


def mask_secrets(settings: Settings) -> None:
    """Hand Airflow's log masker the secrets of the settings: the credentials and secret
    parameters of the source addresses (:func:`claimflow.redact.secrets_in`) and the values of
    the per-host fetch headers. claimflow's own log lines are redacted already; this covers what
    another library might log in the task (an exception quoting an address, a request header)."""
    from airflow.sdk.log import mask_secret

    for source in settings.sources:
        for secret in secrets_in(source):
            mask_secret(secret)
    for headers in settings.fetch_headers.values():
        for value in headers.values():
            mask_secret(value)


def s3_hook(aws_conn_id: str | None) -> Any:
    """The S3Hook of the Airflow connection ``aws_conn_id``, or None where there is no such
    connection (or no Airflow)."""
    if aws_conn_id and _connection_exists(aws_conn_id):
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        log.info("S3 client from Airflow connection %r", aws_conn_id)
        return S3Hook(aws_conn_id=aws_conn_id)
    if aws_conn_id:  # the usual case outside Airflow (the CLI): debug, so a CLI error stays one line
        log.debug("no Airflow connection %r; S3 client from boto3's standard environment", aws_conn_id)
    return None


def _connection_exists(conn_id: str) -> bool:
    """Whether Airflow knows ``conn_id``; False where Airflow itself is not installed."""
    try:
        from airflow.providers.common.compat.sdk import AirflowNotFoundException, BaseHook
    except ImportError:
        return False
    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True
