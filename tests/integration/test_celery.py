"""The nightly DAG on a real CeleryExecutor deployment, driven as users drive it.

One stack for the module (api-server, dag-processor, scheduler, two Celery workers with one slot
each, Redis broker, PostgreSQL metadata DB and result backend; see airflow_stack.py): a day triggered
with ``airflow dags trigger``, then two days with ``airflow backfill create``. The sources are one
folder per day (``{ds}``): the seeds on 2026-11-26, the seeds' text files in a late edition (other
texts, so not duplicates of the 26th's) on 2026-11-25, read without a late window so that each
day publishes its own folder whatever the order of the runs (the window and the cross-day index
are tested in tests/ingest/test_days.py). About 1.5 minutes on 2 cores.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import pytest
from airflow_stack import AirflowStack, DagRun, postgres_reachable, redis_reachable

from claimflow import layout
from claimflow.config import Settings
from claimflow.storage import LocalStore
from claimflow.storage.delta import DeltaLake
from claimflow.storage.records import get_json

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DAG_ID = "claimflow_nightly"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"  # the stack claims a free database from 11 up and flushes it after
SHARD_SIZE = 8  # 25 seed articles -> 4 mapped extract tasks
WORKERS = 2  # one slot each: while one extracts a shard, the next shard goes to the other
TRIGGERED_DAY = "2026-11-26"
# Seed articles are dated up to 2026-11-26 and an article published after the day following the
# run's day is quarantined (published_in_future): the 26th publishes all 25 seed articles.
BACKFILL_DAYS = ("2026-11-25", "2026-11-26")  # logical dates 00:00, as the trigger's
LATE_EDITION = "Late edition.\n\n"  # before each seed text file's text in the folder of the 25th

TIMINGS: dict[str, float] = {}
TRIGGERED: dict[str, dict] = {}  # the triggered day's row counts, which its backfill must repeat


def day_folders(root: Path) -> str:
    """A source with one folder per day: the seeds on the 26th, their text files' late edition on
    the 25th; returns the source address with its ``{ds}`` placeholder."""
    shutil.copytree(SEEDS, root / "2026-11-26")
    (root / "2026-11-25").mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (root / "2026-11-25" / seed.name).write_text(LATE_EDITION + seed.read_text(encoding="utf-8"), encoding="utf-8")
    return str(root) + "/{ds}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    for reason in (postgres_reachable(POSTGRES), redis_reachable(REDIS)):
        if reason:
            pytest.skip(f"the CeleryExecutor stack needs local PostgreSQL and Redis: {reason}")
    began = time.monotonic()
    lake = tmp_path_factory.mktemp("celery-lake")
    sources = day_folders(tmp_path_factory.mktemp("celery-sources"))
    with AirflowStack(
        tmp_path_factory.mktemp("celery-airflow"), lake=str(lake), sources=sources,
        db_url=POSTGRES, broker_url=REDIS, shard_size=SHARD_SIZE, workers=WORKERS, worker_concurrency=1,
        extra_env={"CLAIMFLOW_LATE_DAYS": "0"},
    ) as airflow:
        TIMINGS.update(airflow.timings)
        TIMINGS["dag_parsed"] = airflow.wait_for_dag(DAG_ID)
        airflow.unpause(DAG_ID)
        TIMINGS["ready"] = time.monotonic() - began
        yield airflow
        stopping = time.monotonic()
    TIMINGS["stop"] = time.monotonic() - stopping
    TIMINGS["module"] = time.monotonic() - began
    print("\nCeleryExecutor stack timings (s): " + ", ".join(f"{k}={v:.1f}" for k, v in TIMINGS.items()))


@pytest.fixture(scope="module")
def lake(stack) -> LocalStore:
    return LocalStore(Path(stack.lake))


def assert_ran_through_celery(stack: AirflowStack, run: DagRun) -> None:
    """Every task instance succeeded as a Celery task on one of the stack's worker nodes."""
    for ti in run.task_instances:
        where = f"{ti.label} of {run.run_id}\n{stack.describe([run])}"
        assert ti.state == "success", where
        assert ti.external_executor_id, f"{where}: no Celery task id"
        assert ti.celery_status == "SUCCESS", f"{where}: no successful Celery result"
        assert stack.worker_of(ti.celery_worker), f"{where}: ran on {ti.celery_worker}"
        assert ti.hostname, where


def manifest_of(lake: LocalStore, day: str) -> dict:
    assert lake.exists(layout.manifest(day)), f"no manifest for {day}"
    manifest = get_json(lake, layout.manifest(day))
    tables = DeltaLake.open(Settings(lake=str(lake.path)))
    for table in layout.TABLES:
        rows = tables.read_day(table, day).num_rows
        assert manifest["tables"][table]["rows"] == rows, (day, table)
    acc = manifest["accounting"]
    assert acc["ingested"] == acc["published"] + acc["quarantined"], acc
    return manifest


def quarantined_articles(lake: LocalStore, day: str) -> list[tuple[str, str, str]]:
    rows = []
    tables = DeltaLake.open(Settings(lake=str(lake.path)))
    for table in ("inputs", "articles"):
        found = tables.read_day(f"quarantine/{table}", day).to_pylist()
        rows += [(r["record_id"], r["reason"], (r["detail"] or "")[:200]) for r in found]
    return rows


def extract_tasks_made(manifest: dict) -> list[int]:
    """The map indexes of the day's extract tasks: one per shard of SHARD_SIZE staged articles
    (the day's inputs less those ingest quarantined)."""
    staged = manifest["accounting"]["ingested"] - manifest["quarantine"]["inputs"]["rows"]
    return list(range(min(Settings().max_shards, math.ceil(staged / SHARD_SIZE))))


def row_counts(manifest: dict) -> dict:
    return {
        "tables": {t: v["rows"] for t, v in manifest["tables"].items()},
        "quarantine": {t: v["rows"] for t, v in manifest["quarantine"].items()},
        "accounting": manifest["accounting"],
    }


def test_a_triggered_day_runs_on_celery_workers(stack, lake):
    began = time.monotonic()
    run_id = stack.trigger(DAG_ID, TRIGGERED_DAY)
    (run,) = stack.wait_for_runs(DAG_ID, run_ids=[run_id], timeout=180)
    TIMINGS["triggered_run"] = time.monotonic() - began
    assert run.state == "success", f"{stack.describe([run])}\n{stack.task_logs(DAG_ID, run_id)}"
    assert run.logical_date.date().isoformat() == TRIGGERED_DAY

    manifest = manifest_of(lake, TRIGGERED_DAY)
    assert manifest["run_id"] == run_id
    assert manifest["accounting"]["ingested"] == 25
    extracts = sorted(ti.map_index for ti in run.task_instances if ti.task_id == "extract")
    assert extracts == extract_tasks_made(manifest) and len(extracts) > 1, stack.describe([run])
    assert {ti.task_id for ti in run.task_instances} == {"ingest", "extract", "validate", "publish", "remove_staging"}
    assert_ran_through_celery(stack, run)
    took = stack.extract_workers([run])
    assert None not in took and len(took) == WORKERS, f"both workers take extract tasks, got {took}\n{stack.describe([run])}"

    assert manifest["accounting"]["published"] >= 20
    assert not [info.key for info in lake.list("_staging/")]
    TRIGGERED.update(row_counts(manifest))


def test_a_backfill_of_two_days_runs_both_days(stack, lake):
    began = time.monotonic()
    # The run of day D has D 00:00 as its logical date: dates name the days, both ends included.
    # The 26th already ran (triggered): the backfill reruns it only when told to.
    backfill_id = stack.backfill(DAG_ID, BACKFILL_DAYS[0], BACKFILL_DAYS[-1], "--reprocess-behavior", "completed")
    runs = stack.wait_for_runs(DAG_ID, backfill_id=backfill_id, count=len(BACKFILL_DAYS), timeout=240)
    TIMINGS["backfill_2_days"] = time.monotonic() - began

    assert [run.logical_date.date().isoformat() for run in runs] == list(BACKFILL_DAYS), stack.describe(runs)
    for run in runs:
        assert run.state == "success", f"{stack.describe([run])}\n{stack.task_logs(DAG_ID, run.run_id)}"
        assert run.run_type == "backfill"
        assert_ran_through_celery(stack, run)
    took = stack.extract_workers(runs)
    assert None not in took and len(took) == WORKERS, f"both workers take the backfill's extract tasks, got {took}\n{stack.describe(runs)}"
    listed = {r["run_id"]: r["state"] for r in stack.list_runs(DAG_ID)}  # what users see
    assert all(listed.get(run.run_id) == "success" for run in runs), listed

    manifests = {day: manifest_of(lake, day) for day in BACKFILL_DAYS}
    for run, day in zip(runs, BACKFILL_DAYS, strict=True):
        assert manifests[day]["run_id"] == run.run_id
        assert manifests[day]["day"] == day
        extracts = sorted(ti.map_index for ti in run.task_instances if ti.task_id == "extract")
        assert extracts == extract_tasks_made(manifests[day]) and len(extracts) > 1, stack.describe([run])
    late_edition, rerun = (row_counts(manifests[day]) for day in BACKFILL_DAYS)
    quarantined = repr({day: quarantined_articles(lake, day) for day in BACKFILL_DAYS})
    assert late_edition["accounting"]["ingested"] == len(list(SEEDS.glob("*.txt"))), quarantined
    assert late_edition["accounting"]["published"] >= 18, quarantined
    assert rerun == TRIGGERED, f"a rerun of a day publishes the same rows again; quarantined: {quarantined}"
