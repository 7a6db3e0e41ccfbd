import hashlib

import pyarrow as pa

from claimflow.storage import LocalStore
from claimflow.storage.records import (
    get_json,
    put_frame_parquet,
    put_json,
    put_jsonl_gz,
    put_parquet,
    read_jsonl_gz,
    read_parquet,
)


def test_jsonl_round_trip(tmp_path):
    store = LocalStore(tmp_path)
    records = [{"id": i, "text": f"café {i}"} for i in range(5)]
    assert put_jsonl_gz(store, "a/b.jsonl.gz", iter(records)) == 5
    assert list(read_jsonl_gz(store, "a/b.jsonl.gz")) == records


def test_json_round_trip(tmp_path):
    store = LocalStore(tmp_path)
    put_json(store, "x.json", {"b": 1, "a": [1, 2]})
    assert get_json(store, "x.json") == {"a": [1, 2], "b": 1}


def test_parquet_is_written_in_row_groups_with_its_facts(tmp_path, monkeypatch):
    monkeypatch.setattr("claimflow.storage.records.ROW_GROUP", 3)
    store = LocalStore(tmp_path)
    schema = pa.schema([("id", pa.int64()), ("tags", pa.list_(pa.string()))])
    staged = put_parquet(store, "t/part.parquet", ({"id": i, "tags": ["x"] * i} for i in range(7)), schema)
    data = store.get_bytes("t/part.parquet")
    assert staged.rows == 7 and staged.bytes == len(data)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    table = read_parquet(store, "t/part.parquet")
    assert table.num_rows == 7 and table.schema.equals(schema)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "t/part.parquet").num_row_groups == 3


def test_empty_parquet_keeps_its_schema(tmp_path):
    store = LocalStore(tmp_path)
    schema = pa.schema([("id", pa.string())])
    staged = put_parquet(store, "e.parquet", [], schema)
    assert staged.rows == 0
    assert read_parquet(store, "e.parquet").schema.equals(schema)


def test_a_frame_is_written_as_its_rows_would_be(tmp_path, monkeypatch):
    """Column-wise from pandas: missing numbers (NaN in a float column) become nulls of the int
    column, nested lists stay lists, row groups and facts as for rows."""
    import pandas as pd

    monkeypatch.setattr("claimflow.storage.records.ROW_GROUP", 2)
    store = LocalStore(tmp_path)
    schema = pa.schema([("id", pa.string()), ("start", pa.int64()), ("score", pa.float64()),
                        ("spans", pa.list_(pa.struct([("start", pa.int64()), ("text", pa.string())])))])
    rows = [{"id": "a", "start": 3, "score": 0.5, "spans": [{"start": 1, "text": "x"}]},
            {"id": "b", "start": None, "score": 1.0, "spans": []},
            {"id": "c", "start": 7, "score": 0.25, "spans": [{"start": 2, "text": "y"}, {"start": 4, "text": "z"}]}]
    frame = pd.DataFrame(rows)
    assert frame["start"].dtype == "float64"  # what pandas makes of an int column with a gap
    staged = put_frame_parquet(store, "f.parquet", frame, schema)
    put_parquet(store, "r.parquet", rows, schema)
    assert staged.rows == 3
    assert read_parquet(store, "f.parquet").equals(read_parquet(store, "r.parquet"))
    assert read_parquet(store, "f.parquet").column("start").to_pylist() == [3, None, 7]
    empty = put_frame_parquet(store, "e.parquet", frame.iloc[:0], schema)
    assert empty.rows == 0 and read_parquet(store, "e.parquet").schema.equals(schema)
