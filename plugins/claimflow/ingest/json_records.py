"""JSON inputs as records: one per object of a ``.json`` document, or per line of JSON lines.

A line or object that does not parse, or is not a JSON object, is refused on its own
(``bad_json``, ``bad_record``) and the rest of the input is read; an input without any record is
refused as ``empty``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from claimflow.ingest.records import RawRecord, RejectedRecord, rejected
from claimflow.ingest.streams import CappedStream, capped_lines, read_record


def _json_values(where: str, text: bytes) -> Iterator[RawRecord | RejectedRecord]:
    """The records of one JSON document: an object, or each object of a list."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield RejectedRecord(where, "bad_json", str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - huge integers (ValueError), deep nesting (RecursionError)
        yield rejected(where, exc)
        return
    values = value if isinstance(value, list) else [value]
    for index, item in enumerate(values):
        item_name = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, dict):
            yield RawRecord(name=item_name, fields=item)
        else:
            yield RejectedRecord(item_name, "bad_record", f"expected a JSON object, got {type(item).__name__}")


def json_records(name: str, stream: BinaryIO | CappedStream, cap: int) -> Iterator[RawRecord | RejectedRecord]:
    """One record per object of a ``.json`` document, or per line of JSON lines; an input
    without any is refused as ``empty``."""
    if name.lower().removesuffix(".gz").endswith(".json"):
        documents: Iterator[tuple[str, bytes | RejectedRecord]] = iter([(name, read_record(name, stream, cap))])
    else:
        documents = capped_lines(name, stream, cap)
    count = 0
    for where, document in documents:
        if isinstance(document, RejectedRecord):
            count += 1
            yield document
            continue
        if document.strip():
            for record in _json_values(where, document):
                count += 1
                yield record
    if not count:
        yield RejectedRecord(name, "empty", "no JSON records in it")
