import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from bad_inputs import article, http_response, news_page, warc_record, write_bad_inputs
from claimflow.ingest.articles import build_articles
from claimflow.ingest.listing import list_inputs
from claimflow.ingest.records import InputLimits, RawRecord, RejectedRecord
from claimflow.ingest.sources import read_inputs, read_sources, split_records
from claimflow.ingest.windows import expand
from claimflow.config import Settings
from claimflow.models import Article

DAY = "2026-11-26"
ROOT = Path(__file__).resolve().parents[2]


def outcomes(items) -> dict[str, str]:
    """``{name relative to its folder: "clean" or the quarantine reason}`` of built articles."""
    result = {}
    for item in items:
        name = item.path if isinstance(item, Article) else item.name
        result[name.rsplit("/", 1)[-1]] = "clean" if isinstance(item, Article) else item.reason
    return result


def day_of(folder: Path, **kwargs) -> dict[str, str]:
    return outcomes(build_articles(read_sources([str(folder)], DAY, **kwargs)))


def test_date_placeholders_pick_the_day():
    assert expand("archive/{yyyy}/{mm}/{dd}/", "2026-11-05") == "archive/2026/11/05/"
    assert expand("s3://b/news/dt={ds}/", "2026-11-05") == "s3://b/news/dt=2026-11-05/"


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


def test_json_lines_become_one_record_each_and_bad_lines_are_rejected():
    data = b'{"id": 1, "text": "a"}\nnot json\n\n[1]\n'
    records = list(split_records("feed.jsonl", data))
    assert records[0] == RawRecord(name="feed.jsonl#1", fields={"id": 1, "text": "a"})
    assert isinstance(records[1], RejectedRecord) and records[1].reason == "bad_json"
    assert isinstance(records[2], RejectedRecord) and records[2].reason == "bad_record"


def test_a_json_file_may_hold_one_object_or_a_list():
    assert list(split_records("one.json", b'{"text": "a"}')) == [RawRecord(name="one.json", fields={"text": "a"})]
    many = list(split_records("many.json", json.dumps([{"text": "a"}, {"text": "b"}]).encode()))
    assert [r.name for r in many] == ["many.json[0]", "many.json[1]"]


def test_a_truncated_gzip_keeps_the_records_before_the_cut_and_quarantines_the_file():
    lines = "".join(json.dumps({"text": article(i)}) + "\n" for i in range(200)).encode()
    packed = gzip.compress(lines)
    *good, bad = split_records("day.jsonl.gz", packed[: len(packed) // 2])
    assert bad == RejectedRecord("day.jsonl.gz", "bad_archive", bad.detail) and "EOFError" in bad.detail
    assert 0 < len(good) < 200 and all(isinstance(r, RawRecord) for r in good)
    assert [r.reason for r in split_records("page.txt.gz", gzip.compress(b"text")[:-6])] == ["bad_archive"]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        pytest.param("empty.jsonl", b"", {"empty.jsonl": "empty"}, id="empty jsonl"),
        pytest.param("blank.jsonl", b"\n  \n", {"blank.jsonl": "empty"}, id="jsonl of blank lines"),
        pytest.param("list.json", b"[]", {"list.json": "empty"}, id="empty json list"),
        pytest.param("A.TXT.GZ", gzip.compress(article(1).encode()), {"A.TXT.GZ": "clean"}, id="upper-case suffixes"),
        pytest.param("table.csv", b"a,b\n1,2\n", {"table.csv": "unsupported_format"}, id="csv"),
        pytest.param("archive.zip", b"PK\x03\x04", {"archive.zip": "unsupported_format"}, id="zip"),
        pytest.param("README", b"text", {"README": "unsupported_format"}, id="no suffix"),
        pytest.param(
            "page.xhtml",
            f'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>{article(2)}</p></body></html>'.encode(),
            {"page.xhtml": "clean"},
            id="xhtml is html",
        ),
        pytest.param(
            "bigint.jsonl",
            b'{"text": "a"}\n{"text": ' + b"9" * 5000 + b"}\n" + json.dumps({"text": article(3)}).encode(),
            {"bigint.jsonl#1": "clean", "bigint.jsonl#2": "unreadable", "bigint.jsonl#3": "clean"},
            id="integer of 5000 digits",
        ),
        pytest.param("deep.json", b"[" * 100_000 + b"]" * 100_000, {"deep.json": "unreadable"}, id="nested 100000 deep"),
        pytest.param(
            "types.json", json.dumps({"text": ["not", "a", "string"]}).encode(), {"types.json": "bad_record"}, id="text not a string"
        ),
    ],
)
def test_every_input_is_read_or_quarantined_with_a_reason(tmp_path, name, data, expected):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "z-good.txt").write_text(article(7))
    assert day_of(tmp_path) == {**expected, "z-good.txt": "clean"}


def test_an_exception_names_its_class_in_the_quarantine_detail():
    big = {r.name: r.detail for r in split_records("x.jsonl", b'{"text": ' + b"9" * 5000 + b"}")}
    assert big["x.jsonl#1"].startswith("ValueError: ")
    deep = {r.name: r.detail for r in split_records("x.json", b"[" * 100_000)}
    assert deep["x.json"].startswith("RecursionError: ")


def test_a_parser_failing_on_hostile_html_quarantines_that_page_only(tmp_path):
    (tmp_path / "marked.html").write_bytes(f"<html><body><p>{article(1)}</p><![ x".encode())
    (tmp_path / "good.txt").write_text(article(2))
    result = day_of(tmp_path)
    assert result["good.txt"] == "clean"
    assert result["marked.html"] in ("clean", "unreadable")  # unreadable with a parser that raises


def test_links_are_followed_only_to_files_inside_the_source(tmp_path):
    source, outside = tmp_path / "in", tmp_path / "outside"
    (source / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(article(1))
    (source / "a.txt").write_text(article(2))
    (source / "sub" / "b.txt").write_text(article(3))
    (source / "dangling.txt").symlink_to(source / "gone.txt")
    (source / "escape.txt").symlink_to(outside / "secret.txt")
    (source / "escape_dir").symlink_to(outside)
    (source / "same.txt").symlink_to(source / "a.txt")  # the same file under a second name: read once
    (source / "sub_again").symlink_to(source / "sub")  # a folder inside: its files are listed where they are
    os.mkfifo(source / "pipe.txt")  # reading it would block the day
    rejected = {r.name.rsplit("/", 1)[-1]: r.detail for r in read_inputs(str(source)) if isinstance(r, RejectedRecord)}
    assert sorted(rejected) == ["dangling.txt", "escape.txt", "escape_dir", "pipe.txt"]
    assert rejected["dangling.txt"].startswith("FileNotFoundError: ")
    assert rejected["escape.txt"].startswith("PermissionError: ") and "out of the source folder" in rejected["escape.txt"]
    assert day_of(source) == {
        "a.txt": "clean",
        "b.txt": "clean",
        "dangling.txt": "unreadable",
        "escape.txt": "unreadable",
        "escape_dir": "unreadable",
        "pipe.txt": "unreadable",
    }


def test_a_source_listed_twice_or_overlapping_reads_each_file_once(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(article(1))
    (tmp_path / "sub" / "b.txt").write_text(article(2))
    (tmp_path / "sub" / "copy.txt").write_text(article(1))  # same text, another file: a duplicate
    sources = [str(tmp_path), str(tmp_path), str(tmp_path / "sub"), str(tmp_path / "a.txt")]
    items = list(build_articles(read_sources(sources, DAY)))
    assert outcomes(items) == {"a.txt": "clean", "b.txt": "clean", "copy.txt": "duplicate"}
    assert len(items) == 3


@pytest.mark.parametrize(
    ("name", "data", "limits", "expected"),
    [
        pytest.param("big.txt", b"x" * 2000, InputLimits(max_input_bytes=1000), {"big.txt": "too_large"}, id="stored size"),
        pytest.param(
            "big.txt.gz", gzip.compress(b"x" * 5000), InputLimits(max_record_bytes=1000), {"big.txt.gz": "too_large"}, id="record"
        ),
        pytest.param(
            "long.jsonl",
            b'{"text": "' + b"x" * 2000 + b'"}\n' + json.dumps({"text": article(4)}).encode(),
            InputLimits(max_record_bytes=1000),
            {"long.jsonl#1": "too_large", "long.jsonl#2": "clean"},
            id="one long line of many",
        ),
        pytest.param(
            "bomb.jsonl.gz",
            gzip.compress(json.dumps({"text": article(5)}).encode() + b"\n" + b" " * 900 + b"\n" * 10_000),
            InputLimits(max_input_bytes=5000, max_record_bytes=1000),
            {"bomb.jsonl.gz#1": "clean", "bomb.jsonl.gz": "too_large"},
            id="decompressed size",
        ),
    ],
)
def test_inputs_over_a_cap_are_refused_as_too_large(tmp_path, name, data, limits, expected):
    (tmp_path / name).write_bytes(data)
    assert day_of(tmp_path, limits=limits) == expected


GZ_BOMB_PROBE = """
import sys
from claimflow.ingest.articles import build_articles
from claimflow.ingest.sources import read_sources
items = list(build_articles(read_sources([sys.argv[1]], "2026-11-26")))
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(sorted((item.name.rsplit("/", 1)[-1], item.reason) for item in items), peak_kb)
"""


def _gzip_of(path: Path, block: bytes, total: int) -> None:
    """A gzip file of ``total`` bytes of repeated ``block``, compressed as a stream."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        for _ in range(total // len(block)):
            out.write(packer.compress(block))
        out.write(packer.flush())


def test_a_gzip_bomb_is_refused_with_bounded_memory(tmp_path):
    """400 MB inside 400 KB: refused as too_large, the worker's peak memory under 300 MB."""
    _gzip_of(tmp_path / "zeros.txt.gz", b"\0" * (1 << 20), 400 << 20)
    _gzip_of(tmp_path / "lines.jsonl.gz", b" " * ((1 << 20) - 1) + b"\n", 400 << 20)
    assert (tmp_path / "zeros.txt.gz").stat().st_size < 500_000
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        [sys.executable, "-c", GZ_BOMB_PROBE, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    found, peak_kb = done.stdout.strip().rsplit(" ", 1)
    assert found == str([("lines.jsonl.gz", "too_large"), ("zeros.txt.gz", "too_large")])
    assert int(peak_kb) < 300 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"


def test_read_sources_expands_each_source_for_the_day(tmp_path):
    day_dir = tmp_path / "2026" / "11" / "26"
    day_dir.mkdir(parents=True)
    (day_dir / "a.txt").write_bytes(b"text")
    (tmp_path / "2026" / "11" / "25").mkdir()
    (tmp_path / "2026" / "11" / "25" / "old.txt").write_bytes(b"old")
    records = list(read_sources([str(tmp_path / "{yyyy}/{mm}/{dd}")], "2026-11-26"))
    assert [r.payload for r in records] == [b"text"]


def test_the_bad_input_fixtures_fare_as_claimed_through_ingest(tmp_path):
    """Every bad input of ``tests/bad_inputs.py`` through ``read_sources`` and ``build_articles``,
    its folder listed twice; the language refusal comes later, from the quality suites."""
    expected = write_bad_inputs(tmp_path / "in", huge_bytes=3 << 20)
    items = list(build_articles(read_sources([str(tmp_path / "in"), str(tmp_path / "in")], DAY)))
    assert len(items) == len(expected)
    assert outcomes(items) == {name: "clean" if outcome == "language" else outcome for name, outcome in expected.items()}


def test_an_s3_prefix_is_read_object_by_object_and_a_bad_key_quarantined(s3_lake, seaweedfs, monkeypatch):
    from claimflow.storage.base import ObjectInfo
    from claimflow.storage.s3 import S3Store

    bucket, _, prefix = s3_lake.removeprefix("s3://").partition("/")
    client = seaweedfs.client()
    objects = {
        "news/a.txt": article(1).encode(),
        "news/b.jsonl.gz": gzip.compress(json.dumps({"text": article(2)}).encode()),
        "news/_SUCCESS": b"",
        "news/table.csv": b"a,b\n",
        "news/crawl.warc.gz": gzip.compress(
            warc_record("response", "https://news.example/9", f"{DAY}T10:00:00Z", http_response(news_page(9)))
        ),
    }
    for key, body in objects.items():
        client.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=body)
    listed = S3Store.list

    def with_double_slash(self, key_prefix):  # AWS keeps "news//c.txt" as is; SeaweedFS folds the "//"
        yield from listed(self, key_prefix)
        yield ObjectInfo(f"{prefix}/news//c.txt", 10)

    monkeypatch.setattr(S3Store, "list", with_double_slash)
    items = list(build_articles(read_sources([f"{s3_lake}/news/"], DAY)))
    got = {(item.path if isinstance(item, Article) else item.name).removeprefix(f"{s3_lake}/"): item for item in items}
    assert {name: getattr(item, "reason", "clean") for name, item in got.items()} == {
        "news/a.txt": "clean",
        "news/b.jsonl.gz#1": "clean",
        "news//c.txt": "unreadable",
        "news/table.csv": "unsupported_format",
        "news/crawl.warc.gz#1": "clean",
    }
    assert got["news//c.txt"].detail.startswith("ValueError: ")


def test_the_caps_come_from_the_environment():
    env = {"CLAIMFLOW_MAX_INPUT_BYTES": "1000", "CLAIMFLOW_MAX_RECORD_BYTES": "100", "CLAIMFLOW_MAX_WARC_BYTES": "5000"}
    assert InputLimits.from_settings(Settings.from_env(env)) == InputLimits(1000, 100, 5000)
    assert InputLimits.from_settings(Settings.from_env({})) == InputLimits()


@pytest.mark.parametrize("raw", [pytest.param("0", id="zero"), pytest.param("1e6", id="not an integer")])
def test_a_bad_cap_is_refused_with_an_example(raw):
    with pytest.raises(ValueError, match=r"CLAIMFLOW_MAX_INPUT_BYTES must be a positive number of bytes, e.g. 268435456"):
        Settings.from_env({"CLAIMFLOW_MAX_INPUT_BYTES": raw})
