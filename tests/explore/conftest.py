"""The explorer's tests read one small published lake, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from explore_lake import build_explore_lake


@pytest.fixture(scope="session")
def explore_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_explore_lake(tmp_path_factory.mktemp("explore"))
