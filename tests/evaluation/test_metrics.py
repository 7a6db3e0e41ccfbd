"""The issue-3 metrics on hand-made spans, with scores worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow.evaluation.brat import read_pairs
from claimflow.evaluation.metrics import Counts, trimmed
from claimflow.models import Claim, Span
from claimflow.nlp.scoring import Attribution, as_attribution, chars, match

TEXT = "Ann said the sky is blue. Bob said, “Rain falls.”"


def sp(text: str, piece: str, start: int = 0) -> Span:
    at = text.index(piece, start)
    return Span.of(text, at, at + len(piece))


def att(source: str | None, cue: str, *content: str, text: str = TEXT) -> Attribution:
    return Attribution(
        (sp(text, source),) if source else (), (sp(text, cue),), tuple(sp(text, c) for c in content)
    )


def test_chars_skip_whitespace() -> None:
    assert len(chars([sp(TEXT, "the sky is blue")], TEXT)) == 12


@pytest.mark.parametrize(
    "piece, expected",
    [
        pytest.param("“Rain falls.”", "Rain falls", id="quote marks and final stop"),
        pytest.param(" the sky ", "the sky", id="spaces"),
        pytest.param("said, ", "said", id="edge comma"),
    ],
)
def test_trimmed_cuts_quotes_space_and_edge_punctuation(piece: str, expected: str) -> None:
    start, end = trimmed(sp(TEXT, piece), TEXT)
    assert TEXT[start:end] == expected


@pytest.mark.parametrize(
    "pred, threshold, matched",
    [
        pytest.param("the sky", 0.3, True, id="half the content at 0.3"),
        pytest.param("the sky", 0.8, False, id="half the content at 0.8"),
        pytest.param("the sky is blue", 0.8, True, id="all of it"),
        pytest.param("Ann", 0.3, False, id="no overlap"),
    ],
)
def test_match_needs_coverage_of_gold_content(pred: str, threshold: float, matched: bool) -> None:
    gold = [att("Ann", "said", "the sky is blue")]
    assert bool(match(TEXT, gold, [att("Ann", "said", pred)], threshold)) is matched


def test_match_is_one_to_one_by_best_jaccard() -> None:
    gold = [att("Ann", "said", "the sky is blue")]
    loose = att("Ann", "said", "Ann said the sky is blue")
    tight = att("Ann", "said", "the sky is blue")
    pairs = match(TEXT, gold, [loose, tight], 0.3)
    assert pairs == [(gold[0], tight)]


def test_counts_on_a_worked_example() -> None:
    bob_said = sp(TEXT, "said", TEXT.index("Bob"))
    gold = [att("Ann", "said", "the sky is blue"), Attribution((sp(TEXT, "Bob"),), (bob_said,), (sp(TEXT, "“Rain falls.”"),))]
    pred = [
        # Bob's claim, right but for its cue (Ann's "said")
        att("Bob", "said", "“Rain falls.”"),
        # Ann's claim covering 6 of its 12 characters
        att("Ann", "said", "the sky"),
        # a spurious claim
        Attribution((), (sp(TEXT, "falls"),), (sp(TEXT, "Ann"),)),
    ]
    counts = Counts()
    counts.add(TEXT, gold, pred)
    report = counts.report()
    assert report["gold_claims"] == 2 and report["predicted_claims"] == 3
    assert report["claims@0.3_precision"] == 66.7  # 2 of 3
    assert report["claims@0.3_recall"] == 100.0
    assert report["claims@0.3_f1"] == 80.0
    assert report["claims@0.8_recall"] == 50.0  # "the sky" covers 6/12 only
    assert report["claims@0.3_source_accuracy"] == 100.0
    assert report["claims@0.3_cue_accuracy"] == 50.0
    # content: gold 12 + 12 = 24 characters; predicted 12 + 6 + 3 = 21; overlap 18
    assert report["content_overlap_precision"] == 85.7
    assert report["content_overlap_recall"] == 75.0
    # exact spans without quote marks: gold {the sky is blue, Rain falls.}, predicted {Rain falls., the sky, Ann}
    assert report["content_exact_f1"] == 40.0
    # cue characters: gold {said, said} = 8, predicted {said, falls} = 9, overlap 4
    assert report["cue_overlap_precision"] == 44.4
    assert report["cue_overlap_recall"] == 50.0


def test_source_accuracy_needs_no_source_when_gold_has_none() -> None:
    gold = [att(None, "said", "the sky is blue")]
    with_source = Counts()
    with_source.add(TEXT, gold, [att("Ann", "said", "the sky is blue")])
    without = Counts()
    without.add(TEXT, gold, [att(None, "said", "the sky is blue")])
    assert with_source.report()["claims@0.3_source_accuracy"] == 0.0
    assert without.report()["claims@0.3_source_accuracy"] == 100.0


def test_as_attribution_keeps_split_content() -> None:
    claim = Claim(
        cue=sp(TEXT, "said"), content=(sp(TEXT, "the sky"), sp(TEXT, "blue")), source=None, source_kind="none"
    )
    converted = as_attribution(claim)
    assert converted.source == () and [s.text for s in converted.content] == ["the sky", "blue"]


EXACT_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "polnear_exact"


def test_exact_span_scores_count_as_cofenet_on_a_brat_fixture() -> None:
    # exact_001_gold.ann is the gold, exact_001_predicted.ann plays the prediction. Worked out by hand:
    # source: gold {Ann, Ann, Bob}; predicted {Ann, " Bob" (cut to Bob), Bob again}: 2 distinct, both right.
    # cue: gold {said, added, said}; predicted {said, "added:" (the colon is not cut), said}: 2 of 3.
    # content: gold {the sky is blue, “Rain falls.”, and the two pieces “Sun.” “Wind.”}; predicted
    # {"the sky is blue." (the stop is not cut), Rain falls. (quote marks are), “Sun.”, “Wind.”}: 3 of 4.
    ((gold, predicted),) = read_pairs(EXACT_FIXTURE, "dev")
    counts = Counts()
    counts.add(gold.text, gold.attributions, predicted.attributions)
    report = counts.report()
    exact = {k: v for k, v in report.items() if "_exact_" in k}
    assert exact == {
        "source_exact_precision": 100.0,
        "source_exact_recall": 66.7,
        "source_exact_f1": 80.0,
        "cue_exact_precision": 66.7,
        "cue_exact_recall": 66.7,
        "cue_exact_f1": 66.7,
        "content_exact_precision": 75.0,
        "content_exact_recall": 75.0,
        "content_exact_f1": 75.0,
    }
