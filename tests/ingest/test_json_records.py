"""Tests of claimflow.ingest.json_records: a JSON document or JSON lines as records, each refusal
with its reason; inputs go through ``split_records``, which hands a ``.json``/``.jsonl`` name to it."""

import json

from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.sources import split_records


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


def test_an_exception_names_its_class_in_the_quarantine_detail():
    big = {r.name: r.detail for r in split_records("x.jsonl", b'{"text": ' + b"9" * 5000 + b"}")}
    assert big["x.jsonl#1"].startswith("ValueError: ")
    deep = {r.name: r.detail for r in split_records("x.json", b"[" * 100_000)}
    assert deep["x.json"].startswith("RecursionError: ")
