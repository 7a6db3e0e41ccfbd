"""Reading an input as a stream under caps, so that memory follows the record, not the file.

A ``.gz`` input is decompressed through :class:`CappedStream`, which refuses to give more than
the input cap (a gzip bomb costs the time to inflate the cap, never the memory); a record is read
in chunks up to the record cap, and JSON lines one at a time. Past a cap comes a ``too_large``
refusal that names the setting to raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from claimflow.exceptions import RejectedInput
from claimflow.ingest.records import RejectedRecord


class CappedStream:
    """A decompressing stream that refuses, as ``too_large``, to give more than ``cap`` bytes in
    all: a gzip bomb costs the time to inflate the cap, never the memory."""

    def __init__(self, stream: BinaryIO, cap: int, name: str) -> None:
        self.stream, self.cap, self.name, self.total = stream, cap, name, 0

    def _take(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.cap:
            raise RejectedInput(
                "too_large", f"{self.name}: decompresses to more than {self.cap:,} bytes (CLAIMFLOW_MAX_INPUT_BYTES)"
            )
        return data

    def _room(self, size: int | None) -> int:
        room = self.cap + 1 - self.total
        return room if size is None or size < 0 else min(size, room)

    def read(self, size: int | None = -1) -> bytes:
        return self._take(self.stream.read(self._room(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self.stream.readline(self._room(size)))


READ_CHUNK = 1024 * 1024  # bytes asked of a stream at once: read(cap) would allocate the whole cap first


def read_record(name: str, stream: BinaryIO | CappedStream, cap: int) -> bytes:
    """The rest of ``stream``, refused as ``too_large`` past ``cap`` bytes, read in chunks so that
    memory follows the record, not the cap."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(READ_CHUNK, cap + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise RejectedInput("too_large", f"{name}: more than {cap:,} bytes in one record (CLAIMFLOW_MAX_RECORD_BYTES)")
    return b"".join(chunks)


def capped_lines(name: str, stream: BinaryIO | CappedStream, cap: int) -> Iterator[tuple[str, bytes | RejectedRecord]]:
    """The lines of a JSON-lines stream as ``(name#number, line)``; a line over ``cap`` bytes
    becomes a ``too_large`` refusal and the rest of it is skipped without being held."""
    number = 0
    while line := stream.readline(cap + 1):
        number += 1
        where = f"{name}#{number}"
        if len(line) > cap and not line.endswith(b"\n"):
            while (rest := stream.readline(cap + 1)) and not rest.endswith(b"\n"):
                pass
            yield where, RejectedRecord(where, "too_large", f"line longer than {cap:,} bytes (CLAIMFLOW_MAX_RECORD_BYTES)")
        else:
            yield where, line
