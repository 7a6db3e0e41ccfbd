"""Sanity checks for the hand-written seed articles and their hand-checked claims.

These tests do not run the extractor: they guard the fixture itself, so that a
claim test failing later means the extractor regressed, not that the fixture
drifted away from the seed text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claimflow.models import SOURCE_KINDS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURE = ROOT / "tests" / "fixtures" / "seed_claims.json"

MIN_WORDS, MAX_WORDS = 120, 400
NAME_RE = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.(txt|jsonl|json)$")
RECORD_FIELDS = {"id": str, "title": str, "url": str, "published": str, "text": str}


def _seed_files() -> list[Path]:
    return sorted(p for p in SEEDS.iterdir() if p.is_file() and not p.name.startswith("."))


def _records(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    obj = json.loads(raw)
    return obj if isinstance(obj, list) else [obj]


def _articles() -> list[tuple[str, str]]:
    """(label, text) for every article in seeds/, whatever its file format."""
    out = []
    for p in _seed_files():
        if p.suffix == ".txt":
            out.append((p.name, p.read_text(encoding="utf-8")))
        else:
            for rec in _records(p):
                out.append((f"{p.name}#{rec['id']}", rec["text"]))
    return out


def _nth(text: str, needle: str, n: int) -> int:
    pos = -1
    for _ in range(n + 1):
        pos = text.find(needle, pos + 1)
        if pos == -1:
            return -1
    return pos


def _claims() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_seed_file_names_and_formats():
    files = _seed_files()
    assert files, "seeds/ is empty"
    for p in files:
        assert NAME_RE.match(p.name), f"bad seed file name: {p.name}"
        data = p.read_bytes()
        assert data.strip(), f"{p.name} is empty"
        data.decode("utf-8")  # raises on invalid UTF-8


def test_at_least_22_articles():
    assert len(_articles()) >= 22


@pytest.mark.parametrize("label,text", _articles(), ids=lambda v: v if isinstance(v, str) and len(v) < 60 else "")
def test_article_length(label, text):
    n = len(text.split())
    assert MIN_WORDS <= n <= MAX_WORDS, f"{label}: {n} words"


@pytest.mark.parametrize("name", ["21-wire-batch.jsonl", "22-single-record.json"])
def test_records_have_typed_fields(name):
    path = SEEDS / name
    recs = _records(path)
    assert recs
    if name.endswith(".jsonl"):
        assert len(recs) == 2
    else:
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    for rec in recs:
        for field, typ in RECORD_FIELDS.items():
            assert isinstance(rec.get(field), typ), f"{name}: {field!r} missing or not {typ.__name__}"
            assert rec[field].strip(), f"{name}: {field!r} is blank"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["published"]), rec["published"]
        assert rec["url"].startswith(("http://", "https://"))
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids))


def test_fixture_shape():
    claims = _claims()
    assert 25 <= len(claims) <= 40
    assert len({c["file"] for c in claims}) >= 8
    for c in claims:
        assert set(c) == {"file", "source", "cue", "content", "source_kind", "occurrence"}
        assert c["file"].endswith(".txt")
        assert c["source"] is None or isinstance(c["source"], str)
        assert isinstance(c["cue"], str) and c["cue"]
        assert isinstance(c["content"], list) and c["content"]
        assert all(isinstance(s, str) and s for s in c["content"])
        assert c["source_kind"] in SOURCE_KINDS
        assert (c["source"] is None) == (c["source_kind"] == "none")
        assert isinstance(c["occurrence"], int) and c["occurrence"] >= 0


@pytest.mark.parametrize("claim", _claims(), ids=lambda c: f"{c['file']}:{c['cue']}#{c['occurrence']}")
def test_fixture_strings_are_in_their_file(claim):
    text = (SEEDS / claim["file"]).read_text(encoding="utf-8")
    if claim["source"] is not None:
        assert claim["source"] in text
    cue_at = _nth(text, claim["cue"], claim["occurrence"])
    assert cue_at != -1, f"cue {claim['cue']!r} has no occurrence {claim['occurrence']}"
    last = -1
    for part in claim["content"]:
        at = text.find(part, last + 1)
        assert at != -1, f"content not found (in order): {part!r}"
        last = at
    # the cue sits near its content: within the same paragraph as one of the content parts
    cue_para = text.count("\n", 0, cue_at)
    paras = {text.count("\n", 0, text.find(p)) for p in claim["content"]}
    assert cue_para in paras, "cue occurrence is not in the paragraph of its content"


def test_no_claims_article_has_no_reporting_cues():
    text = (SEEDS / "06-elm-bridge-closure-notice.txt").read_text(encoding="utf-8").lower()
    for cue in ("said", "says", "told", "according to", "reported", "claimed", "stated", "announced", "believe"):
        assert cue not in text, cue
