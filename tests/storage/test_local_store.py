"""The local-folder lake keeps the object-store contract (see ``contract.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage.contract import ObjectStoreContract

from claimflow.storage import LocalStore


class TestLocalStore(ObjectStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> LocalStore:
        return LocalStore(tmp_path / "lake")


def test_half_written_files_are_invisible(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lake")
    (tmp_path / "lake" / "claims").mkdir()
    (tmp_path / "lake" / "claims" / ".tmp-abc").write_bytes(b"partial")
    assert list(store.list("claims/")) == []
