"""Streamed reading and writing of records: one item in memory at a time, same content."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from claimflow.storage import LocalStore
from claimflow.storage.records import get_json, iter_parquet_rows, put_json_streamed, put_parquet

SCHEMA = pa.schema([("id", pa.string()), ("n", pa.int64())])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"a": 1, "items": iter([{"x": 1}, {"x": 2}])}, {"a": 1, "items": [{"x": 1}, {"x": 2}]}, id="list streamed"),
        pytest.param({"items": iter([]), "b": {"c": [1]}}, {"items": [], "b": {"c": [1]}}, id="empty iterator, plain values"),
        pytest.param({"text": "é…\"\n"}, {"text": "é…\"\n"}, id="escaped text"),
    ],
)
def test_put_json_streamed_writes_the_document_json_would(tmp_path, fields, expected):
    store = LocalStore(str(tmp_path))
    put_json_streamed(store, "doc.json", fields)
    assert get_json(store, "doc.json") == expected
    json.loads((tmp_path / "doc.json").read_text(encoding="utf-8"))  # valid JSON as a file too


def test_iter_parquet_rows_reads_every_row_in_batches(tmp_path):
    store = LocalStore(str(tmp_path))
    rows = [{"id": f"r{i}", "n": i} for i in range(2_500)]
    put_parquet(store, "t.parquet", rows, SCHEMA)
    assert list(iter_parquet_rows(store, "t.parquet", batch_rows=1_000)) == rows
