"""The lake's Delta tables in DuckDB, read through delta-rs, and the dashboard SQL over them.

DuckDB reads Delta natively only with its ``delta`` extension, which it downloads on first
use; the extension packages on PyPI are built for one DuckDB release each (1.5.5 where this
project has 2.0.1), so a machine without internet cannot load it. Here each table is opened
with ``deltalake`` (optionally at a version, optionally one day) as a ``pyarrow`` dataset and
registered in a DuckDB connection under its SQL name: DuckDB scans it lazily, pushing the
projection and filters down, so memory follows the query, not the table. With the extension,
``include/sql/views.sql`` gives the same names through ``delta_scan``.

Over the tables, two views of entity identity (``include/sql/derived/``): ``entity_registry``,
one row per entity id, and ``canonical_entities``, the id each published id counts as, through
which the dashboard queries count entities.

A table (or a version of it) written before a column was added reads with that column as null,
so queries name the current columns on any lake. Where ``articles`` is registered, the view
``stories`` (``include/sql/stories.sql``) gives each story once: its latest revision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow import layout
from claimflow.config import Settings
from claimflow.manifest import Manifest
from claimflow.storage.delta import storage_options, table_uri
from claimflow.tables import schema_of

if TYPE_CHECKING:
    import duckdb
    import pyarrow.dataset

log = logging.getLogger(__name__)

VIEWS = "views.sql"  # the delta_scan views, for DuckDB with the delta extension
DERIVED = "derived"  # the folder of views over the tables, created in this order
DERIVED_VIEWS = ("entity_registry", "canonical_entities")
STORIES = "stories.sql"  # the view of each story's latest revision, over ``articles``


def sql_name(table: str) -> str:
    """The name a table of ``layout.DELTA_TABLES`` has in SQL: ``claims``, ``quarantine_inputs``."""
    return layout.delta_table(table).replace("/", "_")


def open_table(
    uri: str,
    *,
    options: dict[str, str],
    version: int | None = None,
    day: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
) -> pyarrow.dataset.Dataset | None:
    """The Delta table at ``uri`` as a lazy Arrow dataset; None where the table does not exist,
    or no longer has ``version`` (maintenance dropped log entries past the log retention).

    Args:
        uri: The table's URI (``storage.delta.table_uri``).
        options: delta-rs storage options (``storage.delta.storage_options``, resolved once
            by the caller: on S3 resolving them looks up the Airflow connection).
        version: A Delta version to read (time travel, e.g. a manifest's); None reads the latest.
        day: Only the files of this ``dt`` partition.
        first_day: Only the files of ``dt`` partitions from this day on (with or without ``last_day``).
        last_day: Only the files of ``dt`` partitions up to this day, included.
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        delta = DeltaTable(uri, version=version, storage_options=options)
    except TableNotFoundError:
        log.info("reader skipped uri=%s version=%s reason=absent", uri, version)
        return None
    return delta.to_pyarrow_dataset(file_pruning_predicate=day_filter(day, first_day, last_day))


def day_filter(day: str | None, first_day: str | None, last_day: str | None) -> list[tuple[str, str, str]] | None:
    """The ``dt`` partition filter of one day or of a range (either end open); None for every day.
    Each day is checked as an ISO date: they reach the filter as given."""
    if day is not None:
        if first_day is not None or last_day is not None:
            raise ValueError(f"one day or a range, not both: day={day!r} first_day={first_day!r} last_day={last_day!r}")
        return [("dt", "=", layout.check_day(day))]
    bounds = [("dt", op, layout.check_day(value)) for op, value in ((">=", first_day), ("<=", last_day)) if value is not None]
    if first_day is not None and last_day is not None and first_day > last_day:
        raise ValueError(f"a range ends on or after it starts, got first_day={first_day} last_day={last_day}")
    return bounds or None


def with_columns(dataset: pyarrow.dataset.Dataset, schema: pyarrow.Schema) -> pyarrow.dataset.Dataset:
    """``dataset`` with the columns of ``schema`` it lacks added, read as null: a table written
    before a column existed (``articles.revises``) reads like the current one."""
    import pyarrow as pa

    missing = [column for column in schema if column.name not in dataset.schema.names]
    return dataset.replace_schema(pa.schema([*dataset.schema, *missing])) if missing else dataset


def connect(
    settings: Settings,
    *,
    day: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
    versions: Mapping[str, int] | None = None,
    tables: Iterable[str] = layout.DELTA_TABLES,
    con: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in which every existing table of ``tables`` is registered by its
    :func:`sql_name`, at ``versions[table]`` where given (else the latest), limited to ``day``,
    or to the days from ``first_day`` to ``last_day`` (both included, either end open), where
    given, with the view ``stories`` when ``articles`` is there. Only the files of those ``dt``
    partitions are read. A table never published is not registered (a query naming it fails).

    The registry is never limited to a day (an id's merge may be recorded on another day); where
    the entities or claims are registered, the views of :data:`DERIVED_VIEWS` are created too,
    over an empty registry when the lake has none yet (every id then stands for itself)."""
    import duckdb

    day_filter(day, first_day, last_day)  # a bad day or range fails before anything is read
    con = con or duckdb.connect()
    versions = versions or {}
    options = storage_options(settings)
    registered = set()
    for table in tables:
        uri = table_uri(settings, table)
        days = {} if table == layout.REGISTRY else {"day": day, "first_day": first_day, "last_day": last_day}
        dataset = open_table(uri, options=options, version=versions.get(table), **days)
        if dataset is not None:
            con.register(sql_name(table), with_columns(dataset, schema_of(table)))
            registered.add(table)
            if table == "articles":
                con.execute((settings.include_dir / "sql" / STORIES).read_text())
    if registered & {"entities", "claims"}:  # the views the queries count entities and speakers through
        for table in ("entities", layout.REGISTRY):
            if table not in registered:
                con.register(sql_name(table), schema_of(table).empty_table())
        for view in derived_views(settings.include_dir):
            con.execute(view)
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` on ``con`` as dicts by column name (``parameters`` bound, never spliced)."""
    cursor = con.execute(sql, parameters or {})
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def connect_day(settings: Settings, manifest: Manifest, **kwargs: Any) -> duckdb.DuckDBPyConnection:
    """A connection holding exactly the run ``manifest`` published for its day: each table at
    the Delta version the manifest recorded, limited to the day."""
    return connect(settings, day=manifest.day, versions=manifest.versions(), **kwargs)


def dashboard_queries(include_dir: Path) -> dict[str, str]:
    """The dashboard SQL of ``include/sql`` by name (``top_speakers``), the views files left out."""
    folder = include_dir / "sql"
    return {path.stem: path.read_text() for path in sorted(folder.glob("*.sql")) if path.name not in (VIEWS, STORIES)}


def derived_views(include_dir: Path) -> list[str]:
    """The ``CREATE VIEW`` statements of ``include/sql/derived``, in :data:`DERIVED_VIEWS` order."""
    return [(include_dir / "sql" / DERIVED / f"{name}.sql").read_text() for name in DERIVED_VIEWS]


def views_sql(include_dir: Path, lake_uri: str) -> str:
    """``include/sql/views.sql`` for a lake: ``CREATE VIEW`` statements over ``delta_scan``, then
    the view of each story's latest revision (``stories.sql``) and the derived views over them."""
    folder = include_dir / "sql"
    scans = (folder / VIEWS).read_text().replace("{lake}", lake_uri.rstrip("/"))
    return "\n".join([scans, (folder / STORIES).read_text(), *derived_views(include_dir)])
