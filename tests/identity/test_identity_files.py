"""The user's pins, splits and knowledge base: what they take, and refusals that say what to write."""

from __future__ import annotations

import json
import logging

import pytest

from claimflow.identity.files import IDENTITIES_FILE, Identities, KbEntry, load_identities, load_kb, parse_identities


def test_the_shipped_identities_file_reads(tmp_path):
    from pathlib import Path

    include = Path(__file__).resolve().parents[2] / "include"
    assert load_identities(include) == Identities()
    assert load_identities(tmp_path) == Identities()  # no file: no pins, no splits


def test_pins_and_splits_are_keyed_like_names(tmp_path):
    (tmp_path / IDENTITIES_FILE).parent.mkdir(parents=True)
    (tmp_path / IDENTITIES_FILE).write_text(json.dumps({"pin": {"Donald Trump": ["D.J.T."]}, "split": ["CLINTON"]}))
    identities = load_identities(tmp_path)
    assert identities.pinned() == {"donaldtrump": "Donald Trump", "djt": "Donald Trump"}
    assert identities.splits == frozenset({"clinton"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param([], "expected a JSON object", id="not an object"),
        pytest.param({"pin": {"Donald Trump": "Trump"}}, "pin must map canonical names to lists", id="forms not a list"),
        pytest.param({"split": "Clinton"}, "split must be a list", id="split not a list"),
        pytest.param({"pin": {"Bill Clinton": ["Clinton"], "Hillary Clinton": ["Clinton"]}}, "pinned to one entity only",
                     id="one form, two pins"),
        pytest.param({"pin": {"Hillary Clinton": ["Clinton"]}, "split": ["clinton"]}, "pinned and split at once",
                     id="pinned and split"),
    ],
)
def test_a_bad_identities_file_is_refused_with_an_example(data, message):
    with pytest.raises(ValueError, match=message):
        parse_identities(data, "identities.json")


def test_a_knowledge_base_line_that_is_no_entry_is_skipped_with_its_number(tmp_path, caplog):
    kb = tmp_path / "kb.jsonl"
    kb.write_text('{"id": "Q30", "name": "United States", "aliases": ["USA"], "label": "GPE"}\n\n[1]\n'
                  '{"id": "", "name": "Nobody"}\n{"id": "Q1", "name": "Universe"}\n')
    with caplog.at_level(logging.WARNING):
        entries = load_kb(kb)
    assert entries == (KbEntry("Q30", "United States", ("USA",), "GPE"), KbEntry("Q1", "Universe"))
    assert "line 3 skipped" in caplog.text and "line 4 skipped" in caplog.text


def test_no_knowledge_base_is_none_and_a_missing_one_is_refused(tmp_path):
    assert load_kb(None) == ()
    with pytest.raises(ValueError, match="CLAIMFLOW_ENTITY_KB: no knowledge base file at"):
        load_kb(tmp_path / "absent.jsonl")
