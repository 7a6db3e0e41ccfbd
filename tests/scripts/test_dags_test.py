"""scripts/dags_test.py, what ``make run`` runs: a past day's run lasts what it took in the
runs list, not the days since its logical date (Airflow's own ``dags test`` gives it
``start_date = logical_date``, apache/airflow#66127)."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from dagrun import DAY, SEEDS

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("dags_test", ROOT / "scripts" / "dags_test.py")
dags_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dags_test)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param("2026-11-26", dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc), id="a day is its 00:00 UTC"),
        pytest.param("2026-11-26T05:00:00+02:00", dt.datetime(2026, 11, 26, 3, tzinfo=dt.timezone.utc), id="an offset is kept"),
    ],
)
def test_the_logical_date_argument(day, expected):
    assert dags_test.logical_date_of(day) == expected


def test_a_logical_date_that_is_no_date_is_refused():
    with pytest.raises(argparse.ArgumentTypeError, match="expected a day like 2026-11-26, got 'yesterday'"):
        dags_test.logical_date_of("yesterday")


def test_a_past_days_run_lasts_what_it_took(tmp_path, monkeypatch, airflow_db):
    from airflow.models.dagrun import DagRun

    monkeypatch.setenv("CLAIMFLOW_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("CLAIMFLOW_SOURCES", str(SEEDS))
    before = dt.datetime.now(dt.timezone.utc)
    assert dags_test.main(["claimflow_nightly", DAY]) == 0
    after = dt.datetime.now(dt.timezone.utc)

    [run] = DagRun.find(dag_id="claimflow_nightly", logical_date=dags_test.logical_date_of(DAY))
    assert run.state == "success"
    assert before <= run.start_date <= run.end_date <= after
    assert (run.end_date - run.start_date) < dt.timedelta(minutes=5)
