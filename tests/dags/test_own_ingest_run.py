"""The claimflow_own_ingest example end to end: a team's export, in the team's field names,
staged by the team's task and published by claimflow's extract, validate and publish."""

from __future__ import annotations

import json

import pytest
from dagrun import DAY, SEEDS, parsed_dag, run_dag, task_states

from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore

pytestmark = pytest.mark.integration


def test_a_teams_own_export_is_published_and_its_bad_lines_quarantined(tmp_path, monkeypatch, airflow_db):
    seeds = sorted(SEEDS.glob("*.txt"))[:6]
    export = tmp_path / "export.jsonl"
    lines = [json.dumps({"cms_id": n, "headline": path.stem, "body": path.read_text(encoding="utf-8"),
                         "link": f"https://news.example/{path.stem}", "bylines": ["Desk"]})
             for n, path in enumerate(seeds)]
    export.write_text("\n".join([*lines, "{not json", json.dumps({"headline": "no body"})]) + "\n")
    lake = LocalStore(tmp_path / "lake")
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(lake.path))

    run = run_dag(parsed_dag("claimflow_own_ingest"), DAY, {"export": str(export)})

    states = task_states(run)
    assert run.state == "success", states
    assert set(states.values()) == {"success"}
    manifest = read_manifest(lake, DAY)
    assert manifest.accounting.ingested == len(seeds) + 2
    assert (manifest.accounting.published, manifest.accounting.quarantined) == (len(seeds), 2)
    assert manifest.tables["claims"].rows > 0


def test_a_run_without_an_export_fails_at_the_teams_task_and_publishes_nothing(tmp_path, monkeypatch, airflow_db):
    lake = LocalStore(tmp_path / "lake")
    monkeypatch.setenv("CLAIMFLOW_LAKE", str(lake.path))
    run = run_dag(parsed_dag("claimflow_own_ingest", retries=0), DAY, {"export": ""})
    assert run.state == "failed"
    assert task_states(run)["stage_newsroom_export"] == "failed"
    assert read_manifest(lake, DAY) is None
