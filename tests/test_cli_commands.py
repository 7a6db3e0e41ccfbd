"""The CLI's exit codes and messages, and ``claimflow summary`` over a published day."""

from __future__ import annotations

import json

from claimflow import stages
from claimflow.cli import main
from claimflow.config import Settings

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


def test_summary_prints_a_published_day(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Officials said on Monday that the border crossing would reopen next week.")
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": str(src)})
    run = "manual__1"
    extracted = [stages.extract(settings, uri) for uri in stages.ingest(settings, DAY, run).shard_uris]
    stages.publish(settings, DAY, run, stages.validate(settings, DAY, run, extracted))
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path / "lake")]) == 0
    printed = capsys.readouterr().out
    assert "articles ingested 1  published 1  quarantined 0" in printed
    assert "data quality: passed" in printed


def test_summary_of_an_unpublished_day_says_so(tmp_path, capsys):
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    assert "not published" in capsys.readouterr().out
