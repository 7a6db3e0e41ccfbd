"""The Airflow side of the settings: Variables over the environment, secrets handed to the log masker."""

from __future__ import annotations

import pytest

from claimflow import airflow_glue


def test_task_settings_hand_the_secrets_of_sources_and_headers_to_airflows_masker(monkeypatch: pytest.MonkeyPatch) -> None:
    import airflow.sdk
    import airflow.sdk.log

    masked: list[str] = []
    monkeypatch.setattr(airflow.sdk.log, "mask_secret", lambda secret, name=None: masked.append(secret))
    monkeypatch.setattr(airflow.sdk.Variable, "get", staticmethod(lambda name, default=None: None))
    monkeypatch.setenv("CLAIMFLOW_SOURCES", "https://reader:hunter2@news.example/feed?api_key=s3cr3t&page=2,/data/seeds")
    monkeypatch.setenv("CLAIMFLOW_FETCH_HEADERS", '{"api.example": {"Authorization": "Bearer b34r3r"}}')
    settings = airflow_glue.task_settings()
    assert settings.sources[1] == "/data/seeds"
    assert {"hunter2", "s3cr3t", "Bearer b34r3r"} <= set(masked)
    assert not any("news.example" in secret or "page" in secret for secret in masked)  # the address itself stays readable
