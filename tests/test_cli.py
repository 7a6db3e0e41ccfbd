"""``claimflow extract`` on files: the output shape, exact offsets, and the seeds' hand-checked claims.

The hand-checked spans follow PolNeAR's conventions, on which the extractor is measured: a
source is the whole noun phrase (titles and appositives included), indirect content keeps its
"that", and spans compare after trimming quote marks and edge punctuation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimflow.cli import main
from claimflow.evaluation.metrics import trimmed
from claimflow.models import SOURCE_KINDS, Span

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "seed_claims.json").read_text())


@pytest.fixture(scope="module")
def seed_output(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("extract") / "seeds.jsonl"
    assert main(["extract", str(SEEDS), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return {Path(line["path"].split("#")[0]).name + ("#" + line["path"].split("#")[1] if "#" in line["path"] else ""): line
            for line in lines}


def test_every_seed_article_is_extracted_once(seed_output):
    txt = {p.name for p in SEEDS.glob("*.txt")}
    assert txt <= set(seed_output)
    assert len(seed_output) == len(txt) + 3  # two records in the .jsonl file, one in the .json file


def test_text_is_the_file_exactly_and_every_span_points_into_it(seed_output):
    for name, line in seed_output.items():
        if name.endswith(".txt"):
            assert line["text"] == (SEEDS / name).read_text(encoding="utf-8")
        text = line["text"]
        spans = [m for e in line["entities"] for m in e["mentions"]]
        for claim in line["claims"]:
            spans += [claim["cue"], *claim["content"]] + ([claim["source"]] if claim["source"] else [])
            assert claim["source_kind"] in set(SOURCE_KINDS)
        for span in spans:
            assert text[span["start"]:span["end"]] == span["text"], name


def test_the_article_without_claims_has_none(seed_output):
    assert seed_output["06-elm-bridge-closure-notice.txt"]["claims"] == []


def _nearest(text: str, needle: str, anchor: int) -> tuple[int, int]:
    starts = [i for i in range(len(text)) if text.startswith(needle, i)]
    assert starts, f"{needle!r} not in the text"
    start = min(starts, key=lambda i: abs(i - anchor))
    return start, start + len(needle)


def _occurrence(text: str, needle: str, n: int) -> int:
    start = -1
    for _ in range(n + 1):
        start = text.index(needle, start + 1)
    return start


@pytest.mark.parametrize("expected", EXPECTED, ids=[f"{e['file'][:2]}-{e['cue']}-{e['occurrence']}" for e in EXPECTED])
def test_hand_checked_seed_claims_are_found_with_exact_offsets(seed_output, expected):
    line = seed_output[expected["file"]]
    text = line["text"]
    cue_start = _occurrence(text, expected["cue"], expected["occurrence"])
    cue = (cue_start, cue_start + len(expected["cue"]))
    found = [c for c in line["claims"] if (c["cue"]["start"], c["cue"]["end"]) == cue]
    assert found, f"no claim with the cue {expected['cue']!r} at {cue}"
    (claim,) = found
    content = [_nearest(text, part, cue_start) for part in expected["content"]]
    assert [trimmed(Span(**s), text) for s in claim["content"]] == content
    if expected["source"] is None:
        assert claim["source"] is None
    else:
        assert claim["source"] is not None
        assert trimmed(Span(**claim["source"]), text) == _nearest(text, expected["source"], cue_start)
    assert claim["source_kind"] == expected["source_kind"]
