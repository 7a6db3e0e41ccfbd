"""Where the lake lives: pick the backend from the lake URI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from claimflow.storage.base import ObjectInfo, ObjectStat, ObjectStore
from claimflow.storage.local import LocalStore

if TYPE_CHECKING:
    from claimflow.config import Settings

__all__ = ["ObjectInfo", "ObjectStat", "ObjectStore", "LocalStore", "check_lake", "open_lake", "open_store"]


def open_store(uri: str, **options: object) -> ObjectStore:
    """The store for ``uri``: ``s3://bucket/prefix`` for S3, a path or ``file://`` URI for a
    local folder. ``options`` go to the S3 backend (``s3`` settings, ``aws_conn_id``...)."""
    if uri.startswith("s3://"):
        from claimflow.storage.s3 import S3Store

        return S3Store.from_uri(uri, **options)
    if "://" in uri and not uri.startswith("file://"):
        raise ValueError(f"expected an s3:// URI or a local path for the lake, got {uri!r}")
    return LocalStore(uri)


def check_lake(lake: str) -> str:
    """``lake`` (a path, ``file://`` or ``s3://`` URI), or a ValueError if its address holds a
    '%': delta-rs writes a table where it is told and then reads ``%41`` in its path as the
    escape of 'A' and looks for it in another folder (``aAb/`` for ``a%41b/``), so publish failed
    after the whole day was staged. Checked before a run starts and wherever a table's address
    is built."""
    address = lake if lake.startswith("s3://") else str(Path(lake.removeprefix("file://")).resolve())
    if "%" in address:
        raise ValueError(f"expected a lake address without '%' (delta-rs decodes %XX escapes in it), got {address!r}")
    return lake


def open_lake(settings: Settings) -> ObjectStore:
    """The store of the configured lake, with its S3 settings and Airflow connection: the one
    way every step, reader and page opens it."""
    return open_store(check_lake(settings.lake), s3=settings.s3, aws_conn_id=settings.aws_conn_id)
