"""Reading and writing JSON, gzipped JSON lines and Parquet through any ObjectStore.

Large files are written to a local temporary file first and uploaded in one streamed
``put_file`` (multipart on S3), so memory does not grow with the file.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from claimflow.storage.base import ObjectStore, file_sha256

if TYPE_CHECKING:
    import pandas as pd

ROW_GROUP = 10_000  # rows per Parquet row group, staged or published: a writer holds one, so memory stays flat


@dataclass(frozen=True)
class StagedFile:
    """A file written to the lake, with what the manifest needs to vouch for it."""

    key: str
    rows: int
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rows": self.rows, "bytes": self.bytes, "sha256": self.sha256}


def put_json(store: ObjectStore, key: str, value: Any) -> None:
    store.put_bytes(key, json.dumps(value, indent=2, sort_keys=True, default=str).encode("utf-8"))


def get_json(store: ObjectStore, key: str) -> Any:
    return json.loads(store.get_bytes(key))


def put_jsonl_gz(store: ObjectStore, key: str, records: Iterable[dict[str, Any]]) -> int:
    """Write ``records`` as gzipped JSON lines; returns how many were written."""
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
        store.put_file(key, path)
    return count


def read_jsonl_gz(store: ObjectStore, key: str) -> Iterator[dict[str, Any]]:
    """The records of a gzipped JSON-lines object, streamed from a local copy."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.jsonl.gz"
        store.get_file(key, path)
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def put_parquet(store: ObjectStore, key: str, rows: Iterable[dict[str, Any]], schema: pa.Schema) -> StagedFile:
    """Write rows as one Parquet file in row-group batches and upload it; returns its facts."""
    return _write_parquet(store, key, _row_batches(rows, schema), schema)


def put_frame_parquet(store: ObjectStore, key: str, frame: pd.DataFrame, schema: pa.Schema) -> StagedFile:
    """Write a DataFrame as one Parquet file, converted column-wise a row group at a time
    (no row dicts: a day's mentions as dicts were the largest allocation of validate)."""
    batches = (
        pa.Table.from_pandas(frame.iloc[start : start + ROW_GROUP], schema=schema, preserve_index=False)
        for start in range(0, max(len(frame), 1), ROW_GROUP)
    )
    return _write_parquet(store, key, batches, schema)


def put_table_parquet(store: ObjectStore, key: str, table: pa.Table) -> StagedFile:
    """Write an Arrow table as one Parquet file, a row group at a time; returns its facts."""
    batches = (table.slice(start, ROW_GROUP) for start in range(0, max(table.num_rows, 1), ROW_GROUP))
    return _write_parquet(store, key, batches, table.schema)


def _row_batches(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> Iterator[pa.Table]:
    """Arrow tables of at most ROW_GROUP rows, and one empty table when there are no rows."""
    batch: list[dict[str, Any]] = []
    empty = True
    for row in rows:
        batch.append(row)
        if len(batch) == ROW_GROUP:
            yield pa.Table.from_pylist(batch, schema=schema)
            batch, empty = [], False
    if batch or empty:
        yield pa.Table.from_pylist(batch, schema=schema)


def _write_parquet(store: ObjectStore, key: str, batches: Iterable[pa.Table], schema: pa.Schema) -> StagedFile:
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.parquet"
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_table(batch)
                count += batch.num_rows
        store.put_file(key, path)
        return StagedFile(key, count, path.stat().st_size, file_sha256(path))


def read_parquet(store: ObjectStore, key: str, columns: list[str] | None = None) -> pa.Table:
    """A Parquet object as an Arrow table, only ``columns`` where given."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.parquet"
        store.get_file(key, path)
        return pq.read_table(path, columns=columns)


def iter_parquet_rows(store: ObjectStore, key: str, batch_rows: int = 1_000) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet object as dicts, ``batch_rows`` at a time from a local copy."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "part.parquet"
        store.get_file(key, path)
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
            yield from batch.to_pylist()


def put_json_streamed(store: ObjectStore, key: str, fields: dict[str, Any]) -> None:
    """Write a JSON object whose values may be iterators, each written as a list item by item
    (a list of one entry per shard never has to be held whole)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.json"
        with path.open("w", encoding="utf-8") as out:
            out.write("{")
            for n, (name, value) in enumerate(fields.items()):
                out.write(("," if n else "") + f"\n{json.dumps(name)}: ")
                if isinstance(value, Iterator):
                    out.write("[")
                    for i, item in enumerate(value):
                        out.write(("," if i else "") + "\n  " + json.dumps(item, sort_keys=True, default=str))
                    out.write("]")
                else:
                    out.write(json.dumps(value, sort_keys=True, default=str))
            out.write("\n}\n")
        store.put_file(key, path)
