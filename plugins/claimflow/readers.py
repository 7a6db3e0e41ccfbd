"""The lake's Delta tables in DuckDB, read through delta-rs, and the dashboard SQL over them.

DuckDB reads Delta natively only with its ``delta`` extension, which it downloads on first
use; the extension packages on PyPI are built for one DuckDB release each (1.5.5 where this
project has 2.0.1), so a machine without internet cannot load it. Here each table is opened
with ``deltalake`` (optionally at a version, optionally one day) as a ``pyarrow`` dataset and
registered in a DuckDB connection under its SQL name: DuckDB scans it lazily, pushing the
projection and filters down, so memory follows the query, not the table. With the extension,
``include/sql/views.sql`` gives the same names through ``delta_scan``.

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
STORIES = "stories.sql"  # the view of each story's latest revision, over ``articles``


def sql_name(table: str) -> str:
    """The name a table of ``layout.DELTA_TABLES`` has in SQL: ``claims``, ``quarantine_inputs``."""
    return layout.delta_table(table).replace("/", "_")


def open_table(
    uri: str, *, options: dict[str, str], version: int | None = None, day: str | None = None
) -> pyarrow.dataset.Dataset | None:
    """The Delta table at ``uri`` as a lazy Arrow dataset; None where the table does not exist,
    or no longer has ``version`` (maintenance dropped log entries past the log retention).

    Args:
        uri: The table's URI (``storage.delta.table_uri``).
        options: delta-rs storage options (``storage.delta.storage_options``, resolved once
            by the caller: on S3 resolving them looks up the Airflow connection).
        version: A Delta version to read (time travel, e.g. a manifest's); None reads the latest.
        day: Only the files of this ``dt`` partition.
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        delta = DeltaTable(uri, version=version, storage_options=options)
    except TableNotFoundError:
        log.info("reader skipped uri=%s version=%s reason=absent", uri, version)
        return None
    partition = [("dt", "=", layout.check_day(day))] if day else None
    return delta.to_pyarrow_dataset(file_pruning_predicate=partition)


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
    versions: Mapping[str, int] | None = None,
    tables: Iterable[str] = layout.DELTA_TABLES,
    con: duckdb.DuckDBPyConnection | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in which every existing table of ``tables`` is registered by its
    :func:`sql_name`, at ``versions[table]`` where given (else the latest), limited to ``day``
    where given, with the view ``stories`` when ``articles`` is there. A table never published
    is not registered (a query naming it fails)."""
    import duckdb

    con = con or duckdb.connect()
    versions = versions or {}
    options = storage_options(settings)
    for table in tables:
        uri = table_uri(settings, table)
        dataset = open_table(uri, options=options, version=versions.get(table), day=day)
        if dataset is not None:
            con.register(sql_name(table), with_columns(dataset, schema_of(table)))
            if table == "articles":
                con.execute((settings.include_dir / "sql" / STORIES).read_text())
    return con


def connect_day(settings: Settings, manifest: Manifest, **kwargs: Any) -> duckdb.DuckDBPyConnection:
    """A connection holding exactly the run ``manifest`` published for its day: each table at
    the Delta version the manifest recorded, limited to the day."""
    return connect(settings, day=manifest.day, versions=manifest.versions(), **kwargs)


def dashboard_queries(include_dir: Path) -> dict[str, str]:
    """The dashboard SQL of ``include/sql`` by name (``top_speakers``), the views files left out."""
    folder = include_dir / "sql"
    return {path.stem: path.read_text() for path in sorted(folder.glob("*.sql")) if path.name not in (VIEWS, STORIES)}


def views_sql(include_dir: Path, lake_uri: str) -> str:
    """``include/sql/views.sql`` for a lake, then ``stories.sql``: ``CREATE VIEW`` statements over
    ``delta_scan``, and the view of each story's latest revision over them."""
    folder = include_dir / "sql"
    return (folder / VIEWS).read_text().replace("{lake}", lake_uri.rstrip("/")) + "\n" + (folder / STORIES).read_text()
