"""A real Airflow 3 deployment on the CeleryExecutor for integration tests, started on loopback.

    with AirflowStack(tmp_path / "airflow", lake=str(lake), sources=str(SEEDS),
                      db_url="postgresql://postgres@127.0.0.1:5432/postgres",
                      broker_url="redis://127.0.0.1:6379") as stack:
        stack.wait_for_dag("claimflow_nightly")
        stack.unpause("claimflow_nightly")
        run_id = stack.trigger("claimflow_nightly", "2026-11-26")
        (run,) = stack.wait_for_runs("claimflow_nightly", run_ids=[run_id])

What it runs, each as its own process (group) with its log under ``home/logs/``: ``airflow db
migrate`` on a fresh PostgreSQL database it creates (and drops on exit), then ``airflow
api-server`` (bound to 127.0.0.1 on a free port; workers reach the Task Execution API there),
``airflow dag-processor``, ``airflow scheduler`` and one or more ``airflow celery worker`` processes
(each its own Celery node name), with Redis as
the broker (one otherwise empty Redis database, flushed on exit) and the metadata database as
the Celery result backend. Nothing is written into the repository: the DAGs and plugins folders
are the repository's, everything else lives under ``home`` (including a copy of ``include/``
taken at start, which the components use as CLAIMFLOW_INCLUDE).

Nothing outlives the stack: close() (also on a SIGTERM to the test process, which unwinds like
Ctrl-C) stops each component's process group, SIGTERM then SIGKILL; and a small watchdog process
does the same, plus dropping the database and flushing Redis, if the test process dies without
closing (SIGKILL, a CI job killing its process group).

The helpers call the ``airflow`` CLI as users do (``dags trigger``, ``dags unpause``,
``backfill create``, ``dags list-runs``); polling and task-instance details read the metadata
database directly, which costs far less CPU than a CLI start per poll.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
AIRFLOW = str(Path(sys.executable).parent / "airflow")
TERMINAL_RUN_STATES = ("success", "failed")
REDIS_LOCK_KEY = "claimflow:airflow_stack:owner"  # marks the Redis db a stack has claimed
FIRST_REDIS_DB = 11
PIDS_FILE = "components.pids"  # under home: one component pid (= its process group) a line


class StackError(RuntimeError):
    """Something in the stack failed; the message carries the tails of the component logs."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def postgres_reachable(db_url: str) -> str | None:
    """None when the PostgreSQL server of ``db_url`` answers, else why not."""
    try:
        _admin(db_url).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
        return f"PostgreSQL at {_url(db_url).render_as_string(hide_password=True)} is not reachable: {exc}"
    return None


def redis_reachable(broker_url: str) -> str | None:
    """None when the Redis server of ``broker_url`` answers PING, else why not."""
    try:
        import redis

        client = redis.Redis.from_url(broker_url, socket_connect_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
        return f"Redis at {broker_url} is not reachable: {exc}"
    return None


def _url(db_url: str):
    from sqlalchemy.engine import make_url

    return make_url(db_url)


def _admin(db_url: str):
    """An autocommit connection to the server's maintenance database (where CREATE DATABASE runs)."""
    import psycopg2

    url = _url(db_url)
    conn = psycopg2.connect(
        host=url.host or HOST,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "postgres",
        connect_timeout=3,
    )
    conn.autocommit = True
    return conn


def _admin_execute(db_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's maintenance database."""
    conn = _admin(db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text[-lines:])


@dataclass
class Component:
    """One long-running Airflow process of the stack."""

    name: str
    argv: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class TaskInstance:
    task_id: str
    map_index: int
    state: str | None
    try_number: int
    hostname: str | None
    pid: int | None
    queue: str | None
    external_executor_id: str | None  # the Celery task id the scheduler sent the workload under
    celery_status: str | None = None  # from the Celery result backend (celery_taskmeta)
    celery_worker: str | None = None  # the Celery node that ran it (result_extended is on)
    start_date: Any = None
    end_date: Any = None

    @property
    def label(self) -> str:
        return self.task_id if self.map_index < 0 else f"{self.task_id}[{self.map_index}]"


@dataclass
class DagRun:
    dag_id: str
    run_id: str
    logical_date: Any
    state: str
    run_type: str
    backfill_id: int | None
    start_date: Any = None
    end_date: Any = None
    task_instances: list[TaskInstance] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        if self.start_date and self.end_date:
            return (self.end_date - self.start_date).total_seconds()
        return None


class AirflowStack:
    """Airflow's api-server, dag-processor, scheduler and a Celery worker on loopback.

    Args:
        home: AIRFLOW_HOME; config, logs and the generated simple-auth passwords go here.
        lake: CLAIMFLOW_LAKE for every component (a folder or ``s3://...``).
        sources: CLAIMFLOW_SOURCES for every component.
        db_url: Any URL of the PostgreSQL server (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``);
            its database is only used to create and drop the stack's own fresh database.
        broker_url: The Redis server, e.g. ``redis://127.0.0.1:6379`` (a free database from 11 up is
            claimed) or ``redis://127.0.0.1:6379/11`` (that database, which must be empty).
        shard_size: CLAIMFLOW_SHARD_SIZE, small so that ``extract`` maps to several tasks.
        workers: How many Celery workers to start (one node name each: :attr:`worker_names`).
        worker_concurrency: Task slots of each Celery worker.
        snapshot_include: Give the components a copy of the repository's ``include/`` (GX suites,
            SQL) taken at start, as an image would, so that someone editing them in the working
            tree meanwhile does not change the days of one test run. The lexicons and scorer are
            package data, read from the plugins folder.
        extra_env: More environment for every component (applied last).
    """

    def __init__(
        self,
        home: Path,
        *,
        lake: str,
        sources: str,
        db_url: str,
        broker_url: str,
        shard_size: int = 8,
        workers: int = 1,
        worker_concurrency: int = 2,
        snapshot_include: bool = True,
        extra_env: dict[str, str] | None = None,
        startup_timeout: float = 120.0,
        stop_grace: float = 15.0,
    ) -> None:
        self.home = Path(home).resolve()
        self.lake = lake
        self.sources = sources
        self.server_url = db_url
        self.redis_server = broker_url
        self.shard_size = shard_size
        self.worker_concurrency = worker_concurrency
        self.snapshot_include = snapshot_include
        self.extra_env = dict(extra_env or {})
        self.startup_timeout = startup_timeout
        self.stop_grace = stop_grace
        token = secrets.token_hex(4)
        self.database = f"claimflow_stack_{os.getpid()}_{token}"
        # Celery node names (%h is the host name): the result backend keeps each task's, so a
        # test can tell which worker ran what (the task instance's hostname is the machine's).
        self.worker_names = [f"claimflow-stack-{token}-{i}@%h" for i in range(workers)]
        self.api_port = 0
        self.redis_db: int | None = None
        self.broker_url = ""
        self.components: list[Component] = []
        self.env: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self._db_created = False
        self._previous_sigterm: Any = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> AirflowStack:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the stack's own metadata database."""
        url = _url(self.server_url).set(drivername="postgresql+psycopg2", database=self.database)
        return url.render_as_string(hide_password=False)

    def start(self) -> None:
        began = time.monotonic()
        if threading.current_thread() is threading.main_thread():
            # A SIGTERM to the test process (a CI timeout, say) unwinds like Ctrl-C, so close()
            # still stops the components, drops the database and flushes Redis.
            self._previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        if self.snapshot_include:
            shutil.copytree(ROOT / "include", self.home / "include", dirs_exist_ok=True)
        self._start_watchdog()
        self._claim_redis_db()
        self._create_database()
        self.api_port = free_port()
        self.env = self._environment()

        step = time.monotonic()
        self.cli("db", "migrate", timeout=300, log_name="migrate")
        self.timings["migrate"] = time.monotonic() - step

        step = time.monotonic()
        api = self._spawn(
            "api-server", ["api-server", "--host", HOST, "--port", str(self.api_port), "--workers", "1"]
        )
        self._spawn("dag-processor", ["dag-processor"])
        self._spawn("scheduler", ["scheduler", "--skip-serve-logs"])
        self._wait(lambda: self._http_ok(f"{self.execution_api_url}health"), "the api-server to answer", [api])
        # The workers come last: a task one picks up must be able to reach the execution API.
        workers = [
            self._spawn(
                f"celery-worker-{i}",
                ["celery", "worker", "--concurrency", str(self.worker_concurrency),
                 "--celery-hostname", name, "--skip-serve-logs"],
            )
            for i, name in enumerate(self.worker_names)
        ]
        for worker in workers:  # all ready before any run: each can take a share from the start
            self._wait(lambda w=worker: " ready." in w.log.read_text(errors="replace"), f"{worker.name} to be ready", [worker])
        self.timings["start"] = time.monotonic() - step
        self.timings["startup_total"] = time.monotonic() - began

    def close(self) -> None:
        """Stop every component (SIGTERM to its process group, then SIGKILL), drop the database,
        flush the Redis database. Safe to call more than once and after a failed start."""
        if self._closed:
            return
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None
        for component in reversed(self.components):
            self._terminate(component, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        for component in reversed(self.components):
            if component.process is None:
                continue
            try:
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for component in self.components:  # children of a component that exited by itself too
            self._terminate(component, signal.SIGKILL)
            if component.process is not None:
                try:
                    component.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self._drop_database()
        self._release_redis_db()
        self._stop_watchdog()  # only once all is clean: if something above failed, it tries again
        self._closed = True

    def _start_watchdog(self) -> None:
        """A small process, in its own session, that cleans up if this process dies without
        close() (SIGKILL, a CI job killing the test's process group): no component outlives it."""
        (self.home / PIDS_FILE).write_text("")
        with open(self.home / "logs" / "watchdog.log", "ab") as log:
            self._watchdog = subprocess.Popen(
                [sys.executable, __file__, "watchdog", str(os.getpid()), str(self.home), self.server_url,
                 self.database, self.redis_server, str(self.stop_grace)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def _stop_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.terminate()
            self._watchdog.wait(timeout=10)
            self._watchdog = None

    @staticmethod
    def _terminate(component: Component, sig: signal.Signals) -> None:
        if component.process is None:
            return
        try:
            os.killpg(component.process.pid, sig)  # the group we created with start_new_session
        except (ProcessLookupError, PermissionError):
            pass

    # -- set-up pieces ----------------------------------------------------------------------

    def _claim_redis_db(self) -> None:
        import redis

        parts = urlsplit(self.redis_server)
        base = f"{parts.scheme}://{parts.netloc}"
        given = parts.path.strip("/")
        candidates = [int(given)] if given else [*range(FIRST_REDIS_DB, 16), *range(1, FIRST_REDIS_DB)]
        errors = []
        for db in candidates:
            client = redis.Redis.from_url(base, db=db, socket_connect_timeout=3)
            try:
                if client.dbsize() == 0 and client.set(REDIS_LOCK_KEY, self.database, nx=True):
                    self.redis_db = db
                    self.broker_url = f"{base}/{db}"
                    return
                errors.append(f"db {db} is in use")
            finally:
                client.close()
        raise StackError(f"no free Redis database on {self.redis_server}: {', '.join(errors)}")

    def _release_redis_db(self) -> None:
        if self.redis_db is None:
            return
        import redis

        client = redis.Redis.from_url(self.broker_url, socket_connect_timeout=3)
        try:
            if client.get(REDIS_LOCK_KEY) in (self.database.encode(), None):
                client.flushdb()  # only the database this stack claimed
        finally:
            client.close()
        self.redis_db = None

    def _create_database(self) -> None:
        _admin_execute(self.server_url, f'CREATE DATABASE "{self.database}"')
        self._db_created = True

    def _drop_database(self) -> None:
        if self._db_created:
            _admin_execute(self.server_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._db_created = False

    @property
    def execution_api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}/execution/"

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLAIMFLOW_"))}
        url = _url(self.db_url)
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": self.execution_api_url,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.db_url,
                "AIRFLOW__API__HOST": HOST,
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API__BASE_URL": f"http://{HOST}:{self.api_port}/",
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
                "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
                # Keep the worker's node name with each result, so tests can tell who ran what.
                "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": json.dumps({"result_extended": True}),
                # Only the runs a test asks for: no automatic run of the latest missed schedule.
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "60",
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "CLAIMFLOW_LAKE": self.lake,
                "CLAIMFLOW_SOURCES": self.sources,
                "CLAIMFLOW_SHARD_SIZE": str(self.shard_size),
            }
        )
        if self.snapshot_include:
            env["CLAIMFLOW_INCLUDE"] = str(self.home / "include")
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> Component:
        component = Component(name, [AIRFLOW, *args], self.home / "logs" / f"{name}.log")
        with open(component.log, "ab") as out:
            component.process = subprocess.Popen(
                component.argv, env=self.env, cwd=self.home, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        with open(self.home / PIDS_FILE, "a") as pids:  # for the watchdog
            pids.write(f"{component.process.pid}\n")
        self.components.append(component)
        return component

    @staticmethod
    def _http_ok(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _wait(self, ready, what: str, components: Sequence[Component], timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.startup_timeout)
        while time.monotonic() < deadline:
            self.check_alive()
            if ready():
                return
            time.sleep(0.5)
        raise StackError(f"timed out waiting for {what}\n{self.logs(components)}")

    # -- health and diagnostics -------------------------------------------------------------

    def check_alive(self) -> None:
        dead = [c for c in self.components if not c.alive]
        if dead:
            codes = ", ".join(f"{c.name} exited with {c.process.returncode if c.process else None}" for c in dead)
            raise StackError(f"{codes}\n{self.logs(dead)}")

    def logs(self, components: Iterable[Component] | None = None, lines: int = 40) -> str:
        """The tails of the components' logs, for failure messages."""
        chosen = list(self.components if components is None else components)
        return "\n".join(f"----- {c.name}: {c.log} (last {lines} lines) -----\n{tail(c.log, lines)}" for c in chosen)

    def task_logs(self, dag_id: str, run_id: str, lines: int = 30) -> str:
        """The tails of a run's task logs (the latest attempt of each task)."""
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        files = sorted(folder.glob("task_id=*/**/attempt=*.log"))
        return "\n".join(f"----- {p.relative_to(self.home)} -----\n{tail(p, lines)}" for p in files) or f"(no task logs in {folder})"

    # -- the airflow CLI --------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 120, log_name: str | None = None) -> str:
        """Run ``airflow <args>`` in the stack's environment; its stdout, or StackError."""
        result = subprocess.run(
            [AIRFLOW, *args], env=self.env, cwd=self.home, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )
        if log_name:
            (self.home / "logs" / f"{log_name}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise StackError(
                f"`airflow {' '.join(args)}` exited with {result.returncode}\n"
                f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def unpause(self, dag_id: str) -> None:
        self.cli("dags", "unpause", dag_id)

    def trigger(self, dag_id: str, logical_date: str) -> str:
        """``airflow dags trigger --logical-date``; returns the run id."""
        out = self.cli("dags", "trigger", dag_id, "--logical-date", logical_date, "-o", "json")
        (run,) = _json_from(out)
        return run["dag_run_id"] if "dag_run_id" in run else run["run_id"]

    def backfill(self, dag_id: str, start: str, end: str, *extra: str) -> int:
        """``airflow backfill create``; returns the backfill's id (its runs carry it)."""
        before = self._latest_backfill_id(dag_id)
        out = self.cli("backfill", "create", "--dag-id", dag_id, "--from-date", start, "--to-date", end, *extra)
        backfill_id = self._latest_backfill_id(dag_id)
        if backfill_id is None or backfill_id == before:
            raise StackError(f"`airflow backfill create` created no backfill:\n{out}")
        return backfill_id

    def list_runs(self, dag_id: str) -> list[dict[str, Any]]:
        """``airflow dags list-runs -o json``, as users see the runs."""
        return _json_from(self.cli("dags", "list-runs", dag_id, "-o", "json"))

    # -- the metadata database --------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        import psycopg2
        import psycopg2.extras

        url = _url(self.db_url)
        conn = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                                dbname=self.database, connect_timeout=5)
        try:
            with conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(sql, params)
                return [dict(row) for row in cur.fetchall()] if cur.description else []
        finally:
            conn.close()

    def _latest_backfill_id(self, dag_id: str) -> int | None:
        rows = self.query("SELECT max(id) AS id FROM backfill WHERE dag_id = %s", (dag_id,))
        return rows[0]["id"] if rows else None

    def import_errors(self) -> list[dict[str, Any]]:
        return self.query("SELECT filename, stacktrace FROM import_error")

    def wait_for_dag(self, dag_id: str, timeout: float = 90) -> float:
        """Wait until the dag-processor has serialized ``dag_id``; returns the seconds waited."""
        began = time.monotonic()
        sql = ("SELECT 1 FROM dag JOIN serialized_dag USING (dag_id) WHERE dag.dag_id = %s AND NOT dag.is_stale")
        while time.monotonic() - began < timeout:
            self.check_alive()
            if self.query(sql, (dag_id,)):
                return time.monotonic() - began
            errors = self.import_errors()
            if errors:
                raise StackError(f"the DAGs folder has import errors: {errors}")
            time.sleep(1)
        raise StackError(f"{dag_id} was not parsed within {timeout}s\n{self.logs()}")

    def runs(self, dag_id: str, *, run_ids: Sequence[str] | None = None, backfill_id: int | None = None) -> list[DagRun]:
        sql = ("SELECT dag_id, run_id, logical_date, state, run_type, backfill_id, start_date, end_date "
               "FROM dag_run WHERE dag_id = %s")
        params: list[Any] = [dag_id]
        if run_ids is not None:
            sql += " AND run_id = ANY(%s)"
            params.append(list(run_ids))
        if backfill_id is not None:
            sql += " AND backfill_id = %s"
            params.append(backfill_id)
        return [DagRun(**row) for row in self.query(sql + " ORDER BY logical_date", params)]

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstance]:
        """The run's task instances, with the Celery result of each (status, worker node)."""
        has_celery = self.query("SELECT to_regclass('celery_taskmeta') IS NOT NULL AS present")[0]["present"]
        celery_cols = "c.status AS celery_status, c.worker AS celery_worker" if has_celery else "NULL AS celery_status, NULL AS celery_worker"
        celery_join = "LEFT JOIN celery_taskmeta c ON c.task_id = ti.external_executor_id" if has_celery else ""
        rows = self.query(
            f"SELECT ti.task_id, ti.map_index, ti.state, ti.try_number, ti.hostname, ti.pid, ti.queue, "
            f"ti.external_executor_id, {celery_cols}, ti.start_date, ti.end_date FROM task_instance ti {celery_join} "
            f"WHERE ti.dag_id = %s AND ti.run_id = %s ORDER BY ti.start_date NULLS LAST, ti.task_id, ti.map_index",
            (dag_id, run_id),
        )
        return [TaskInstance(**row) for row in rows]

    def wait_for_runs(
        self,
        dag_id: str,
        *,
        run_ids: Sequence[str] | None = None,
        backfill_id: int | None = None,
        count: int | None = None,
        timeout: float = 240,
        fail_fast: bool = True,
    ) -> list[DagRun]:
        """Wait until the chosen runs (by id, or all of a backfill) have all finished.

        ``count`` is how many runs to expect (default: ``len(run_ids)``). With ``fail_fast``, a
        task going to ``up_for_retry`` or ``failed`` ends the wait at once with its logs, rather
        than after the DAG's retry delays. Returns the runs with their task instances.
        """
        expected = count if count is not None else (len(run_ids) if run_ids is not None else None)
        began = time.monotonic()
        while True:
            self.check_alive()
            runs = self.runs(dag_id, run_ids=run_ids, backfill_id=backfill_id)
            for run in runs:
                run.task_instances = self.task_instances(dag_id, run.run_id)
            done = [r for r in runs if r.state in TERMINAL_RUN_STATES]
            if runs and len(done) == len(runs) and (expected is None or len(runs) >= expected):
                return self._settled(dag_id, runs)
            broken = [(r, t) for r in runs for t in r.task_instances if t.state in ("up_for_retry", "failed")]
            if fail_fast and broken:
                run, ti = broken[0]
                raise StackError(
                    f"{ti.label} of {run.run_id} is {ti.state}\n{self.describe(runs)}\n"
                    f"{self.task_logs(dag_id, run.run_id)}\n{self.logs(lines=20)}"
                )
            if time.monotonic() - began > timeout:
                raise StackError(f"runs not finished after {timeout}s\n{self.describe(runs)}\n{self.logs()}")
            time.sleep(2)

    def _settled(self, dag_id: str, runs: list[DagRun], timeout: float = 30) -> list[DagRun]:
        """``runs`` once the Celery results of their tasks are final too: a task instance is
        marked done through the execution API a moment before its Celery task returns."""
        deadline = time.monotonic() + timeout
        while True:
            pending = [t for r in runs for t in r.task_instances
                       if t.external_executor_id and t.celery_status not in ("SUCCESS", "FAILURE", "REVOKED")]
            if not pending or time.monotonic() > deadline:
                return runs
            time.sleep(1)
            for run in runs:
                run.task_instances = self.task_instances(dag_id, run.run_id)

    def worker_of(self, node: str | None) -> str | None:
        """Which of the stack's workers (its node name before ``@host``) a Celery result's node
        name is; None for any other node."""
        names = {name.split("@", 1)[0] for name in self.worker_names}
        worker = (node or "").split("@", 1)[0]
        return worker if worker in names else None

    def extract_workers(self, runs: Iterable[DagRun]) -> dict[str | None, int]:
        """How many ``extract`` tasks of ``runs`` each worker ran."""
        counts: dict[str | None, int] = {}
        for ti in (ti for run in runs for ti in run.task_instances if ti.task_id == "extract"):
            worker = self.worker_of(ti.celery_worker)
            counts[worker] = counts.get(worker, 0) + 1
        return counts

    @staticmethod
    def describe(runs: Iterable[DagRun]) -> str:
        lines = []
        for run in runs:
            lines.append(f"{run.run_id}: {run.state} ({run.run_type}, backfill {run.backfill_id})")
            lines += [f"    {t.label}: {t.state} try {t.try_number} on {t.hostname} via {t.celery_worker} ({t.celery_status})"
                      for t in run.task_instances]
        return "\n".join(lines)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _json_from(output: str) -> list[dict[str, Any]]:
    """The JSON document in a CLI's stdout: the last line-initial ``[`` or ``{`` that parses
    (log lines and notices can come before it)."""
    decoder = json.JSONDecoder()
    starts = [i for i in range(len(output)) if output[i] in "[{" and (i == 0 or output[i - 1] == "\n")]
    for start in reversed(starts):
        try:
            data, _ = decoder.raw_decode(output[start:])
        except ValueError:
            continue
        return data if isinstance(data, list) else [data]
    raise StackError(f"no JSON in CLI output:\n{output[-4000:]}")


def _watchdog(test_pid: int, home: str, server_url: str, database: str, redis_server: str, grace: str) -> None:
    """Wait for the test process to go; if it went without close(), do close()'s work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the test's to handle
    while True:
        try:
            os.kill(test_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(1)
    pids = [int(line) for line in (Path(home) / PIDS_FILE).read_text().split()]
    for sig, wait in ((signal.SIGTERM, float(grace)), (signal.SIGKILL, 0.0)):
        for pid in pids:
            try:
                os.killpg(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(_group_alive(pid) for pid in pids):
            time.sleep(0.5)
    _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    import redis

    parts = urlsplit(redis_server)
    for db in range(16):
        client = redis.Redis.from_url(f"{parts.scheme}://{parts.netloc}", db=db, socket_connect_timeout=3)
        if client.get(REDIS_LOCK_KEY) == database.encode():
            client.flushdb()
        client.close()
    print(f"watchdog: test process {test_pid} died; stopped {pids}, dropped {database}", file=sys.stderr)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


if __name__ == "__main__" and sys.argv[1:2] == ["watchdog"]:
    _watchdog(int(sys.argv[2]), *sys.argv[3:8])
