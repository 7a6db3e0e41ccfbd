import gzip
import json
import os
from pathlib import Path

import pytest
from bad_inputs import article, http_response, news_page, warc_record, write_bad_inputs

from claimflow.ingest.articles import build_articles
from claimflow.ingest.records import InputLimits, RawRecord, RejectedRecord
from claimflow.ingest.sources import read_inputs, read_sources, split_records
from claimflow.models import Article

DAY = "2026-11-26"


def outcomes(items) -> dict[str, str]:
    """``{name relative to its folder: "clean" or the quarantine reason}`` of built articles."""
    result = {}
    for item in items:
        name = item.path if isinstance(item, Article) else item.name
        result[name.rsplit("/", 1)[-1]] = "clean" if isinstance(item, Article) else item.reason
    return result


def day_of(folder: Path, **kwargs) -> dict[str, str]:
    return outcomes(build_articles(read_sources([str(folder)], DAY, **kwargs)))


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
