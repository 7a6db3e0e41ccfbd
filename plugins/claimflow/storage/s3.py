"""The lake on S3 or any S3-compatible server (MinIO, SeaweedFS...), through boto3.

Inside Airflow the client comes from an Airflow connection (``aws_default`` unless configured), so
``endpoint_url`` and path-style addressing can live in its extra; where no such connection exists,
in Airflow or outside it, boto3's standard environment applies (``AWS_ACCESS_KEY_ID``,
``AWS_ENDPOINT_URL``, profiles...). Every write carries a SHA-256 the server verifies, and the hex
digest of the whole content is kept in the object's metadata, so :meth:`S3Store.stat` can prove
what was published without downloading it. The settings (``CLAIMFLOW_S3_*``) arrive as
:class:`~claimflow.config.S3Settings`, part of the run's settings; the Airflow connection is
looked up through :mod:`claimflow.airflow_glue`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from boto3.exceptions import Boto3Error, RetriesExceededError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from claimflow.airflow_glue import s3_hook
from claimflow.config import S3Settings
from claimflow.exceptions import StorageError, TransientStorageError
from claimflow.storage.base import ObjectInfo, ObjectStat, ObjectStore, file_sha256

DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
SHA256_METADATA = "sha256"  # user metadata key holding the hex SHA-256 of the whole object

_MISSING_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_LOST_RACE_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "ServiceUnavailable",
        "PriorRequestNotComplete",
    }
)
def botocore_config(settings: S3Settings) -> Config:
    """Retries, and path-style addressing when asked for."""
    options: dict[str, Any] = {"retries": {"mode": settings.retry_mode, "total_max_attempts": settings.max_attempts}}
    if settings.addressing_style:
        options["s3"] = {"addressing_style": settings.addressing_style}
    return Config(**options)


def transfer_config(settings: S3Settings) -> TransferConfig:
    """Multipart and streaming settings for uploads, downloads and copies."""
    return TransferConfig(
        multipart_threshold=settings.multipart_threshold,
        multipart_chunksize=settings.multipart_chunksize,
        max_concurrency=settings.max_concurrency,
        num_download_attempts=settings.max_attempts,
    )


def encryption_args(settings: S3Settings) -> dict[str, str]:
    """The SSE request arguments every write carries."""
    if not settings.sse:
        return {}
    args = {"ServerSideEncryption": settings.sse}
    if settings.sse_kms_key_id:
        args["SSEKMSKeyId"] = settings.sse_kms_key_id
    return args


def make_client(settings: S3Settings, aws_conn_id: str | None = None) -> Any:
    """An S3 client: from the Airflow connection ``aws_conn_id`` where one exists, else from boto3's
    standard environment, with claimflow's retry and addressing settings.

    Settings the connection's ``config_kwargs`` extra makes explicitly win over claimflow's, since
    the connection is the operator's statement about that environment.
    """
    return _client(settings, s3_hook(aws_conn_id))


def _client(settings: S3Settings, hook: Any) -> Any:
    config = botocore_config(settings)
    if hook is None:
        return boto3.session.Session().client("s3", config=config)
    connection_config = hook.config
    merged = config.merge(connection_config)  # the connection's explicit options win...
    if config.s3 and connection_config.s3:  # ...key by key inside the s3 options too
        merged = merged.merge(Config(s3={**config.s3, **connection_config.s3}))
    return hook.get_client_type(config=merged)


@dataclass(frozen=True)
class S3Access:
    """Where and as whom the lake's S3 client talks, for clients that are not boto3 (delta-rs):
    resolved from the same Airflow connection or boto3 environment as :func:`make_client`.
    Secrets stay out of ``repr`` so that logging this never leaks them."""

    endpoint_url: str | None  # None for AWS itself, whose endpoint follows from the region
    region: str | None
    addressing_style: str | None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


def resolve_access(settings: S3Settings, aws_conn_id: str | None = None) -> S3Access:
    """The endpoint, region, addressing style and credentials :func:`make_client` would use."""
    hook = s3_hook(aws_conn_id)
    client = _client(settings, hook)
    if hook is not None:
        credentials = hook.get_credentials()  # masked in task logs
    else:
        found = boto3.session.Session().get_credentials()
        credentials = found.get_frozen_credentials() if found is not None else None
    endpoint = client.meta.endpoint_url
    if (urlsplit(endpoint).hostname or "").endswith(".amazonaws.com"):
        endpoint = None
    return S3Access(
        endpoint_url=endpoint,
        region=client.meta.region_name,
        addressing_style=(client.meta.config.s3 or {}).get("addressing_style"),
        access_key=credentials.access_key if credentials else None,
        secret_key=credentials.secret_key if credentials else None,
        token=credentials.token if credentials else None,
    )


class S3Store(ObjectStore):
    """Objects under ``s3://bucket/prefix``; errors come out as ``FileNotFoundError``,
    :class:`~claimflow.exceptions.TransientStorageError` (retry may fix) or
    :class:`~claimflow.exceptions.StorageError` (it will not)."""

    def __init__(self, bucket: str, prefix: str, client: Any, settings: S3Settings | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.settings = settings or S3Settings()
        self.root = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._transfer = transfer_config(self.settings)
        self._encryption = encryption_args(self.settings)

    @classmethod
    def from_uri(
        cls, uri: str, *, s3: S3Settings | None = None, aws_conn_id: str | None = None, **options: Any
    ) -> S3Store:
        """The store for ``s3://bucket/prefix``.

        Args:
            uri: The lake root, e.g. ``s3://claimflow/lake``.
            s3: The run's S3 settings (``Settings.s3``); None for the defaults.
            aws_conn_id: Airflow connection to take the client from, where it exists.
            **options: :class:`~claimflow.config.S3Settings` fields overriding ``s3``,
                e.g. ``multipart_threshold=8 * MiB``.
        """
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or not bucket:
            raise ValueError(f"expected an S3 URI like 's3://claimflow/lake', got {uri!r}")
        known = {f.name for f in fields(S3Settings)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown S3 option(s) {unknown}; expected some of {sorted(known)}")
        settings = replace(s3 or S3Settings(), **options)
        return cls(bucket, prefix, make_client(settings, aws_conn_id), settings)

    def __repr__(self) -> str:
        return f"S3Store({self.root!r})"

    def _full(self, key: str) -> str:
        """The S3 object key of a store key, refusing keys that would escape or alias."""
        parts = key.split("/")
        if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"expected a key like 'claims/dt=2024-05-01/part-0.parquet', got {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def _full_prefix(self, prefix: str) -> str:
        if prefix.startswith("/") or ".." in prefix.split("/"):
            raise ValueError(f"expected a prefix like 'claims/dt=2024-05-01/', got {prefix!r}")
        return f"{self.prefix}/{prefix}" if self.prefix else prefix

    @contextmanager
    def _errors(self, action: str, key: str) -> Iterator[None]:
        """Turn boto3's errors for ``key`` into claimflow's, naming the object and the reason."""
        try:
            yield
        except (BotoCoreError, ClientError, Boto3Error) as error:
            raise self._translate(action, key, error) from error

    def _translate(self, action: str, key: str, error: Exception) -> Exception:
        where = f"s3://{self.bucket}/{key}"
        if isinstance(error, S3UploadFailedError) and error.__context__ is not None:
            error = error.__context__  # boto3 wraps the ClientError in a string-only error
        if isinstance(error, RetriesExceededError):
            error = error.last_exception
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", "Unknown"))
            meta = error.response.get("ResponseMetadata", {})
            status = int(meta.get("HTTPStatusCode") or 0)
            attempts = int(meta.get("RetryAttempts") or 0) + 1
            message = error.response.get("Error", {}).get("Message") or "no message"
            if code in _MISSING_CODES:
                return FileNotFoundError(f"could not {action} {where}: no such object")
            reason = f"{code} (HTTP {status}): {message}"
            if code in _TRANSIENT_CODES or status == 429 or status >= 500:
                return TransientStorageError(
                    f"could not {action} {where}: {reason}, still failing after {attempts} attempt(s); "
                    "a later retry may succeed"
                )
            return StorageError(f"could not {action} {where}: {reason}")
        if isinstance(error, (HTTPClientError, BotoConnectionError, IncompleteReadError)):
            return TransientStorageError(
                f"could not {action} {where}: {error}; the server may be down or overloaded, a later retry may succeed"
            )
        return StorageError(f"could not {action} {where}: {type(error).__name__}: {error}")

    def put_bytes(self, key: str, data: bytes) -> None:
        full = self._full(key)
        digest = hashlib.sha256(data).digest()
        with self._errors("upload", full):
            self.client.put_object(
                Bucket=self.bucket,
                Key=full,
                Body=data,
                ChecksumSHA256=base64.b64encode(digest).decode(),
                Metadata={SHA256_METADATA: digest.hex()},
                **self._encryption,
            )

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """A PUT with ``If-None-Match: *``: S3 (and SeaweedFS) answer 412 when the key exists,
        409 when another conditional write to it is in flight; both mean another writer won."""
        full = self._full(key)
        digest = hashlib.sha256(data).digest()
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=full,
                Body=data,
                IfNoneMatch="*",
                ChecksumSHA256=base64.b64encode(digest).decode(),
                Metadata={SHA256_METADATA: digest.hex()},
                **self._encryption,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _LOST_RACE_CODES:
                return False
            raise self._translate("upload", full, error) from error
        except (BotoCoreError, Boto3Error) as error:
            raise self._translate("upload", full, error) from error
        return True

    def put_file(self, key: str, path: Path) -> None:
        full = self._full(key)
        extra = {
            "ChecksumAlgorithm": "SHA256",
            "Metadata": {SHA256_METADATA: file_sha256(path)},
            **self._encryption,
        }
        with self._errors("upload", full):
            self.client.upload_file(str(path), self.bucket, full, ExtraArgs=extra, Config=self._transfer)

    def get_bytes(self, key: str) -> bytes:
        full = self._full(key)
        with self._errors("download", full):
            return self.client.get_object(Bucket=self.bucket, Key=full)["Body"].read()

    def get_file(self, key: str, path: Path) -> None:
        full = self._full(key)
        with self._errors("download", full):
            self.client.download_file(self.bucket, full, str(path), Config=self._transfer)

    def list(self, prefix: str) -> Iterator[ObjectInfo]:
        full = self._full_prefix(prefix)
        strip = len(self.prefix) + 1 if self.prefix else 0
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
        with self._errors("list", full):
            for page in pages:
                for obj in page.get("Contents", ()):
                    yield ObjectInfo(obj["Key"][strip:], int(obj["Size"]), obj.get("LastModified"))

    def delete(self, keys: list[str]) -> None:
        full = [self._full(key) for key in keys]
        for start in range(0, len(full), DELETE_BATCH):
            batch = full[start : start + DELETE_BATCH]
            with self._errors("delete", batch[0]):
                response = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
            failed = response.get("Errors", [])
            if failed:
                sample = "; ".join(f"{e.get('Key')}: {e.get('Code')} {e.get('Message', '')}" for e in failed[:5])
                raise StorageError(
                    f"could not delete {len(failed)} of {len(batch)} object(s) in s3://{self.bucket}: {sample}"
                )

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under ``prefix`` page by page, so memory stays flat."""
        batch: list[str] = []
        count = 0
        for info in self.list(prefix):
            batch.append(info.key)
            if len(batch) == DELETE_BATCH:
                self.delete(batch)
                count += len(batch)
                batch = []
        self.delete(batch)
        return count + len(batch)

    def copy(self, src: str, dst: str) -> None:
        """Server-side copy (in parts above the multipart threshold); metadata, and so the
        SHA-256, travels with the object."""
        source, target = self._full(src), self._full(dst)
        extra = {"ChecksumAlgorithm": "SHA256", **self._encryption}
        with self._errors(f"copy s3://{self.bucket}/{source} to", target):
            self.client.copy(
                {"Bucket": self.bucket, "Key": source}, self.bucket, target, ExtraArgs=extra, Config=self._transfer
            )

    def exists(self, key: str) -> bool:
        """Asked by listing, not HEAD: without bucket-wide ``s3:ListBucket`` (see the IAM policy
        in ``include/iam``) S3 answers a HEAD of a missing key with 403, not 404."""
        full = self._full(key)
        with self._errors("list", full):
            page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=full, MaxKeys=1)
        return any(obj["Key"] == full for obj in page.get("Contents", ()))

    def stat(self, key: str) -> ObjectStat:
        """Size, ETag and SHA-256 of ``key`` from its metadata, without downloading it.

        The SHA-256 comes from what claimflow stored with the object, else from S3's own
        full-object checksum; it is None for objects written by other tools without one.
        """
        full = self._full(key)
        with self._errors("read the metadata of", full):
            head = self.client.head_object(Bucket=self.bucket, Key=full, ChecksumMode="ENABLED")
        sha256 = head.get("Metadata", {}).get(SHA256_METADATA)
        checksum = head.get("ChecksumSHA256")
        if sha256 is None and checksum and "-" not in checksum:  # "-N" marks a checksum of parts
            sha256 = base64.b64decode(checksum).hex()
        return ObjectStat(key=key, size=int(head["ContentLength"]), sha256=sha256, etag=head["ETag"].strip('"'))
