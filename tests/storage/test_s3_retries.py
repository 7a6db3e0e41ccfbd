"""Transient S3 faults are retried with backoff; faults that outlive the retries become
``TransientStorageError`` naming the object, so the task fails cleanly and a later try completes.

The faults come from ``FaultyProxy`` in front of the session's SeaweedFS: a real server cannot be
made to throttle or fail on cue.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff
from seaweed import FaultyProxy, SeaweedFS, free_port_pairs

from claimflow.config import MiB
from claimflow.exceptions import StorageError, TransientStorageError
from claimflow.storage.s3 import S3Store


@pytest.fixture
def proxy(seaweedfs: SeaweedFS, s3_lake: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyProxy]:
    """The proxy, with boto3 pointed at it and backoff shortened so retries take milliseconds."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    with FaultyProxy(seaweedfs.endpoint_url) as faulty:
        monkeypatch.setenv("AWS_ENDPOINT_URL", faulty.endpoint_url)
        yield faulty


@pytest.mark.parametrize(
    ("faults", "mode"),
    [
        pytest.param(("503", "503"), "standard", id="throttled twice"),
        pytest.param(("500", "500", "500"), "standard", id="server error three times"),
        pytest.param(("reset", "reset"), "standard", id="connection reset twice"),
        # adaptive mode also slows the client down after throttling, which would only make this slow
        pytest.param(("500", "reset"), "adaptive", id="adaptive mode"),
    ],
)
def test_transient_faults_are_retried_and_the_write_succeeds(
    proxy: FaultyProxy, s3_lake: str, faults: tuple[str, ...], mode: str
) -> None:
    store = S3Store.from_uri(s3_lake, retry_mode=mode, max_attempts=5)
    proxy.plan(*faults)
    store.put_bytes("claims/dt=2024-05-01/part-0.parquet", b"rows")
    proxy.plan(*faults)
    assert store.get_bytes("claims/dt=2024-05-01/part-0.parquet") == b"rows"
    assert not proxy.faults  # every planned fault was met, and retried past
    assert sum(" -> pass" in line for line in proxy.seen) == 2


def test_faults_during_a_multipart_upload_are_retried(proxy: FaultyProxy, s3_lake: str, tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(os.urandom(11 * MiB))
    store = S3Store.from_uri(s3_lake, multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=1)
    proxy.plan("500", "reset", "503")
    store.put_file("claims/big", big)
    assert store.stat("claims/big").size == 11 * MiB
    assert not proxy.faults


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        pytest.param("503", "SlowDown \\(HTTP 503\\)", id="throttled"),
        pytest.param("500", "InternalError \\(HTTP 500\\)", id="server error"),
        pytest.param("reset", "Connection was closed", id="connection reset"),
    ],
)
def test_persistent_faults_become_transient_storage_errors(
    proxy: FaultyProxy, s3_lake: str, fault: str, reason: str
) -> None:
    store = S3Store.from_uri(s3_lake, max_attempts=3)
    proxy.plan(fault, repeat=3)
    with pytest.raises(TransientStorageError, match=f"claims/part-0.*{reason}"):
        store.put_bytes("claims/part-0", b"rows")
    assert len(proxy.seen) == 3  # three attempts, then it gave up
    assert not store.exists("claims/part-0")


def test_unreachable_server_is_a_transient_storage_error(s3_lake: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    (closed,) = free_port_pairs(1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed}")
    store = S3Store.from_uri(s3_lake, max_attempts=2)
    with pytest.raises(TransientStorageError, match="claims/part-0.*Could not connect"):
        store.get_bytes("claims/part-0")


def test_client_errors_are_not_retried(proxy: FaultyProxy, s3_lake: str) -> None:
    """A missing bucket fails at the first answer: retrying cannot fix it."""
    store = S3Store.from_uri(s3_lake.replace("s3://claimflow/", "s3://no-such-bucket/"))
    with pytest.raises(StorageError, match="NoSuchBucket") as raised:
        store.put_bytes("claims/part-0", b"rows")
    assert not isinstance(raised.value, TransientStorageError)
    assert len(proxy.seen) == 1
