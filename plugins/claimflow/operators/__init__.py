"""claimflow in your own Airflow DAGs: the day as a task group, each step as an operator.

``ClaimflowTaskGroup`` ingests, extracts, validates and publishes one day between your own
tasks; the operators (:mod:`claimflow.operators.steps`) and :func:`stage_articles` serve a team
that brings its own ingest. Importing this package imports Airflow's SDK and nothing heavy
(spaCy, GX, pandas, pyarrow, deltalake and boto3 load inside the tasks), so DAG files parse fast.
"""

from claimflow.operators.group import ClaimflowTaskGroup
from claimflow.operators.steps import (
    TABLE_ASSETS,
    ExtractOperator,
    IngestOperator,
    PublishOperator,
    RemoveStagingOperator,
    ValidateOperator,
    claimflow_settings,
    stage_articles,
)

__all__ = [
    "TABLE_ASSETS",
    "ClaimflowTaskGroup",
    "ExtractOperator",
    "IngestOperator",
    "PublishOperator",
    "RemoveStagingOperator",
    "ValidateOperator",
    "claimflow_settings",
    "stage_articles",
]
