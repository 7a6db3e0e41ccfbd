"""A small real lake for the UI tests, made by the pipeline's own stages.

Four days, one per state the page must show: validated but not published, published twice,
and a day whose batch failed data quality (no article at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow import stages
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed

UNPUBLISHED, PUBLISHED_1, PUBLISHED_2, FAILED = "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"
ARTICLES = {
    UNPUBLISHED: ["The mayor said on Monday that the library would stay open."],
    PUBLISHED_1: [
        "The minister said on Tuesday that the bridge would reopen in May.",
        "A security official, who spoke on condition of anonymity, said the border was closed.",
        "Critics said the plan was late, according to a report by the city auditor.",
    ],
    PUBLISHED_2: [
        "The port authority told reporters that the strike had ended.",
        "An aide to the governor, speaking anonymously, said the budget would be cut.",
    ],
    FAILED: [],  # an empty day breaks the critical volume expectation
}


def run_id(day: str) -> str:
    return f"scheduled__{day}T23:30:00+00:00"


def _run(settings: Settings, day: str, *, publish: bool) -> None:
    ingested = stages.ingest(settings, day, run_id(day))
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    staged = stages.validate(settings, day, run_id(day), extracted)
    if publish:
        stages.publish(settings, day, run_id(day), staged)


def build_lake(root: Path) -> Path:
    """A lake under ``root``: days in ``ARTICLES`` order, each in the state its name says."""
    for day, texts in ARTICLES.items():
        folder = root / "in" / day
        folder.mkdir(parents=True)
        for index, text in enumerate(texts):
            (folder / f"{index}.txt").write_text(text)
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(root / "lake"), "CLAIMFLOW_SOURCES": str(root / "in" / "{ds}")})
    _run(settings, UNPUBLISHED, publish=False)
    _run(settings, PUBLISHED_1, publish=True)
    _run(settings, PUBLISHED_2, publish=True)
    with pytest.raises(BatchFailed):
        _run(settings, FAILED, publish=True)
    return root / "lake"
