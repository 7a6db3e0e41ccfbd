"""The claim component on the real PolNeAR dev split (first 20 articles), when ../shared is present.

A floor, not the target: it catches a broken component or reader, not a point of F1. The full
split is measured with ``claimflow evaluate --polnear ../shared/data/polnear --split dev``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow.evaluation.cli import evaluate

POLNEAR = Path(__file__).resolve().parents[3] / "shared" / "data" / "polnear"

pytestmark = [
    pytest.mark.polnear,
    pytest.mark.skipif(not (POLNEAR / "dev" / "text").is_dir(), reason="../shared/data/polnear is not present"),
]


def test_polnear_dev_sample_scores() -> None:
    report = evaluate(POLNEAR, "dev", limit=20)
    assert report["articles"] == 20
    assert report["claims@0.3_precision"] >= 75.0
    assert report["claims@0.3_f1"] >= 60.0
    assert report["claims@0.3_source_accuracy"] >= 80.0
