"""The S3 lake against a real S3 server (SeaweedFS on loopback): the object-store contract,
plus what only S3 has: pagination, batched deletes, multipart transfers, checksums, errors,
and where the client's settings come from."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS
from storage.contract import ObjectStoreContract

from claimflow.config import MiB, S3Settings, Settings
from claimflow.exceptions import StorageError
from claimflow.storage import open_lake, open_store
from claimflow.storage.s3 import S3Store, botocore_config, encryption_args, transfer_config

SMALL_PARTS = {"multipart_threshold": 5 * MiB, "multipart_chunksize": 5 * MiB}


class TestS3Store(ObjectStoreContract):
    @pytest.fixture
    def store(self, s3_lake: str) -> S3Store:
        return S3Store.from_uri(s3_lake, **SMALL_PARTS)


@pytest.fixture
def store(s3_lake: str) -> S3Store:
    return S3Store.from_uri(s3_lake, **SMALL_PARTS)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 12 MiB: three parts at the tests' 5 MiB part size."""
    path = tmp_path_factory.mktemp("big") / "day.parquet"
    path.write_bytes(os.urandom(12 * MiB + 12345))
    return path


def test_open_store_picks_s3_for_s3_uris(s3_lake: str) -> None:
    store = open_store(s3_lake, aws_conn_id=None)
    assert isinstance(store, S3Store)
    assert store.root == s3_lake


def test_list_and_delete_go_past_1000_keys(store: S3Store) -> None:
    keys = [f"claims/dt=2024-05-01/part-{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: store.put_bytes(key, b"x"), keys))
    assert [info.key for info in store.list("claims/")] == keys  # two pages, in order
    assert store.delete_prefix("claims/") == 1100  # two DeleteObjects batches
    assert list(store.list("claims/")) == []


def test_large_file_goes_up_in_parts_and_comes_back_whole(store: S3Store, big_file: Path, tmp_path: Path) -> None:
    store.put_file("claims/big.parquet", big_file)
    assert store.stat("claims/big.parquet").etag.endswith("-3")  # S3 marks a 3-part upload this way
    store.get_file("claims/big.parquet", tmp_path / "back")
    assert (tmp_path / "back").read_bytes() == big_file.read_bytes()


def test_large_copy_is_server_side_in_parts_and_keeps_the_checksum(store: S3Store, big_file: Path) -> None:
    store.put_file("staging/big.parquet", big_file)
    store.copy("staging/big.parquet", "claims/big.parquet")
    stat = store.stat("claims/big.parquet")
    assert stat.size == big_file.stat().st_size
    assert stat.sha256 == hashlib.sha256(big_file.read_bytes()).hexdigest()


def test_stat_gives_the_etag_s3_computed(store: S3Store) -> None:
    store.put_bytes("a/x", b"hello")
    stat = store.stat("a/x")
    assert stat.etag == hashlib.md5(b"hello").hexdigest()  # single-part ETag is the content MD5
    assert stat.sha256 == hashlib.sha256(b"hello").hexdigest()


def test_stat_falls_back_to_the_servers_checksum(store: S3Store) -> None:
    """Objects written by other tools have no claimflow metadata, only S3's checksum."""
    store.client.put_object(
        Bucket=store.bucket, Key=f"{store.prefix}/a/foreign", Body=b"abc", ChecksumAlgorithm="SHA256"
    )
    assert store.stat("a/foreign").sha256 == hashlib.sha256(b"abc").hexdigest()


def test_body_damaged_in_transit_is_refused(store: S3Store) -> None:
    """Writes carry a SHA-256 the server checks, so bytes changed after hashing are not stored."""

    def damage(request, **_: object) -> None:
        request.body = b"HELLO"  # same length, different bytes

    store.client.meta.events.register("before-send.s3.PutObject", damage)
    with pytest.raises(StorageError, match="a/x"):
        store.put_bytes("a/x", b"hello")
    assert not store.exists("a/x")


def test_wrong_bucket_is_a_storage_error(seaweedfs: SeaweedFS, s3_lake: str) -> None:
    store = S3Store.from_uri("s3://no-such-claimflow-bucket/lake")
    with pytest.raises(StorageError, match="no-such-claimflow-bucket.*NoSuchBucket") as raised:
        store.put_bytes("a/x", b"x")
    assert type(raised.value) is StorageError  # terminal: retrying will not create the bucket
    with pytest.raises(StorageError, match="NoSuchBucket"):
        list(store.list(""))


def test_bad_credentials_are_a_storage_error_without_the_secret(s3_lake: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "not-a-known-key")
    with pytest.raises(StorageError, match="InvalidAccessKeyId") as raised:
        S3Store.from_uri(s3_lake).get_bytes("a/x")
    assert type(raised.value) is StorageError
    assert "not-the-secret-000" not in str(raised.value)


def test_client_comes_from_the_airflow_connection(
    seaweedfs: SeaweedFS, s3_lake: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With a connection named, its endpoint and keys win over the environment's, and no secret is logged."""
    connection = {
        "conn_type": "aws",
        "login": ACCESS_KEY,
        "password": SECRET_KEY,
        "extra": {"endpoint_url": seaweedfs.endpoint_url, "config_kwargs": {"s3": {"addressing_style": "path"}}},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CLAIMFLOW_S3_TEST", json.dumps(connection))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: using it would fail
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    caplog.set_level(logging.DEBUG)
    store = S3Store.from_uri(s3_lake, aws_conn_id="claimflow_s3_test")
    store.put_bytes("a/x", b"via connection")
    assert store.get_bytes("a/x") == b"via connection"
    assert store.client.meta.config.s3 == {"addressing_style": "path"}
    assert store.client.meta.config.retries["total_max_attempts"] == S3Settings().max_attempts
    assert SECRET_KEY not in caplog.text


def test_missing_connection_falls_back_to_the_environment(s3_lake: str) -> None:
    store = S3Store.from_uri(s3_lake, aws_conn_id="no_such_connection")
    store.put_bytes("a/x", b"via environment")
    assert store.get_bytes("a/x") == b"via environment"


def test_sse_s3_is_requested_on_every_write(monkeypatch: pytest.MonkeyPatch, s3_lake: str) -> None:
    encrypted = S3Store.from_uri(s3_lake, s3=Settings.from_env({"CLAIMFLOW_S3_SSE": "AES256"}).s3)
    sent: dict[str, str | bytes | None] = {}

    def record(request, event_name: str, **_: object) -> None:
        sent[event_name.rsplit(".", 1)[-1]] = request.headers.get("x-amz-server-side-encryption")

    encrypted.client.meta.events.register("before-send.s3", record)
    encrypted.put_bytes("a/x", b"secret rows")
    encrypted.copy("a/x", "a/y")
    assert {op: sent[op] for op in ("PutObject", "CopyObject")} == {"PutObject": b"AES256", "CopyObject": b"AES256"}
    assert encrypted.get_bytes("a/y") == b"secret rows"
    head = encrypted.client.head_object(Bucket=encrypted.bucket, Key=f"{encrypted.prefix}/a/y")
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"CLAIMFLOW_S3_SSE": "aes"}, "CLAIMFLOW_S3_SSE must be one of AES256, aws:kms", id="bad sse"),
        pytest.param(
            {"CLAIMFLOW_S3_SSE_KMS_KEY_ID": "alias/lake"}, "needs CLAIMFLOW_S3_SSE=aws:kms", id="kms key without kms"
        ),
        pytest.param({"CLAIMFLOW_S3_ADDRESSING_STYLE": "host"}, "must be one of auto, path, virtual", id="bad style"),
        pytest.param({"CLAIMFLOW_S3_MAX_ATTEMPTS": "three"}, "CLAIMFLOW_S3_MAX_ATTEMPTS must be a whole number of at least 1, got 'three'", id="not a number"),
        pytest.param({"CLAIMFLOW_S3_MULTIPART_CHUNKSIZE_MB": "1"}, "CLAIMFLOW_S3_MULTIPART_CHUNKSIZE_MB must be a whole number of MiB of at least 5", id="part too small"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_settings_from_env() -> None:
    settings = Settings.from_env(
        {
            "CLAIMFLOW_S3_SSE": "aws:kms",
            "CLAIMFLOW_S3_SSE_KMS_KEY_ID": "alias/claimflow",
            "CLAIMFLOW_S3_ADDRESSING_STYLE": "path",
            "CLAIMFLOW_S3_RETRY_MODE": "adaptive",
            "CLAIMFLOW_S3_MAX_ATTEMPTS": "8",
            "CLAIMFLOW_S3_MULTIPART_CHUNKSIZE_MB": "32",
        }
    ).s3
    assert encryption_args(settings) == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/claimflow"}
    config = botocore_config(settings)
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 8}
    assert config.s3 == {"addressing_style": "path"}
    assert transfer_config(settings).multipart_chunksize == 32 * MiB


@pytest.mark.parametrize(
    ("uri", "options", "error"),
    [
        pytest.param("s3:///lake", {}, ValueError, id="no bucket"),
        pytest.param("s3://claimflow/lake", {"part_size": 1}, TypeError, id="unknown option"),
    ],
)
def test_from_uri_refuses_bad_input(uri: str, options: dict[str, int], error: type[Exception]) -> None:
    with pytest.raises(error, match="expected"):
        S3Store.from_uri(uri, **options)


def test_open_lake_gives_the_store_the_runs_s3_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from seaweed import isolate_aws_env

    isolate_aws_env(monkeypatch, {"AWS_DEFAULT_REGION": "eu-west-1", "CLAIMFLOW_S3_MAX_ATTEMPTS": "9"})
    s3 = S3Settings(sse="AES256", addressing_style="path", max_attempts=3)
    store = open_lake(Settings(lake="s3://claimflow/lake", aws_conn_id="claimflow_no_such_conn", s3=s3))
    assert isinstance(store, S3Store) and store.root == "s3://claimflow/lake"
    assert store.settings == s3  # the Settings given, not the environment (read at the entry point only)
    assert store.client.meta.config.retries["total_max_attempts"] == 3
    assert store.client.meta.config.s3 == {"addressing_style": "path"}
