"""The S3 store across a real outage: SeaweedFS stopped and started again on the same data, as the
publish fault tests do. Uses its own server, so the session's stays up for the other tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff
from seaweed import SeaweedFS, isolate_aws_env, weed_binary

from claimflow.exceptions import TransientStorageError
from claimflow.storage.s3 import S3Store

pytestmark = [pytest.mark.integration, pytest.mark.skipif(weed_binary() is None, reason="the weed binary is not installed")]


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SeaweedFS]:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    with SeaweedFS(tmp_path / "weed") as weed:
        isolate_aws_env(monkeypatch, weed.env())
        yield weed


def test_writes_fail_transiently_while_down_and_work_after_restart(server: SeaweedFS) -> None:
    store = S3Store.from_uri(f"s3://{server.bucket}/lake", max_attempts=2)
    store.put_bytes("claims/dt=2024-05-01/part-0", b"before the outage")
    server.stop()
    with pytest.raises(TransientStorageError, match="claims/dt=2024-05-01/part-1.*a later retry may succeed"):
        store.put_bytes("claims/dt=2024-05-01/part-1", b"during the outage")
    server.start()
    assert store.get_bytes("claims/dt=2024-05-01/part-0") == b"before the outage"
    store.put_bytes("claims/dt=2024-05-01/part-1", b"after the restart")
    assert [info.key for info in store.list("claims/")] == [
        "claims/dt=2024-05-01/part-0",
        "claims/dt=2024-05-01/part-1",
    ]
    assert server.endpoint_url.endswith(f":{server.ports['s3']}")
    assert os.environ["AWS_ENDPOINT_URL"] == server.endpoint_url
