"""The behaviour every ``ObjectStore`` backend promises, written once.

A backend's test module subclasses :class:`ObjectStoreContract` and provides a ``store`` fixture
giving an empty store; pytest then runs every contract test against that backend.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from claimflow.storage.base import ObjectInfo, ObjectStore

PART = "claims/dt=2024-05-01/part-0.parquet"


class ObjectStoreContract:
    """Contract tests; subclasses supply the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> ObjectStore:
        raise NotImplementedError("a backend's test class provides an empty store")

    def test_put_then_get_returns_the_bytes(self, store: ObjectStore) -> None:
        store.put_bytes(PART, b"PAR1 rows")
        assert store.get_bytes(PART) == b"PAR1 rows"

    def test_put_replaces_what_was_there(self, store: ObjectStore) -> None:
        store.put_bytes(PART, b"first run, longer content")
        store.put_bytes(PART, b"rerun")
        assert store.get_bytes(PART) == b"rerun"
        assert list(store.list("claims/")) == [ObjectInfo(PART, 5)]

    def test_put_if_absent_writes_once(self, store: ObjectStore) -> None:
        assert store.put_if_absent("_leases/a.json", b"first")
        assert not store.put_if_absent("_leases/a.json", b"second")
        assert store.get_bytes("_leases/a.json") == b"first"
        assert [info.key for info in store.list("_leases/")] == ["_leases/a.json"]

    def test_put_if_absent_has_one_winner_among_racers(self, store: ObjectStore) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor

        barrier = threading.Barrier(4)

        def race(i: int) -> bool:
            barrier.wait(timeout=30)
            return store.put_if_absent("_leases/race.json", f"writer {i}".encode())

        with ThreadPoolExecutor(4) as pool:
            won = list(pool.map(race, range(4)))
        assert won.count(True) == 1
        assert store.get_bytes("_leases/race.json") == f"writer {won.index(True)}".encode()

    def test_empty_object_round_trips(self, store: ObjectStore) -> None:
        store.put_bytes("claims/_SUCCESS", b"")
        assert store.get_bytes("claims/_SUCCESS") == b""

    def test_file_round_trip(self, store: ObjectStore, tmp_path: Path) -> None:
        source = tmp_path / "source.bin"
        source.write_bytes(os.urandom(300_000))
        store.put_file(PART, source)
        store.get_file(PART, tmp_path / "back.bin")
        assert (tmp_path / "back.bin").read_bytes() == source.read_bytes()

    @pytest.mark.parametrize(
        "read",
        [
            pytest.param(lambda store, tmp: store.get_bytes("claims/missing"), id="get_bytes"),
            pytest.param(lambda store, tmp: store.get_file("claims/missing", tmp / "out"), id="get_file"),
            pytest.param(lambda store, tmp: store.stat("claims/missing"), id="stat"),
            pytest.param(lambda store, tmp: store.copy("claims/missing", "claims/copy"), id="copy source"),
        ],
    )
    def test_missing_key_raises_file_not_found(self, store: ObjectStore, tmp_path: Path, read) -> None:
        with pytest.raises(FileNotFoundError):
            read(store, tmp_path)

    def test_list_gives_keys_under_the_prefix_in_order_with_sizes(self, store: ObjectStore) -> None:
        for key in ["claims/dt=2024-05-02/b", "claims/dt=2024-05-01/z", "claims/dt=2024-05-01/a", "claimsx/a"]:
            store.put_bytes(key, key.encode())
        assert list(store.list("claims/dt=2024-05-01/")) == [
            ObjectInfo("claims/dt=2024-05-01/a", 22),
            ObjectInfo("claims/dt=2024-05-01/z", 22),
        ]
        assert [info.key for info in store.list("claims")] == [
            "claims/dt=2024-05-01/a",
            "claims/dt=2024-05-01/z",
            "claims/dt=2024-05-02/b",
            "claimsx/a",
        ]
        assert [info.key for info in store.list("")] == [info.key for info in store.list("claims")]
        assert list(store.list("nothing/")) == []

    def test_delete_removes_keys_and_ignores_missing_ones(self, store: ObjectStore) -> None:
        store.put_bytes("a/1", b"1")
        store.put_bytes("a/2", b"2")
        store.delete(["a/1", "a/never-written"])
        assert [info.key for info in store.list("a/")] == ["a/2"]
        store.delete([])

    def test_delete_prefix_removes_only_that_prefix_and_counts(self, store: ObjectStore) -> None:
        for key in ["staging/run-1/a", "staging/run-1/b", "staging/run-2/a"]:
            store.put_bytes(key, b"x")
        assert store.delete_prefix("staging/run-1/") == 2
        assert [info.key for info in store.list("staging/")] == ["staging/run-2/a"]

    def test_copy_duplicates_content_and_keeps_the_source(self, store: ObjectStore) -> None:
        store.put_bytes("staging/part-0", b"rows")
        store.put_bytes(PART, b"old rows")
        store.copy("staging/part-0", PART)
        assert store.get_bytes(PART) == b"rows"
        assert store.get_bytes("staging/part-0") == b"rows"

    def test_exists(self, store: ObjectStore) -> None:
        store.put_bytes(PART, b"x")
        assert store.exists(PART)
        assert not store.exists(PART + ".tmp")
        assert not store.exists("claims/dt=2024-05-01")  # a "folder" is not an object

    def test_stat_reads_back_size_and_sha256(self, store: ObjectStore, tmp_path: Path) -> None:
        content = os.urandom(70_000)
        store.put_bytes("a/bytes", content)
        (tmp_path / "f").write_bytes(content)
        store.put_file("a/file", tmp_path / "f")
        store.copy("a/file", "a/copied")
        expected = hashlib.sha256(content).hexdigest()
        for key in ["a/bytes", "a/file", "a/copied"]:
            stat = store.stat(key)
            assert (stat.key, stat.size, stat.sha256) == (key, len(content), expected)

    def test_uri_and_key_are_inverse(self, store: ObjectStore) -> None:
        uri = store.uri(PART)
        assert uri.startswith(store.root + "/")
        assert store.key(uri) == PART

    @pytest.mark.parametrize(
        "key",
        [pytest.param("../outside", id="parent"), pytest.param("/etc/passwd", id="absolute")],
    )
    def test_keys_that_escape_the_lake_are_refused(self, store: ObjectStore, key: str) -> None:
        with pytest.raises(ValueError, match="expected a key"):
            store.put_bytes(key, b"x")
