"""The lexicon files: the source word lists round-trip, and older folders without them still load."""

from __future__ import annotations

from pathlib import Path

import srsly

from claimflow.nlp.lexicon import PACKAGED_DIR, SOURCE_LISTS, SOURCES_FILE, Lexicon


def test_lexicon_source_lists_round_trip(tmp_path: Path) -> None:
    lexicon = Lexicon.from_dir(PACKAGED_DIR)
    lexicon.to_dir(tmp_path)
    again = Lexicon.from_dir(tmp_path)
    for key in ("titles", "organisations", *SOURCE_LISTS):
        assert getattr(again, key) == getattr(lexicon, key), key
    assert {"report", "poll"} <= lexicon.documents and {"voter", "percent"} <= lexicon.groups
    assert "familiar with" in lexicon.unnamed and "not authorized" in lexicon.anonymity


def test_lexicon_without_source_lists_loads_them_empty(tmp_path: Path) -> None:
    """A pipeline saved before the source lists existed keeps loading (with no such words)."""
    Lexicon.from_dir(PACKAGED_DIR).to_dir(tmp_path)
    sources = srsly.read_json(tmp_path / SOURCES_FILE)
    srsly.write_json(tmp_path / SOURCES_FILE, {"titles": sources["titles"]})
    old = Lexicon.from_dir(tmp_path)
    assert old.titles and not old.organisations
    assert all(getattr(old, key) == frozenset() for key in SOURCE_LISTS)
