"""``claimflow evaluate`` on the team's made-up PolNeAR-format fixture, whose scores are known."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from claimflow.evaluation.cli import add_parsers

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "polnear_mini"

# Worked out by hand: 5 gold attributions, the component finds the 4 with a cue verb or
# "according to" (not "The harbour reopened", which has no source and no reporting cue).
# Cue characters: 23 of 31 found; content characters: 117 of 127; exact spans (without whitespace and quote marks): sources 4 of 4, cues 4 of 5, contents 5 of 6.
EXPECTED = {
    "gold_claims": 5,
    "predicted_claims": 4,
    "claims@0.3_precision": 100.0,
    "claims@0.3_recall": 80.0,
    "claims@0.3_f1": 88.9,
    "claims@0.3_source_accuracy": 100.0,
    "claims@0.3_cue_accuracy": 100.0,
    "claims@0.8_precision": 100.0,
    "claims@0.8_recall": 80.0,
    "claims@0.8_f1": 88.9,
    "claims@0.8_source_accuracy": 100.0,
    "claims@0.8_cue_accuracy": 100.0,
    "source_overlap_precision": 100.0,
    "source_overlap_recall": 100.0,
    "source_overlap_f1": 100.0,
    "source_exact_precision": 100.0,
    "source_exact_recall": 100.0,
    "source_exact_f1": 100.0,
    "cue_overlap_precision": 100.0,
    "cue_overlap_recall": 74.2,
    "cue_overlap_f1": 85.2,
    "cue_exact_precision": 100.0,
    "cue_exact_recall": 80.0,
    "cue_exact_f1": 88.9,
    "content_overlap_precision": 100.0,
    "content_overlap_recall": 92.1,
    "content_overlap_f1": 95.9,
    "content_exact_precision": 100.0,
    "content_exact_recall": 83.3,
    "content_exact_f1": 90.9,
    "articles": 3,
}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimflow")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_evaluate_fixture_scores_are_known(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--polnear", str(FIXTURE), "--split", "dev", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    report.pop("seconds")
    assert report == EXPECTED


def test_evaluate_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--polnear", str(FIXTURE), "--split", "dev", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split() == ["claims@0.3_f1", "100.0"] for line in lines)


def test_agreement_scores_a_second_annotator_beside_claimflow(capsys: pytest.CaptureFixture[str]) -> None:
    # Only mini_001_budget has two files; zz99 marked Jane Smith's claim and missed the officials'.
    assert run(["evaluate", "--polnear", str(FIXTURE), "--split", "dev", "--agreement", "--json"]) == 0
    columns = json.loads(capsys.readouterr().out)
    human, system = columns["second_annotator"], columns["claimflow"]
    assert human["articles"] == system["articles"] == 1
    assert (human["gold_claims"], human["predicted_claims"]) == (2, 1)
    assert (human["claims@0.3_precision"], human["claims@0.3_recall"], human["claims@0.3_f1"]) == (100.0, 50.0, 66.7)
    assert (human["cue_overlap_precision"], human["cue_overlap_recall"]) == (100.0, 50.0)
    assert (system["claims@0.3_f1"], system["cue_overlap_f1"]) == (100.0, 100.0)


def test_agreement_prints_one_column_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--polnear", str(FIXTURE), "--split", "dev", "--agreement"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["second_annotator", "claimflow"]
    assert any(line.split() == ["claims@0.3_recall", "50.0", "100.0"] for line in lines)


def test_evaluate_missing_split_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--polnear", str(tmp_path), "--split", "dev"]) == 2
    assert "NAME.txt" in capsys.readouterr().err


def test_train_rebuilds_lexicon_and_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lexicons"
    assert run(["train", "--polnear", str(FIXTURE), "--split", "dev", "--out", str(out)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == 3 and stats["positives"] >= 1
    assert {p.name for p in out.iterdir()} >= {"cues.jsonl", "scorer.json", "stances.json", "hedges.json", "sources.json"}
