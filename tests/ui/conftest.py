"""The UI tests read one real lake, built once per session (the spaCy model loads once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from explore_lake import build_explore_lake
from uilake import build_lake


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("ui"))


@pytest.fixture(scope="session")
def explore_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_explore_lake(tmp_path_factory.mktemp("explore"))
