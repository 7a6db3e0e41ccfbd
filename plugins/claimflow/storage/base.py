"""The object-store interface every lake backend implements.

Keys are ``/``-separated paths relative to the store's root URI (``s3://bucket/prefix`` or a
local folder), so the publishing code never cares where the lake lives.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ObjectInfo:
    """One stored object: its key under the root, its size in bytes and when it was last written
    (UTC; what the staging sweep ages objects by)."""

    key: str
    size: int
    modified: dt.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ObjectStat:
    """What is stored at a key, read back to verify a publish: size, SHA-256 (hex, of the whole
    content; None where the backend does not know it) and the backend's ETag, if it has one."""

    key: str
    size: int
    sha256: str | None
    etag: str | None = None


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a local file, read in 1 MiB blocks so memory stays flat."""
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class ObjectStore(abc.ABC):
    """A flat key/value store of files under one root URI."""

    root: str  # the URI keys are relative to, without a trailing slash

    def uri(self, key: str) -> str:
        """The full URI of ``key``, the form passed between tasks in XCom."""
        return f"{self.root}/{key.lstrip('/')}"

    def key(self, uri: str) -> str:
        """The key of a full URI that lies under this store's root."""
        prefix = self.root + "/"
        if not uri.startswith(prefix):
            raise ValueError(f"expected a URI under {self.root!r}, got {uri!r}")
        return uri[len(prefix) :]

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` at ``key``, replacing what was there."""

    @abc.abstractmethod
    def put_file(self, key: str, path: Path) -> None:
        """Upload a local file to ``key`` (streamed, multipart where the backend has it)."""

    @abc.abstractmethod
    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Store ``data`` at ``key`` only if nothing is there, atomically: of several writers
        racing for one key exactly one gets True, the others False and the key unchanged."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The content at ``key``; raises ``FileNotFoundError`` if there is none."""

    @abc.abstractmethod
    def get_file(self, key: str, path: Path) -> None:
        """Download ``key`` to a local file (streamed)."""

    @abc.abstractmethod
    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, in key order."""

    @abc.abstractmethod
    def delete(self, keys: list[str]) -> None:
        """Remove ``keys``; keys that do not exist are ignored."""

    @abc.abstractmethod
    def copy(self, src: str, dst: str) -> None:
        """Copy one object to another key inside the store (server-side where possible)."""

    def stat(self, key: str) -> ObjectStat:
        """Size and SHA-256 of ``key``; raises ``FileNotFoundError`` if there is none.

        This default downloads and hashes the object; backends that keep checksums answer
        from metadata instead.
        """
        with tempfile.TemporaryDirectory(prefix="claimflow-stat-") as tmp:
            path = Path(tmp) / "object"
            self.get_file(key, path)
            return ObjectStat(key=key, size=path.stat().st_size, sha256=file_sha256(path))

    def exists(self, key: str) -> bool:
        return any(info.key == key for info in self.list(key))

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under ``prefix``; returns how many there were."""
        keys = [info.key for info in self.list(prefix)]
        self.delete(keys)
        return len(keys)
