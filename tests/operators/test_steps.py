"""The operators' settings and day, checked at the boundary: arguments first, then Airflow
Variables, then the environment; a bad day or setting name refused with what was expected."""

from __future__ import annotations

import datetime as dt

import pytest

from claimflow.operators import ClaimflowTaskGroup, PublishOperator, claimflow_settings
from claimflow.operators.steps import step_day


@pytest.fixture
def variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The Airflow Variables a test sets (read through airflow.sdk.Variable.get)."""
    import airflow.sdk

    values: dict[str, str] = {}
    monkeypatch.setattr(airflow.sdk.Variable, "get", staticmethod(lambda name, default=None: values.get(name, default)))
    return values


def test_arguments_win_over_variables_which_win_over_the_environment(monkeypatch, variables):
    monkeypatch.setenv("CLAIMFLOW_LAKE", "/env/lake")
    monkeypatch.setenv("CLAIMFLOW_SOURCES", "/env/news")
    monkeypatch.setenv("CLAIMFLOW_SPACY_MODEL", "env_model")
    monkeypatch.setenv("CLAIMFLOW_SHARD_SIZE", "50")
    variables.update({"claimflow_lake": "/variable/lake", "claimflow_sources": "/variable/news"})
    settings = claimflow_settings(lake="/argument/lake", settings={"CLAIMFLOW_SHARD_SIZE": "8"})
    assert (settings.lake, settings.sources, settings.spacy_model, settings.shard_size) == (
        "/argument/lake", ("/variable/news",), "env_model", 8)


def test_sources_given_as_a_list_are_each_a_source(variables):
    assert claimflow_settings(sources=["/a", "s3://news/{ds}/"]).sources == ("/a", "s3://news/{ds}/")


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    pytest.param({"sources": ["/a,b"]}, ValueError, "without commas", id="a listed source with a comma"),
    pytest.param({"sources": ["/a", 3]}, TypeError, "list of strings", id="a source that is no string"),
    pytest.param({"settings": {"SHARD_SIZE": "8"}}, ValueError, "CLAIMFLOW_\\* setting names.*SHARD_SIZE", id="unknown name"),
    pytest.param({"settings": {"CLAIMFLOW_SHARD_SIZE": "many"}}, ValueError, "CLAIMFLOW_SHARD_SIZE", id="bad value"),
    pytest.param({"settings": {"CLAIMFLOW_SHARD_SIZE": 8}}, TypeError, "as text.*CLAIMFLOW_SHARD_SIZE=8", id="a value not text"),
])
def test_bad_settings_are_refused_with_what_was_expected(variables, kwargs, error, match):
    with pytest.raises(error, match=match):
        claimflow_settings(**kwargs)


def test_the_day_is_the_runs_unless_given():
    context = {"logical_date": dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc), "data_interval_start": None}
    assert step_day(None, context) == "2026-11-26"
    assert step_day("2026-02-03", context) == "2026-02-03"


@pytest.mark.parametrize("day", ["2026-02-30", "26-11-2026", "2026-11-26T00:00:00", "../2026-11-26", ""])
def test_a_day_not_a_calendar_day_fails_the_task_without_retry(day):
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="YYYY-MM-DD"):
        step_day(day, {})


def test_publish_refuses_assets_of_tables_it_does_not_publish():
    from airflow.sdk import Asset

    with pytest.raises(ValueError, match="expected assets keyed by table .* got people"):
        PublishOperator(task_id="publish", staged_uri="file:///x", assets={"people": Asset(name="people")})


def test_the_group_takes_sources_or_a_tasks_shards_not_both():
    from airflow.sdk import DAG, task

    @task
    def stage() -> list[str]:
        return []

    with DAG("both", schedule=None), pytest.raises(ValueError, match="either sources .* or shards"):
        ClaimflowTaskGroup(sources="/news", shards=stage())
    with DAG("a_list", schedule=None), pytest.raises(TypeError, match=r"an XComArg\), got list"):
        ClaimflowTaskGroup(shards=["file:///shard"])
