"""The CLI's exit codes and messages, and ``claimflow summary`` over a published day."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bad_manifests import ISSUE_19, hostile
from delta_rows import manifest_for

from claimflow import layout
from claimflow.cli import BROKEN_PIPE, CRASHED, USAGE, main
from claimflow.exceptions import BatchFailed
from claimflow.storage import LocalStore

DAY = "2026-11-26"
PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def refused(capsys, argv: list[str]) -> str:
    """The one stderr line of a command the CLI refuses with exit code 2, nothing on stdout."""
    assert main(argv) == USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


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


class _FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return dt.datetime(2026, 12, 7, 18, 16, 9, 123456, tzinfo=tz)


def test_two_runs_without_a_run_id_started_at_once_get_their_own_ids(tmp_path, capsys, monkeypatch):
    """Same clock reading, two runs: each its own run id, staging and lease holder."""
    from claimflow import stages

    (tmp_path / "in").mkdir()
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(tmp_path / "in"))
    monkeypatch.setattr("claimflow.cli.dt", SimpleNamespace(datetime=_FrozenClock, timezone=dt.timezone))
    seen = []

    def ingest(settings, day, run_id):
        seen.append(run_id)
        raise BatchFailed(day, ["stopped after ingest"])

    monkeypatch.setattr(stages, "ingest", ingest)
    for _ in range(2):
        assert main(["run", "--day", DAY, "--lake", str(tmp_path / "lake")]) == 1
    assert len(set(seen)) == 2 and len({layout.staging(DAY, run_id) for run_id in seen}) == 2
    assert all(re.fullmatch(r"cli__20261207T181609\.123456Z_[0-9a-f]{8}", run_id) for run_id in seen), seen
    assert all(layout.run_key(run_id) == run_id for run_id in seen)  # readable as its own key


def test_summary_of_an_unreadable_manifest_says_so(tmp_path, capsys):
    LocalStore(tmp_path).put_bytes(layout.manifest(DAY), b"{broken")
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    assert "is unreadable: not JSON" in capsys.readouterr().out


@pytest.mark.parametrize("case", ISSUE_19)
def test_summary_of_a_hostile_manifest_names_the_day(tmp_path, capsys, case):
    good = manifest_for(DAY, "manual__1", str(tmp_path), tables={"articles": (1, 1)}).to_dict()
    LocalStore(tmp_path).put_bytes(layout.manifest(DAY), hostile(good, case))
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert printed.startswith(f"the manifest of {DAY} in ") and "is unreadable: " in printed
    assert len(printed) < 300  # the reason, not the manifest


def test_summary_of_an_unpublished_day_says_so(tmp_path, capsys):
    assert main(["summary", "--day", DAY, "--lake", str(tmp_path)]) == 1
    assert "not published" in capsys.readouterr().out


def test_a_day_in_another_form_says_the_form_expected(capsys):
    err = refused(capsys, ["summary", "--day", "2026/12/02"])
    assert "expected a day like 2026-11-26, got '2026/12/02'" in err
    assert "see claimflow summary --help" in err


def test_an_unknown_command_is_one_line(capsys):
    assert "invalid choice: 'sumary'" in refused(capsys, ["sumary"])


def test_extract_of_a_missing_file_names_it(capsys):
    err = refused(capsys, ["extract", "/no/such/file"])
    assert err.startswith("claimflow extract: source '/no/such/file' does not exist")


def test_run_with_a_missing_source_names_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(tmp_path / "gone"))
    err = refused(capsys, ["run", "--day", DAY, "--lake", str(tmp_path / "lake")])
    assert f"source '{tmp_path / 'gone'}' does not exist" in err
    assert "--sources or CLAIMFLOW_SOURCES" in err


def test_run_checks_the_folder_a_dated_source_shares_across_days(tmp_path, capsys):
    lake = str(tmp_path / "lake")
    err = refused(capsys, ["run", "--day", DAY, "--lake", lake, "--sources", str(tmp_path / "gone" / "dt={ds}")])
    assert f"source '{tmp_path / 'gone' / 'dt={ds}'}': folder '{tmp_path / 'gone'}/' does not exist" in err
    err = refused(capsys, ["run", "--day", DAY, "--lake", lake, "--sources", str(tmp_path / "{day}")])
    assert "has a placeholder other than {ds}, {yyyy}, {mm} and {dd}" in err
    err = refused(capsys, ["run", "--day", DAY, "--lake", lake, "--sources", "https://u:hunter2@n.example/{day}?token=t0k3n"])
    assert "source 'https://n.example/{day}?token=' has a placeholder other than" in err and "hunter2" not in err and "t0k3n" not in err


def test_a_sources_missing_day_folder_is_recorded_and_the_other_sources_publish(tmp_path, capsys):
    """An archive that has not arrived yet is that source's refused input, not a failed day."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Officials said on Monday that the border crossing would reopen next week.")
    (tmp_path / "archive").mkdir()
    lake = tmp_path / "lake"
    sources = f"{tmp_path / 'in'},{tmp_path / 'archive' / '{ds}'}"
    assert main(["run", "--day", DAY, "--run-id", "manual__1", "--lake", str(lake), "--sources", sources]) == 0
    assert "articles ingested 2  published 1  quarantined 1" in capsys.readouterr().out
    from claimflow.config import Settings
    from claimflow.storage.delta import DeltaLake

    refused_inputs = DeltaLake.open(Settings(lake=str(lake))).read_day("quarantine/inputs", DAY).to_pylist()
    assert [(r["record_id"], r["reason"]) for r in refused_inputs] == [(str(tmp_path / "archive" / DAY), "missing_source")]
    assert f"nothing for {DAY} yet" in refused_inputs[0]["detail"]


def test_a_lake_path_with_a_percent_escape_is_refused_before_the_run_starts(tmp_path, capsys):
    """delta-rs reads ``a%41b`` as ``aAb``: on main the day was staged, then publish crashed (exit 4)
    creating the tables in the other folder."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Officials said on Monday that the border crossing would reopen next week.")
    lake = tmp_path / "a%41b" / "lake"
    err = refused(capsys, ["run", "--day", DAY, "--lake", str(lake), "--sources", str(tmp_path / "in")])
    assert f"expected a lake address without '%' (delta-rs decodes %XX escapes in it), got '{lake}'" in err
    assert not (tmp_path / "a%41b").exists() and not (tmp_path / "aAb").exists()


def test_a_bad_setting_is_one_line_naming_the_variable(capsys, monkeypatch):
    monkeypatch.setenv("CLAIMFLOW_LATE_DAYS", "-1")
    assert refused(capsys, ["summary", "--day", DAY]).startswith("claimflow summary: CLAIMFLOW_LATE_DAYS must be")


def test_a_lake_that_is_not_one_is_one_line(capsys):
    assert "expected an s3:// URI or a local path" in refused(capsys, ["summary", "--day", DAY, "--lake", "http://x/y"])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_without_credentials(monkeypatch):
    """An S3 lake on a closed local port, with no AWS credentials anywhere boto3 looks."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("CLAIMFLOW_S3_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("CLAIMFLOW_AWS_CONN_ID", "claimflow_test_no_such_connection")
    monkeypatch.setenv("CLAIMFLOW_LAKE", "s3://bucket/lake")


def test_an_s3_lake_without_credentials_says_what_is_missing(capsys, s3_without_credentials):
    err = refused(capsys, ["summary", "--day", DAY])
    assert "s3://bucket/lake/" in err and "Unable to locate credentials" in err
    assert "AWS_ACCESS_KEY_ID" in err and "AWS_ENDPOINT_URL" in err


def test_an_s3_lake_that_does_not_answer_says_so(capsys, s3_without_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "claimflow-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "claimflow-test")
    err = refused(capsys, ["summary", "--day", DAY])
    assert "Could not connect to the endpoint URL" in err and "AWS_ENDPOINT_URL" in err


def test_run_reads_the_sources_given_on_the_command_line(tmp_path, capsys, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(f"Officials said the {name} crossing would reopen next week.")
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(tmp_path / "gone"))  # overridden
    argv = ["run", "--day", DAY, "--lake", str(tmp_path / "lake"), "--sources", f"{tmp_path / 'a'},{tmp_path / 'b'}"]
    assert main(argv) == 0
    assert "articles ingested 2  published 2" in capsys.readouterr().out


def test_sources_repeat_or_take_a_comma_list():
    from claimflow.cli import _settings, build_parser

    args = build_parser().parse_args(["run", "--day", DAY, "--sources", "a,b", "--sources", "c"])
    assert _settings(args).sources == ("a", "b", "c")


def test_help_describes_the_commands_and_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "``" not in out
    assert "claimflow run --day" in out
    assert "exit codes:" in out and "3    another run is publishing the day" in out


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimflow.cli", "summary", "--day", DAY, "--lake", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()  # before the command writes: its first write meets a closed pipe
    assert proc.wait(timeout=120) == BROKEN_PIPE
    assert proc.stderr.read() == b""
    proc.stderr.close()


def test_an_unexpected_error_keeps_its_traceback_and_exits_4(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr("claimflow.cli._summary", broken)
    assert main(["summary", "--day", DAY]) == CRASHED
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err
    assert err.rstrip().endswith("claimflow summary: unexpected error (a bug, please report it with the traceback above)")
