"""The CLI's exit codes and messages, and ``claimflow summary`` over a published day."""

from __future__ import annotations

import json
import re

from claimflow import layout
from claimflow.cli import main
from claimflow.storage import LocalStore

DAY = "2026-11-26"


def test_extract_skips_bad_inputs_with_the_reason(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("The mayor said the bridge would reopen in May.")
    (tmp_path / "bad.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(tmp_path / "good.txt"), str(tmp_path / "bad.txt"), "--out", str(out)]) == 0
    assert [json.loads(line)["path"] for line in out.read_text().splitlines()] == [str(tmp_path / "good.txt")]
    assert "reason=empty" in caplog.text


def test_extract_fails_when_every_input_is_bad(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"")
    assert main(["extract", str(tmp_path / "bad.txt"), "--out", str(tmp_path / "o.jsonl")]) == 2


def test_run_publishes_a_day_and_summary_prints_it(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Officials said on Monday that the border crossing would reopen next week.")
    lake = tmp_path / "lake"
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(src))
    assert main(["run", "--day", DAY, "--run-id", "manual__1", "--lake", str(lake)]) == 0
    ran = capsys.readouterr().out
    assert main(["summary", "--day", DAY, "--lake", str(lake)]) == 0
    printed = capsys.readouterr().out
    assert printed == ran
    assert "claimflow 2026-11-26  run manual__1" in printed
    assert "articles ingested 1  published 1  quarantined 0" in printed
    assert "data quality: passed" in printed
    assert re.search(r"claims\s+\d+ rows  version    1  " + re.escape(str(lake / "claims")), printed)
    assert not list(LocalStore(lake).list("_staging/"))


def test_run_of_a_day_failing_quality_says_so_and_leaves_no_staging(tmp_path, capsys, monkeypatch):
    (tmp_path / "in").mkdir()
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(tmp_path / "in"))  # nothing to read
    assert main(["run", "--day", DAY, "--lake", str(tmp_path / "lake")]) == 1
    assert "2026-11-26 not published: batch 2026-11-26 failed data quality" in capsys.readouterr().out
    assert not list(LocalStore(tmp_path / "lake").list("_staging/"))


def test_summary_of_an_unreadable_manifest_says_so(tmp_path, capsys):
    LocalStore(tmp_path).put_bytes(layout.manifest(DAY), b"{broken")
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    assert "is unreadable: not JSON" in capsys.readouterr().out


def test_summary_of_an_unpublished_day_says_so(tmp_path, capsys):
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    assert "not published" in capsys.readouterr().out
