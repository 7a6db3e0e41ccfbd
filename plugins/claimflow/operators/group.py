"""claimflow's day as a task group to drop into any DAG, between the user's own tasks.

The pattern of astronomer-cosmos's ``DbtTaskGroup``: the group builds ingest → extract (one
mapped task per shard) → validate → publish, with remove staging as the teardown of the staging
step, so it runs whether the day published or failed, without deciding the run's state. A team
that brings its own ingest hands the output of its staging task (:func:`~claimflow.operators.stage_articles`)
as ``shards``: the group then extracts, validates and publishes those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import Asset, TaskGroup
from airflow.sdk.definitions.xcom_arg import XComArg

from claimflow.operators.steps import (
    ExtractOperator,
    IngestOperator,
    PublishOperator,
    RemoveStagingOperator,
    ValidateOperator,
)


class ClaimflowTaskGroup(TaskGroup):
    """Ingest, extract, validate and publish one day into the lake, as a task group.

    Args:
        group_id: the group's id (its tasks are ``<group_id>.ingest`` … unless ``prefix_group_id=False``).
        sources: where the day's articles are (CLAIMFLOW_SOURCES' addresses); None: Variables/environment.
        lake: the lake (a folder or ``s3://bucket/prefix``); None: Variables/environment.
        day: the day to process, templated (``"{{ ds }}"``); None: the run's (:func:`claimflow.days.run_day`).
        spacy_model, aws_conn_id: as CLAIMFLOW_SPACY_MODEL and CLAIMFLOW_AWS_CONN_ID; None: Variables/environment.
        settings: any other ``CLAIMFLOW_*`` setting by name, e.g. ``{"CLAIMFLOW_SHARD_SIZE": "200"}``.
        shards: the output of the user's own staging task (shard URIs from ``stage_articles``)
            instead of claimflow's ingest; that task becomes the setup remove staging tears down.
        assets: the asset of each table publish emits events for (default ``claimflow_<table>``).
        operator_args: more arguments for every step (``pool``, ``queue``, ``execution_timeout``…).
        **kwargs: TaskGroup's own (``tooltip``, ``prefix_group_id``, ``default_args``, ``ui_color``…).
    """

    def __init__(
        self,
        group_id: str = "claimflow",
        *,
        sources: str | Sequence[str] | None = None,
        lake: str | None = None,
        day: str | None = None,
        spacy_model: str | None = None,
        aws_conn_id: str | None = None,
        settings: Mapping[str, str] | None = None,
        shards: XComArg | None = None,
        assets: Mapping[str, Asset] | None = None,
        operator_args: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if shards is not None and sources is not None:
            raise ValueError("expected either sources (claimflow ingests) or shards (your task staged them), got both")
        if shards is not None and not isinstance(shards, XComArg):
            raise TypeError(f"expected shards as a task's output (an XComArg), got {type(shards).__name__}")
        kwargs.setdefault("tooltip", "claimflow: ingest → extract → validate → publish one day of news")
        super().__init__(group_id=group_id, **kwargs)
        common = {"day": day, "lake": lake, "spacy_model": spacy_model, "aws_conn_id": aws_conn_id,
                  "settings": settings, **(operator_args or {})}
        with self:
            if shards is None:
                ingest = IngestOperator(task_id="ingest", sources=sources, **common)
                staging, shards = ingest, ingest.output
            else:
                staging = shards.operator
            extract = ExtractOperator.partial(task_id="extract", **{**ExtractOperator.step_defaults, **common}).expand(
                shard_uri=shards)
            validate = ValidateOperator(task_id="validate", extracted=extract.output, **common)
            publish = PublishOperator(task_id="publish", staged_uri=validate.output, assets=assets, **common)
            remove = RemoveStagingOperator(task_id="remove_staging", **common)
            publish >> remove.as_teardown(setups=staging)
        self.ingest = staging
        self.publish = publish
