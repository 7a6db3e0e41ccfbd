"""Scale-out of the nightly DAG: one machine against raw spaCy, and a backfill on one vs two
Celery workers.

``one-machine``: the same articles (the first ``--articles`` PolNeAR train texts, else the
seeds) through raw ``nlp.pipe`` in this process (one process, the DAG's batch size; the model's
load not timed) and through the whole DAG with ``airflow dags test`` in this process (SQLite,
one process, as ``make run``: scripts/dags_test.py), alternately ``--repeat`` times; the ratio
is raw time over DAG time (1.0: the DAG costs nothing beyond the parse). Where the DAG's time
goes comes from its task instances (ingest, extract, validate, publish, remove_staging; what is
left of the run is Airflow's) and, inside the tasks, from timers put around claimflow's steps
for the run: the model's load, the parse with the rows built from it, the Great Expectations
suites, the staged Parquet writes.

``celery``: ``--days`` days of date-partitioned articles (``{ds}`` folders of ``--per-day``
texts each) backfilled with ``airflow backfill create`` on the Celery test stack
(tests/integration/airflow_stack.py: PostgreSQL, Redis, api-server, scheduler, dag-processor)
with one worker, then on a fresh stack and lake with two, each worker one task slot; the
speed-up is one worker's time over two's (backfill created → every run finished).

    python bench/bench_scaleout.py one-machine [--articles 840] [--repeat 1]
    python bench/bench_scaleout.py celery [--days 30] [--per-day 28] [--workers 1 2]

The machine's load (``uptime``) is printed with the results: on a shared 2-core machine a
neighbour's work shows in every number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests" / "integration")]

POLNEAR_TRAIN = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"
DAY = "2026-11-26"
DAG_ID = "claimflow_nightly"
AIRFLOW = str(Path(sys.executable).parent / "airflow")
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379"


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def texts_folder() -> Path:
    return POLNEAR_TRAIN if POLNEAR_TRAIN.is_dir() else ROOT / "seeds"


def copy_texts(files: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)


# -- one machine ------------------------------------------------------------------------------

STEP_TIMES: dict[str, float] = defaultdict(float)


def time_calls(module: Any, name: str, label: str) -> None:
    """Add the seconds spent in ``module.name`` to STEP_TIMES[label] for the rest of the process
    (callers that import the name inside their body, as claimflow's tasks do, get the timed one)."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            STEP_TIMES[label] += time.perf_counter() - began

    setattr(module, name, timed)


def airflow_env(home: Path, sources: Path, lake: Path) -> None:
    """This process's Airflow and claimflow settings; set before Airflow is first imported."""
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "CLAIMFLOW_SOURCES": str(sources),
            "CLAIMFLOW_LAKE": str(lake),
            "CLAIMFLOW_LATE_DAYS": "0",
        }
    )


def raw_spacy(texts: list[str], batch_size: int) -> float:
    import spacy

    from claimflow.config import Settings

    nlp = spacy.load(Settings.from_env().spacy_model)
    began = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=batch_size, n_process=1):
        pass
    return time.perf_counter() - began


def dag_run(dags_test: Any) -> tuple[float, dict[str, float]]:
    """One ``dags test`` of DAY: the run's seconds and each task's (mapped extracts summed)."""
    from airflow.models.dagrun import DagRun

    run = dags_test.run_dag_test(DAG_ID, dags_test.logical_date_of(DAY))
    if run.state != "success":
        raise SystemExit(f"the DAG run {run.run_id} ended {run.state}; see {os.environ['AIRFLOW_HOME']}/logs")
    [stored] = DagRun.find(dag_id=DAG_ID, run_id=run.run_id)
    tasks: dict[str, float] = defaultdict(float)
    for ti in stored.get_task_instances():
        tasks[ti.task_id] += (ti.end_date - ti.start_date).total_seconds()
    return (run.end_date - run.start_date).total_seconds(), dict(tasks)


def one_machine(args: argparse.Namespace) -> None:
    folder = texts_folder()
    files = sorted(folder.glob("*.txt"))[: args.articles]
    work = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    copy_texts(files, work / "sources")
    airflow_env(work / "airflow", work / "sources", work / "lake")
    (work / "airflow").mkdir()
    subprocess.run([AIRFLOW, "db", "migrate"], check=True, capture_output=True)

    from claimflow import quality, stages
    from claimflow.config import Settings
    from claimflow.ingest.articles import build_articles
    from claimflow.ingest.records import RejectedRecord
    from claimflow.ingest.sources import read_inputs
    from claimflow.nlp import pipeline

    settings = Settings.from_env()
    articles = [a for a in build_articles(read_inputs(str(work / "sources")), normalize=False) if not isinstance(a, RejectedRecord)]
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)
    for module, name in ((stages, "ingest"), (stages, "extract"), (stages, "validate"), (stages, "publish")):
        time_calls(module, name, f"stages.{name}")
    time_calls(pipeline, "load_nlp", "extract: load the model")
    time_calls(stages, "_shard_tables", "extract: parse and build rows")
    time_calls(quality, "validate_shard", "extract: GX suites")
    time_calls(stages, "put_frame_parquet", "extract: staged Parquet")
    time_calls(stages, "put_parquet", "extract: staged Parquet")

    spec = importlib.util.spec_from_file_location("dags_test", ROOT / "scripts" / "dags_test.py")
    dags_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dags_test)

    print(f"{len(texts)} articles ({words:,} words) from {folder}; batch size {settings.batch_size}, one process")
    print(f"load before: {load()}")
    raw_times, dag_times, last_tasks, last_steps = [], [], {}, {}
    for _ in range(args.repeat):
        raw_times.append(raw_spacy(texts, settings.batch_size))
        STEP_TIMES.clear()
        seconds, last_tasks = dag_run(dags_test)
        dag_times.append(seconds)
        last_steps = dict(STEP_TIMES)
    raw, dag = min(raw_times), min(dag_times)
    print(f"load after: {load()}")
    print(f"raw nlp.pipe   {raw:8.1f} s  {words / raw:7,.0f} words/s   (each: {', '.join(f'{t:.1f}' for t in raw_times)})")
    print(f"DAG dags test  {dag:8.1f} s  {words / dag:7,.0f} words/s   (each: {', '.join(f'{t:.1f}' for t in dag_times)})")
    print(f"ratio raw/DAG  {raw / dag:.3f}")
    print(f"\nwhere the last DAG run's {dag_times[-1]:.1f} s went:")
    for task, seconds in sorted(last_tasks.items(), key=lambda kv: -kv[1]):
        print(f"  task {task:<16} {seconds:7.1f} s  {100 * seconds / dag_times[-1]:5.1f}%")
    outside = dag_times[-1] - sum(last_tasks.values())
    print(f"  {'Airflow between tasks (dags test: parse, sync, scheduling loop)':<40} {outside:7.1f} s  {100 * outside / dag_times[-1]:5.1f}%")
    in_tasks = sum(last_tasks.values()) - sum(v for k, v in last_steps.items() if k.startswith("stages."))
    print(f"  {'Airflow inside tasks (task start, XCom, settings)':<40} {in_tasks:7.1f} s  {100 * in_tasks / dag_times[-1]:5.1f}%")
    print("inside claimflow's steps:")
    for step, seconds in sorted(last_steps.items()):
        print(f"  {step:<40} {seconds:7.1f} s  {100 * seconds / dag_times[-1]:5.1f}%")
    print(f"(work folder {work}, kept for its logs)")


# -- Celery -----------------------------------------------------------------------------------

def day_folders(files: list[Path], root: Path, first: dt.date, days: int, per_day: int) -> str:
    """``days`` folders named by day from ``first``, ``per_day`` texts each (files reused round
    the list when there are fewer); returns the ``{ds}`` source address."""
    for d in range(days):
        folder = root / (first + dt.timedelta(days=d)).isoformat()
        folder.mkdir(parents=True)
        for k in range(per_day):
            path = files[(d * per_day + k) % len(files)]
            # A day's own heading: a reused file must not be a duplicate of another day's.
            folder.joinpath(f"{k:03d}-{path.name}").write_text(
                f"Edition of {folder.name}, item {k}.\n\n{path.read_text(encoding='utf-8')}", encoding="utf-8"
            )
    return str(root) + "/{ds}"


def backfill_time(workers: int, args: argparse.Namespace, files: list[Path], first: dt.date) -> tuple[float, dict[str | None, int]]:
    """Seconds from ``backfill create`` until every run finished, on a stack with ``workers``
    one-slot Celery workers; and how many extract tasks each worker ran."""
    from airflow_stack import AirflowStack

    work = Path(tempfile.mkdtemp(prefix=f"bench-celery-{workers}-"))
    sources = day_folders(files, work / "sources", first, args.days, args.per_day)
    last = first + dt.timedelta(days=args.days - 1)
    with AirflowStack(
        work / "airflow", lake=str(work / "lake"), sources=sources, db_url=POSTGRES, broker_url=REDIS,
        shard_size=args.shard_size, workers=workers, worker_concurrency=1,
        extra_env={"CLAIMFLOW_LATE_DAYS": "0"},
    ) as stack:
        stack.wait_for_dag(DAG_ID)
        stack.unpause(DAG_ID)  # the scheduler starts no run of a paused DAG: a backfill would sit queued
        began = time.monotonic()
        backfill = stack.backfill(DAG_ID, first.isoformat(), last.isoformat(), "--max-active-runs", str(args.max_active_runs))
        runs = stack.wait_for_runs(DAG_ID, backfill_id=backfill, count=args.days, timeout=args.timeout)
        seconds = time.monotonic() - began
        failed = [run.run_id for run in runs if run.state != "success"]
        if failed:
            raise SystemExit(f"runs failed with {workers} worker(s): {failed}\n{stack.describe(runs)}")
        took = stack.extract_workers(runs)
    shutil.rmtree(work, ignore_errors=True)
    return seconds, took


def celery(args: argparse.Namespace) -> None:
    from airflow_stack import postgres_reachable, redis_reachable

    for reason in (postgres_reachable(POSTGRES), redis_reachable(REDIS)):
        if reason:
            raise SystemExit(reason)
    files = sorted(texts_folder().glob("*.txt"))
    first = dt.date.fromisoformat(DAY) - dt.timedelta(days=args.days - 1)
    print(f"{args.days} days x {args.per_day} articles from {texts_folder()}, shards of {args.shard_size}, "
          f"backfill --max-active-runs {args.max_active_runs}; one task slot per worker")
    times = {}
    for workers in args.workers:
        print(f"load before {workers} worker(s): {load()}")
        times[workers], took = backfill_time(workers, args, files, first)
        print(f"{workers} worker(s): {times[workers]:.1f} s, extract tasks per worker {took}; load after: {load()}")
    base = times[args.workers[0]]
    for workers, seconds in times.items():
        print(f"  {workers} worker(s) {seconds:8.1f} s  speed-up {base / seconds:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("one-machine", help="the whole DAG against raw spaCy, one process")
    one.add_argument("--articles", type=int, default=840, help="how many texts (default: the 840 of PolNeAR train)")
    one.add_argument("--repeat", type=int, default=1, help="alternating runs of each; the best is compared")
    cel = commands.add_parser("celery", help="a backfill on one vs two Celery workers")
    cel.add_argument("--days", type=int, default=30)
    cel.add_argument("--per-day", type=int, default=28, help="articles per day (default 28: 840 over 30 days)")
    cel.add_argument("--shard-size", type=int, default=250, help="CLAIMFLOW_SHARD_SIZE (default: the default)")
    cel.add_argument("--max-active-runs", type=int, default=4, help="the backfill's (the DAG allows 4)")
    cel.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    cel.add_argument("--timeout", type=float, default=7200, help="seconds a backfill may take")
    args = parser.parse_args()
    one_machine(args) if args.command == "one-machine" else celery(args)


if __name__ == "__main__":
    main()
