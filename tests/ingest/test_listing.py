"""Tests of claimflow.ingest.listing: which files a source lists."""

import pytest

from claimflow.ingest.listing import list_inputs


def test_folders_are_listed_recursively_in_name_order_without_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two")
    (tmp_path / "1.txt").write_text("one")
    (tmp_path / "notes.csv").write_text("listed, then refused")
    (tmp_path / ".hidden.txt").write_text("ignored")
    (tmp_path / "_SUCCESS").write_text("ignored")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("ignored")
    names = [item.name.rsplit("/", 1)[-1] for item in list_inputs(str(tmp_path))]
    assert names == ["1.txt", "2.txt", "notes.csv"]


def test_a_missing_source_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        list(list_inputs(str(tmp_path / "nope")))
