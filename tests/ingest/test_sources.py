import gzip
import json

import pytest

from claimflow.ingest.sources import RawRecord, RejectedRecord, expand, list_inputs, read_sources, split_records


def test_date_placeholders_pick_the_day():
    assert expand("archive/{yyyy}/{mm}/{dd}/", "2026-11-05") == "archive/2026/11/05/"
    assert expand("s3://b/news/dt={ds}/", "2026-11-05") == "s3://b/news/dt=2026-11-05/"


def test_folders_are_read_recursively_in_name_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two")
    (tmp_path / "1.txt").write_text("one")
    (tmp_path / "notes.csv").write_text("ignored")
    (tmp_path / ".hidden.txt").write_text("ignored")
    names = [name.rsplit("/", 1)[-1] for name, _ in list_inputs(str(tmp_path))]
    assert names == ["1.txt", "2.txt"]


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


def test_gzip_archives_are_opened_and_truncated_ones_rejected():
    packed = gzip.compress(b'{"text": "a"}\n{"text": "b"}\n')
    assert len(list(split_records("day.jsonl.gz", packed))) == 2
    (bad,) = split_records("day.jsonl.gz", packed[: len(packed) // 2])
    assert isinstance(bad, RejectedRecord) and bad.reason == "bad_archive"


def test_read_sources_expands_each_source_for_the_day(tmp_path):
    day_dir = tmp_path / "2026" / "11" / "26"
    day_dir.mkdir(parents=True)
    (day_dir / "a.txt").write_bytes(b"text")
    (tmp_path / "2026" / "11" / "25").mkdir()
    (tmp_path / "2026" / "11" / "25" / "old.txt").write_bytes(b"old")
    records = list(read_sources([str(tmp_path / "{yyyy}/{mm}/{dd}")], "2026-11-26"))
    assert [r.payload for r in records] == [b"text"]
