"""Every kind of bad input through the real DAG: good articles published, bad ones quarantined
with their reason, nothing lost: ingested = published + quarantined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bad_inputs import write_bad_inputs
from dagrun import DAY, SEEDS, run_nightly

from claimflow import layout
from claimflow.config import Settings
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore
from claimflow.storage.delta import DeltaLake

pytestmark = pytest.mark.integration


def _name(path: str) -> str:
    return Path(path.split("#")[0]).name + (f"#{path.split('#')[1]}" if "#" in path else "")


def test_bad_inputs_are_quarantined_with_reasons_and_good_ones_published(tmp_path, monkeypatch, airflow_db):
    source = tmp_path / "in"
    expected = write_bad_inputs(source, huge_bytes=50 * 1024 * 1024)
    for seed in sorted(SEEDS.glob("0[1-3]-*.txt")):
        shutil.copy(seed, source / seed.name)
        expected[seed.name] = "clean"
    lake = LocalStore(tmp_path / "lake")
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(lake.path))
    monkeypatch.setenv("CLAIMFLOW_SOURCES", f"{source},{source}")  # listed twice: each file is read once

    assert run_nightly().state == "success"

    tables = DeltaLake.open(Settings(lake=str(lake.path)))
    articles = tables.read_day("articles", DAY).to_pylist()
    outcomes = {_name(a["path"]): "clean" for a in articles}
    for table in layout.QUARANTINE_TABLES:
        for row in tables.read_day(f"quarantine/{table}", DAY).to_pylist():
            if table in ("inputs", "articles"):
                outcomes[_name(row["record_id"] if table == "inputs" else json.loads(row["record"])["path"])] = row["reason"]
    assert outcomes == expected
    acc = read_manifest(lake, DAY).accounting
    assert acc.ingested == acc.published + acc.quarantined == len(expected)
    nul = next(a for a in articles if a["path"].endswith("nul_control.txt"))
    assert "\x00" not in nul["text"] and "\x07" not in nul["text"]

