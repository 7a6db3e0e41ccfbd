"""``claimflow evaluate --source-kinds``: the scorer's arithmetic, the command on a team-written
fixture with a fixed classifier (known scores) and with the real one (structure only), and the
PolNeAR gold files themselves (offsets and hashes still match the corpus)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import pytest

from claimflow.evaluation.brat import read_text
from claimflow.evaluation.cli import add_parsers, run_source_kinds
from claimflow.evaluation.source_kinds import GOLD_KINDS, KindScores, read_gold, span_sha1

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINI = FIXTURES / "source_kinds_mini"
GOLD = FIXTURES / "source_kinds"
POLNEAR = Path(__file__).resolve().parents[3] / "shared" / "data" / "polnear"

# The fixed classifier: each fixture span's text to the kind it "predicts". Three are wrong on
# purpose ("She" as pronoun, "The report" and "Residents" as anonymous), so every measure moves.
FIXED = {
    "Mayor Ana Ruiz": "person",
    "She": "pronoun",
    "A city official": "anonymous",
    "The report": "anonymous",
    "Residents": "anonymous",
    "Northwind Steel": "organisation",
    "The company": "organisation",
    "A spokeswoman for the union": "anonymous",
    "a survey": "document",
    "Analysts": "group",
    "You": "pronoun",
    "Two senior officials": "anonymous",
    "Dr. Tom Hale": "person",
}

# Worked out by hand from the fixture's gold (dev.jsonl) and FIXED: 13 spans scored, 10 right;
# one row with a stale hash and one for a missing article are skipped and counted.
EXPECTED_PER_KIND = {
    "person": {"precision": 100.0, "recall": 66.7, "f1": 80.0, "support": 3},
    "organisation": {"precision": 100.0, "recall": 100.0, "f1": 100.0, "support": 2},
    "anonymous": {"precision": 60.0, "recall": 100.0, "f1": 75.0, "support": 3},
    "group": {"precision": 100.0, "recall": 50.0, "f1": 66.7, "support": 2},
    "document": {"precision": 100.0, "recall": 50.0, "f1": 66.7, "support": 2},
    "pronoun": {"precision": 50.0, "recall": 100.0, "f1": 66.7, "support": 1},
}
EXPECTED_CONFUSION = {
    "person": {"person": 2, "organisation": 0, "anonymous": 0, "group": 0, "document": 0, "pronoun": 1},
    "organisation": {"person": 0, "organisation": 2, "anonymous": 0, "group": 0, "document": 0, "pronoun": 0},
    "anonymous": {"person": 0, "organisation": 0, "anonymous": 3, "group": 0, "document": 0, "pronoun": 0},
    "group": {"person": 0, "organisation": 0, "anonymous": 1, "group": 1, "document": 0, "pronoun": 0},
    "document": {"person": 0, "organisation": 0, "anonymous": 1, "group": 0, "document": 1, "pronoun": 0},
    "pronoun": {"person": 0, "organisation": 0, "anonymous": 0, "group": 0, "document": 0, "pronoun": 1},
}


def fixed_classifier(doc, spans):
    return [FIXED[doc.text[start:end]] for start, end in spans]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="claimflow")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


MINI_ARGS = ["evaluate", "--source-kinds", "--gold", str(MINI / "dev.jsonl"), "--polnear", str(MINI), "--split", "dev"]


def test_scores_arithmetic_hand_made() -> None:
    scores = KindScores()
    for gold, predicted in [
        ("person", "person"),
        ("person", "person"),
        ("person", "anonymous"),
        ("anonymous", "anonymous"),
        ("document", "anonymous"),
        ("document", "none"),
    ]:
        scores.add(gold, predicted)
    report = scores.report()
    assert report["spans"] == 6
    assert report["accuracy"] == 50.0
    assert report["per_kind"] == {
        "person": {"precision": 100.0, "recall": 66.7, "f1": 80.0, "support": 3},
        "anonymous": {"precision": 33.3, "recall": 100.0, "f1": 50.0, "support": 1},
        "document": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2},
        "none": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0},
    }
    assert report["confusion"]["document"] == {"person": 0, "anonymous": 1, "document": 0, "none": 1}
    assert sum(sum(row.values()) for row in report["confusion"].values()) == 6


def test_command_with_fixed_classifier_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_source_kinds(parse([*MINI_ARGS, "--json"]), classify=fixed_classifier) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spans"] == 13
    assert report["articles"] == 3
    assert report["accuracy"] == 76.9
    assert report["skipped_changed"] == 1
    assert report["skipped_missing"] == 1
    assert report["per_kind"] == EXPECTED_PER_KIND
    assert report["confusion"] == EXPECTED_CONFUSION


def test_command_with_fixed_classifier_prints_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_source_kinds(parse(MINI_ARGS), classify=fixed_classifier) == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == "source kinds: 13 spans in 3 articles; accuracy 76.9% (skipped: 1 changed text, 1 missing article)"
    assert "anonymous 60.0 100.0 75.0 3" in lines
    assert "gold/predicted person organisation anonymous group document pronoun" in lines
    assert "group 0 0 1 1 0 0" in lines
    assert any(line.startswith("in-pipeline agreement:") for line in lines)


def test_command_end_to_end_structure(capsys: pytest.CaptureFixture[str]) -> None:
    """The real classifier on the fixture: the shape of the report, not how good it is today."""
    args = parse([*MINI_ARGS, "--json"])
    assert args.func(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"spans", "accuracy", "per_kind", "confusion", "articles", "skipped_changed", "skipped_missing",
            "in_pipeline"} <= set(report)
    assert report["spans"] == 13
    gold = Counter(kind for kind, row in EXPECTED_PER_KIND.items() for _ in range(row["support"]))
    assert {k: row["support"] for k, row in report["per_kind"].items() if row["support"]} == dict(gold)
    assert sum(sum(row.values()) for row in report["confusion"].values()) == 13
    assert {k: sum(row.values()) for k, row in report["confusion"].items() if sum(row.values())} == dict(gold)
    assert 0 <= report["in_pipeline"]["covered"] <= 13


def test_bad_gold_row_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "dev.jsonl"
    bad.write_text('{"doc": "mini_101_harbour", "start": 0, "end": 4, "kind": "celebrity", "sha1": "x"}\n')
    args = parse(["evaluate", "--source-kinds", "--gold", str(bad), "--polnear", str(MINI)])
    assert args.func(args) == 2
    assert "dev.jsonl:1: kind 'celebrity'" in capsys.readouterr().err


@pytest.mark.parametrize("split", ["train", "dev"])
def test_gold_file_rows_are_well_formed(split: str) -> None:
    rows = read_gold(GOLD / f"{split}.jsonl")
    keys = [(r.doc, r.start, r.end) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate spans"
    assert all(r.kind in GOLD_KINDS for r in rows)


def test_gold_set_size_and_kinds() -> None:
    rows = read_gold(GOLD / "train.jsonl") + read_gold(GOLD / "dev.jsonl")
    assert len(rows) >= 400
    counts = Counter(r.kind for r in rows)
    frequent = [k for k, n in counts.items() if n >= 40]
    assert {"person", "organisation", "anonymous", "group", "document"} <= set(frequent)


@pytest.mark.polnear
@pytest.mark.skipif(not (POLNEAR / "dev" / "text").is_dir(), reason="../shared/data/polnear is not present")
@pytest.mark.parametrize("split", ["train", "dev"])
def test_gold_offsets_match_polnear(split: str) -> None:
    for row in read_gold(GOLD / f"{split}.jsonl"):
        text = read_text(POLNEAR / split / "text" / f"{row.doc}.txt")
        assert row.end <= len(text), row
        assert span_sha1(text[row.start : row.end]) == row.sha1, row
