"""A DAG written the way a claimflow user writes one: their own upstream check, claimflow's task
group configured by arguments (templated from the run's params), their own downstream task."""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from claimflow.operators import ClaimflowTaskGroup


@dag(
    dag_id="user_news_pipeline",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["team"],
    params={"news": Param("", type="string"), "lake": Param("", type="string")},
    default_args={"retries": 1},
)
def user_news_pipeline():
    @task
    def check_news_arrived(params=None) -> int:
        from pathlib import Path

        files = [p for p in Path(params["news"]).iterdir() if p.is_file()]
        if not files:
            raise ValueError(f"no news in {params['news']}")
        return len(files)

    @task
    def tell_the_desk(published: dict) -> str:
        return f"{published['published']} articles of {published['day']} in {published['manifest']}"

    news = ClaimflowTaskGroup(
        "claims",
        sources="{{ params.news }}",
        lake="{{ params.lake }}",
        day="{{ ds }}",
        settings={"CLAIMFLOW_SHARD_SIZE": "8"},
    )
    check_news_arrived() >> news
    tell_the_desk(news.publish.output)


user_news_pipeline()
