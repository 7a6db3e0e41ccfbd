"""The day report: one self-contained HTML file with the day view's content, written by publish
beside the manifest (a failure never fails the publish), and made on demand by ``claimflow report``."""

from __future__ import annotations

import logging
import re

import pyarrow as pa
import pytest
from deltalake import write_deltalake
from explore_lake import A_LEE, ANN, BOB, DAY_1, DAY_2, EVIL, HOSTILE, HOSTILE_WORDS, build_explore_lake, eid
from staged_day import stage_day

from claimflow import layout, stages
from claimflow.cli import NOT_PUBLISHED, PUBLISHED, main
from claimflow.config import Settings
from claimflow.explore import data, report
from claimflow.manifest import read_manifest
from claimflow.storage import LocalStore, open_lake
from claimflow.storage.delta import table_uri
from claimflow.tables import REGISTRY_SCHEMA

DAY = "2026-11-26"
ROWS = {"articles": 3, "entities": 5, "mentions": 8, "claims": 4}
# an attribute whose value is an address elsewhere: http(s)://, //host, or a scheme that runs code
ELSEWHERE = re.compile(r"""\b(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:|//|javascript:|data:)""", re.I)


def assert_self_contained(html: str) -> None:
    assert "<script" not in html.lower() and "<iframe" not in html.lower() and "<link" not in html.lower()
    assert not ELSEWHERE.search(html) and "@import" not in html and "url(" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html)  # no event handler attribute anywhere


def test_the_report_holds_the_day_and_loads_nothing(explore_lake):
    settings = Settings(lake=str(explore_lake))
    html = report.render_day_report(settings, read_manifest(LocalStore(str(explore_lake)), DAY_2))
    assert_self_contained(html)
    assert not re.search(r"<a\s", html)  # read away from the app, it links nowhere
    assert f"Who said what on {DAY_2}" in html and "<svg" in html
    assert ANN[0] in html and "allegedly" in html and "33%" in html
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Holdings" in html
    assert HOSTILE_WORDS not in html and "&lt;img src=x onerror=alert(2)&gt;" in html  # the denial, as text


def test_publish_writes_the_report_and_the_manifest_names_it(tmp_path):
    settings = Settings(lake=str(tmp_path / "lake"))
    manifest = stages.publish(settings, DAY, "run-a", stage_day(settings, DAY, "run-a", ROWS))
    assert manifest.day_report == layout.day_report(DAY, "run-a")
    assert read_manifest(open_lake(settings), DAY).day_report == manifest.day_report
    html = open_lake(settings).get_bytes(manifest.day_report).decode()
    assert f"Who said what on {DAY}" in html and "<b>4</b>claims" in html
    assert_self_contained(html)


def test_a_report_failure_never_fails_the_publish(tmp_path, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the lake went away")

    monkeypatch.setattr(report, "day_data", broken)
    settings = Settings(lake=str(tmp_path / "lake"))
    with caplog.at_level(logging.WARNING, logger="claimflow.explore.report"):
        manifest = stages.publish(settings, DAY, "run-a", stage_day(settings, DAY, "run-a", ROWS))
    assert manifest.day_report is None and read_manifest(open_lake(settings), DAY) == manifest
    assert f"day report not written day={DAY} run_id=run-a reason=RuntimeError: the lake went away" in caplog.text
    assert not list(open_lake(settings).list(layout.day_report(DAY, "run-a")))


def test_an_old_manifest_without_a_report_still_parses(explore_lake):
    manifest = read_manifest(LocalStore(str(explore_lake)), DAY_1)
    raw = manifest.to_dict()
    del raw["day_report"]
    assert type(manifest).from_dict(raw).day_report is None


@pytest.mark.parametrize("to_file", [True, False], ids=["--out", "stdout"])
def test_cli_report_makes_the_report_on_demand(explore_lake, tmp_path, capsys, to_file):
    out = tmp_path / "day.html"
    args = ["report", "--day", DAY_1, "--lake", str(explore_lake)] + (["--out", str(out)] if to_file else [])
    assert main(args) == PUBLISHED
    html = out.read_text() if to_file else capsys.readouterr().out
    assert f"Who said what on {DAY_1}" in html and "Bob Stone" in html
    assert_self_contained(html)


def test_cli_report_of_a_day_not_published(explore_lake, tmp_path, capsys):
    assert main(["report", "--day", "2026-11-01", "--lake", str(explore_lake), "--out", str(tmp_path / "x")]) == NOT_PUBLISHED
    assert "not published" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_the_report_reads_the_registry_of_the_days_ids_only(tmp_path, monkeypatch):
    """Publish makes the report inside the lake's lease: it reads the registry rows of the ids the
    day names (and of the ids they are merged into), never the whole registry, however old the lake."""
    lake = build_explore_lake(tmp_path)
    settings = Settings(lake=str(lake))
    stranger = {"entity_id": "f" * 32, "name": "Stranger", "label": "PERSON", "aliases": [], "article_count": 1,
                "merged_into": None, "kb_id": None, "dt": "2026-01-01", "run_id": "old"}
    write_deltalake(table_uri(settings, "registry"), pa.Table.from_pylist([stranger], schema=REGISTRY_SCHEMA),
                    mode="append", partition_by=["dt"])
    read: list[str] = []
    dataset_of = data._LATEST.dataset

    class Spy:
        def __init__(self, dataset):
            self.dataset = dataset

        def to_table(self, **kwargs):
            rows = self.dataset.to_table(**kwargs)
            read.extend(rows.column("entity_id").to_pylist())
            return rows

    def whole(*_args):
        raise AssertionError("the whole registry was read")

    monkeypatch.setattr(data._REGISTRIES, "view", whole)
    monkeypatch.setattr(data._LATEST, "dataset", lambda delta, table, days: (
        Spy(dataset_of(delta, table, days)) if table == "registry" else dataset_of(delta, table, days)))
    html = report.render_day_report(settings, read_manifest(LocalStore(str(lake)), DAY_2))
    assert ANN[0] in html and A_LEE[0] not in html  # A. Lee counted as the Ann Lee it is merged into
    assert set(read) == {eid(e) for e in (A_LEE, EVIL, ANN, BOB)}  # DAY_2's ids; City Council is DAY_1's only
    assert stranger["entity_id"] not in read
