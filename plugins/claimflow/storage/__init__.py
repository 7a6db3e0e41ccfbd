"""Where the lake lives: pick the backend from the lake URI."""

from __future__ import annotations

from claimflow.config import Settings
from claimflow.storage.base import ObjectInfo, ObjectStat, ObjectStore
from claimflow.storage.local import LocalStore

__all__ = ["ObjectInfo", "ObjectStat", "ObjectStore", "LocalStore", "open_lake", "open_store"]


def open_store(uri: str, **options: object) -> ObjectStore:
    """The store for ``uri``: ``s3://bucket/prefix`` for S3, a path or ``file://`` URI for a
    local folder. ``options`` go to the S3 backend (``s3`` settings, ``aws_conn_id``...)."""
    if uri.startswith("s3://"):
        from claimflow.storage.s3 import S3Store

        return S3Store.from_uri(uri, **options)
    if "://" in uri and not uri.startswith("file://"):
        raise ValueError(f"expected an s3:// URI or a local path for the lake, got {uri!r}")
    return LocalStore(uri)


def open_lake(settings: Settings) -> ObjectStore:
    """The run's lake: ``settings.lake`` with its S3 settings and Airflow connection."""
    return open_store(settings.lake, s3=settings.s3, aws_conn_id=settings.aws_conn_id)
