import hashlib

import pyarrow as pa

from claimflow.storage import LocalStore
from claimflow.storage.records import get_json, put_json, put_jsonl_gz, put_parquet, read_jsonl_gz, read_parquet


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
