"""The embedded default lake: a folder on the local disk."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from claimflow.storage.base import ObjectInfo, ObjectStore


class LocalStore(ObjectStore):
    """Objects as files under a root folder; writes are atomic renames, so readers never see
    half a file."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(str(root).removeprefix("file://")).resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self.root = self.path.as_uri()

    def _file(self, key: str) -> Path:
        target = (self.path / key).resolve()
        if self.path not in target.parents:
            raise ValueError(f"expected a key inside the lake, got {key!r}")
        return target

    def key(self, uri: str) -> str:
        if uri.startswith("/"):
            uri = Path(uri).resolve().as_uri()
        return super().key(uri)

    def _write(self, key: str, fill) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write(key, lambda out: out.write(data))

    def put_file(self, key: str, path: Path) -> None:
        with open(path, "rb") as src:
            self._write(key, lambda out: shutil.copyfileobj(src, out, 1 << 20))

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Written whole to a temporary file, then hard-linked into place: ``link`` fails if the
        key exists (the O_EXCL of a rename), and a reader never sees half the content."""
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.link(tmp, target)
            return True
        except FileExistsError:
            return False
        finally:
            Path(tmp).unlink(missing_ok=True)

    def get_bytes(self, key: str) -> bytes:
        return self._file(key).read_bytes()

    def get_file(self, key: str, path: Path) -> None:
        shutil.copyfile(self._file(key), path)

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        base = self._file(prefix.rsplit("/", 1)[0]) if "/" in prefix else self.path
        if not base.is_dir():
            return
        found = []
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                if name.startswith(".tmp-"):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(self.path).as_posix()
                if key.startswith(prefix):
                    info = full.stat()
                    modified = dt.datetime.fromtimestamp(info.st_mtime, dt.timezone.utc)
                    found.append(ObjectInfo(key, info.st_size, modified))
        yield from sorted(found, key=lambda info: info.key)

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self._file(key).unlink(missing_ok=True)

    def copy(self, src: str, dst: str) -> None:
        self.put_file(dst, self._file(src))

    def exists(self, key: str) -> bool:
        return self._file(key).is_file()
