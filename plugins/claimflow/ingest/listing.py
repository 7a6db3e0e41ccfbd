"""Listing the input files of a source safely: a file, a folder, or an object-store prefix.

Every file of a folder is accounted for: listed, or refused with a reason (a link that dangles
or leads out of the source folder, a special file, a folder that cannot be listed); only hidden
files and folders (names starting with ``.`` or ``_``, e.g. ``_SUCCESS``) are ignored. A link is
followed only to a file inside the source folder. Nothing is opened here: an :class:`Input` says
how to open it, once the reader (:mod:`claimflow.ingest.sources`) has checked its size.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from claimflow.ingest.records import RejectedRecord, rejected
from claimflow.redact import redact_url
from claimflow.storage import ObjectStore, open_store


@dataclass(frozen=True)
class Input:
    """One listed input file, not read yet: its name (a path, or a URI without secrets), the
    identity that lists it once (resolved path or URI), its stored size and how to open it."""

    name: str
    identity: str
    size: int
    open: Callable[[], AbstractContextManager[BinaryIO]]


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/") if part)


def _local_input(name: str, target: Path) -> Input:
    return Input(name, str(target), target.stat().st_size, partial(open, target, "rb"))


def _local_entry(root: Path, path: Path) -> Input | RejectedRecord | None:
    """The input at ``path`` under the resolved ``root`` (named by its ``file://`` URI), a refusal
    for a link that dangles or leads out of the source, or None for a link to a folder inside it
    (its files are listed where they are)."""
    name = f"{root.as_uri()}/{path.relative_to(root).as_posix()}"
    target = path.resolve()
    try:
        if not target.exists():
            raise FileNotFoundError(f"{name} is a link to nothing")
        if target != root and root not in target.parents:
            raise PermissionError(f"{name} is a link out of the source folder {root}")
        if target.is_dir():
            return None
        if not stat.S_ISREG(target.stat().st_mode):
            raise PermissionError(f"{name} is not a regular file")
        return _local_input(name, target)
    except OSError as exc:
        return rejected(name, exc)


def _local_inputs(folder: Path) -> Iterator[Input | RejectedRecord]:
    root = folder.resolve()
    paths = []
    unreadable: list[OSError] = []
    for dirpath, dirs, files in os.walk(root, onerror=unreadable.append):  # links to folders are not walked into
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        links = [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]
        paths += [Path(dirpath, name) for name in files + links if not name.startswith((".", "_"))]
    for error in unreadable:  # a folder that cannot be listed is accounted for, not skipped
        yield rejected(str(error.filename), error)
    for path in sorted(paths):
        entry = _local_entry(root, path)
        if entry is not None:
            yield entry


@contextmanager
def _downloaded(store: ObjectStore, key: str) -> Iterator[BinaryIO]:
    """The object at ``key``, downloaded (streamed) to a temporary file that is removed after."""
    with tempfile.TemporaryDirectory(prefix="claimflow-input-") as tmp:
        path = Path(tmp) / "input"
        store.get_file(key, path)
        with open(path, "rb") as stream:
            yield stream


def _store_inputs(source: str, **store_options: object) -> Iterator[Input]:
    scheme, rest = source.split("://", 1)
    bucket, _, prefix = rest.partition("/")
    store = open_store(f"{scheme}://{bucket}", **store_options)
    for info in store.list(prefix):
        if not _hidden(info.key[len(prefix) :]):
            uri = store.uri(info.key)
            yield Input(redact_url(uri), uri, info.size, partial(_downloaded, store, info.key))


def list_inputs(source: str, **store_options: object) -> Iterator[Input | RejectedRecord]:
    """Every input file under ``source`` in name order, or the refusal of one that cannot be
    listed safely; ``store_options`` reach the S3 backend (e.g. ``aws_conn_id``)."""
    if "://" in source and not source.startswith("file://"):
        yield from _store_inputs(source, **store_options)
        return
    path = Path(source.removeprefix("file://"))
    if path.is_file():
        yield _local_input(str(path), path.resolve())
    elif path.is_dir():
        yield from _local_inputs(path)
    else:
        raise FileNotFoundError(f"source {source!r} is neither a file nor a folder")
