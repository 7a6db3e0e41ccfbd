"""The lake's Delta tables: where they live, how delta-rs reaches them, and how a day is replaced.

delta-rs does not use boto3, so it is handed the S3 settings ``S3Store`` resolved (the Airflow
connection ``settings.aws_conn_id`` where it exists, else boto3's environment) as its
``storage_options``: one configuration for both clients, never a second one.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import PublishConflict, StorageError
from claimflow.storage import check_lake
from claimflow.storage.base import ObjectStore, file_sha256
from claimflow.storage.records import ROW_GROUP

log = logging.getLogger(__name__)

TARGET_FILE_SIZE = 16 * 1024 * 1024  # bytes per data file: the Rust writer holds a file this big
READ_BATCH = 10_000  # rows per Arrow batch read from a staged file
LAKE_APP_ID = "claimflow-publish/lake"  # the Delta transaction id the lake-wide publish lease fences with
NOTHING = -1  # a restore commit's "restores" when the day had no manifest: the day was emptied


def is_s3(settings: Settings) -> bool:
    return settings.lake.startswith("s3://")


def table_uri(settings: Settings, table: str) -> str:
    """The Delta table of ``table`` (one of ``layout.DELTA_TABLES``): ``s3://bucket/prefix/claims``
    on S3, an absolute folder path for a local lake; a ValueError for a lake address with a '%'
    (see :func:`claimflow.storage.check_lake`)."""
    folder = layout.delta_table(table)
    check_lake(settings.lake)
    if is_s3(settings):
        return f"{settings.lake.rstrip('/')}/{folder}"
    return str(Path(settings.lake.removeprefix("file://")).resolve() / folder)


def storage_options(settings: Settings) -> dict[str, str]:
    """delta-rs ``storage_options`` for the lake: ``{}`` locally; on S3 the credentials, region,
    endpoint and addressing of the lake's S3 client (``AWS_ALLOW_HTTP`` for a plain-http endpoint),
    and its server-side encryption, all from ``settings.s3`` and ``settings.aws_conn_id``. The result holds secrets: pass it on, never log it."""
    if not is_s3(settings):
        return {}
    from claimflow.storage.s3 import resolve_access

    access = resolve_access(settings.s3, settings.aws_conn_id)
    options = {"AWS_REGION": access.region or "us-east-1"}
    if access.access_key and access.secret_key:
        options |= {"AWS_ACCESS_KEY_ID": access.access_key, "AWS_SECRET_ACCESS_KEY": access.secret_key}
    if access.token:
        options["AWS_SESSION_TOKEN"] = access.token
    if access.endpoint_url:
        options["AWS_ENDPOINT_URL"] = access.endpoint_url
        if access.endpoint_url.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    # as botocore's "auto": virtual-hosted on AWS itself, path-style on other servers
    virtual = access.addressing_style == "virtual" or (access.addressing_style != "path" and not access.endpoint_url)
    options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] = "true" if virtual else "false"
    if settings.s3.sse:
        options["AWS_SERVER_SIDE_ENCRYPTION"] = settings.s3.sse
        if settings.s3.sse_kms_key_id:
            options["AWS_SSE_KMS_KEY_ID"] = settings.s3.sse_kms_key_id
    return options


@dataclass(frozen=True)
class StagedPart:
    """One staged Parquet file of a table, with the facts validate vouched for."""

    key: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class DayCommit:
    """Who replaces a day: the run, and the number of its publish lease, which fences the commit.

    Every commit records ``(app_id, generation)`` as a Delta transaction action; a run finding a
    higher number in a table was overtaken by a later lease holder and must not commit there.
    ``lake`` is the number of the lake-wide publish lease, recorded and checked the same way
    under LAKE_APP_ID (None: a commit made without it, as before the lake lease existed).
    """

    day: str
    run_id: str
    generation: int
    lake: int | None = None

    @property
    def app_id(self) -> str:
        return f"claimflow-publish/{self.day}"


def staged_batches(store: ObjectStore, parts: list[StagedPart], schema: pa.Schema, *,
                   columns: list[str] | None = None, filter: pc.Expression | None = None) -> Iterator[pa.RecordBatch]:
    """The rows of the staged files, one file on local disk at a time (downloaded from S3),
    checked against the SHA-256 validate recorded and read in bounded batches (only ``columns``
    and the rows matching ``filter``, where given)."""
    with tempfile.TemporaryDirectory(prefix="claimflow-publish-") as tmp:
        path = Path(tmp) / "part.parquet"
        for part in parts:
            store.get_file(part.key, path)
            if file_sha256(path) != part.sha256:
                raise StorageError(f"staged file {part.key} does not match its SHA-256 {part.sha256}: not publishing it")
            yield from ds.dataset(path, format="parquet", schema=schema).to_batches(
                columns=columns, filter=filter, batch_size=READ_BATCH)
            path.unlink()


def missing_columns(delta, schema: pa.Schema) -> list[str]:
    """The columns of ``schema`` the ``deltalake.DeltaTable`` lacks (added to the schema since the
    table was created), in schema order."""
    present = {f.name for f in delta.schema().fields}
    return [name for name in schema.names if name not in present]


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` in ``schema``'s columns and types; a column it lacks (rows of a version written
    before the column existed, put back by a restore) is null."""
    columns = [batch.column(f.name).cast(f.type) if f.name in batch.schema.names else pa.nulls(batch.num_rows, f.type)
               for f in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def without_articles(article_ids: Collection[str]) -> pc.Expression | None:
    """A filter keeping the rows whose ``article_id`` is not one of ``article_ids`` (None: keep all)."""
    if not article_ids:
        return None
    return ~pc.field("article_id").isin(pa.array(sorted(article_ids), pa.string()))


@dataclass(frozen=True)
class DeltaLake:
    """The lake's Delta tables with delta-rs's options resolved once: resolving them looks up the
    Airflow connection and builds a boto3 session, seconds that a publish should not pay per table."""

    settings: Settings
    options: dict[str, str] = field(repr=False)  # holds secrets

    @classmethod
    def open(cls, settings: Settings) -> DeltaLake:
        return cls(settings, storage_options(settings))

    def uri(self, table: str) -> str:
        return table_uri(self.settings, table)

    def table(self, table: str, version: int | None = None):
        """The ``deltalake.DeltaTable`` of ``table`` at ``version`` or the latest."""
        from deltalake import DeltaTable

        return DeltaTable(self.uri(table), version=version, storage_options=self.options)

    def read_day(self, table: str, day: str, *, version: int | None = None, columns: list[str] | None = None) -> pa.Table:
        """A day of ``table`` as Arrow, at ``version`` (a manifest's, for exactly one run's day) or
        the latest; reads only that day's files."""
        return self.table(table, version).to_pyarrow_table(partitions=[("dt", "=", layout.check_day(day))], columns=columns)

    def open_table(self, table: str, schema: pa.Schema):
        """The Delta table, created empty (partitioned by ``dt``) the first time any run needs it."""
        from deltalake import DeltaTable
        from deltalake.exceptions import CommitFailedError, TableNotFoundError

        try:
            return self.table(table)
        except TableNotFoundError:
            try:
                DeltaTable.create(self.uri(table), schema, mode="ignore", partition_by=["dt"], storage_options=self.options)
            except CommitFailedError:  # another run created it at the same moment
                pass
            return self.table(table)

    def replace_day(self, store: ObjectStore, table: str, schema: pa.Schema, parts: list[StagedPart],
                    commit: DayCommit, *, drop: Collection[str] = (), add: Iterable[pa.RecordBatch] = ()) -> int:
        """Replace the day in ``table`` with the staged rows in one Delta commit (an empty day
        still commits, deleting the day's old rows); returns the committed version. The rows of
        the articles in ``drop`` are left out, the batches of ``add`` go in too (publish's
        duplicates and their quarantine rows).

        A table created before a column of ``schema`` existed (``articles.revises``) gets it in
        this commit (Delta schema merge); its older rows read it as null.

        Raises PublishConflict when a later lease holder has committed this table, or commits to
        the day's partition while this one is written (delta-rs's CommitFailedError).
        """
        batches = staged_batches(store, parts, schema, filter=without_articles(drop))
        fences = [(commit.app_id, commit.generation)] + ([(LAKE_APP_ID, commit.lake)] if commit.lake is not None else [])
        metadata = {"run_id": commit.run_id, "day": commit.day, "lease": commit.generation}
        if commit.lake is not None:
            metadata["lake_lease"] = commit.lake
        version = self._write_day(table, schema, itertools.chain(batches, add), day=commit.day, run_id=commit.run_id,
                                  fences=fences, metadata=metadata)
        log.info("committed table=%s day=%s run_id=%s version=%d rows=%d", table, commit.day, commit.run_id, version,
                 sum(p.rows for p in parts))
        return version

    def restore_day(self, table: str, schema: pa.Schema, day: str, version: int | None, *, run_id: str,
                    lake: int, published_by: str | None, read_at: int | None = None) -> int:
        """Put back ``day``'s rows of ``table`` as of ``version`` (the one its manifest names; None:
        the day has no manifest, so it is emptied) in one commit; returns the committed version.

        The rows stream from the files of ``read_at`` (default ``version``), one day's partition
        only: a version whose rows of the day are the manifest's, such as the one just before the
        torn commit, whose files that commit alone removed, so they outlive a compaction and
        vacuum of the manifest's own version. ``run_id`` is the recovering run, ``lake`` its lake
        lease number (the commit's fence); the commit records ``restores`` (the version, or
        NOTHING) and, as ``run_id``, the run the manifest names."""
        if version is None:
            batches: Iterable[pa.RecordBatch] = ()
        else:
            partition = [("dt", "=", layout.check_day(day))]
            source = self.table(table, version if read_at is None else read_at)
            batches = source.to_pyarrow_dataset(file_pruning_predicate=partition).to_batches(
                filter=pc.field("dt") == day, batch_size=READ_BATCH)
        restored = self._write_day(table, schema, batches, day=day, run_id=run_id, fences=[(LAKE_APP_ID, lake)],
                                   metadata={"run_id": published_by or "", "day": day, "lake_lease": lake,
                                             "restores": NOTHING if version is None else version, "restored_by": run_id})
        log.warning("restored table=%s day=%s to version=%s (its manifest's) as version=%d by run_id=%s",
                    table, day, version, restored, run_id)
        return restored

    def _write_day(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], *, day: str, run_id: str,
                   fences: list[tuple[str, int]], metadata: dict) -> int:
        """Overwrite ``day``'s partition of ``table`` with ``batches`` in one commit carrying
        ``metadata`` and the lease numbers of ``fences`` (Delta app id, number), refused when the
        table holds a higher number for one of them; returns the committed version."""
        from deltalake import CommitProperties, Transaction, WriterProperties, write_deltalake
        from deltalake.exceptions import CommitFailedError

        delta = self.open_table(table, schema)
        for app_id, number in fences:
            seen = delta.transaction_version(app_id)
            if seen is not None and seen > number:
                raise PublishConflict(day, run_id, f"a later publish (lease {seen}) has committed {table}")
        reader = pa.RecordBatchReader.from_batches(schema, (conform(b, schema) for b in batches))
        added = missing_columns(delta, schema)
        if added:  # a lake published before these columns existed: the commit adds them (older rows read as null)
            log.info("adding columns table=%s columns=%s day=%s", table, ",".join(added), day)
        try:
            write_deltalake(
                delta,
                reader,
                mode="overwrite",
                schema_mode="merge" if added else None,
                predicate=f"dt = '{layout.check_day(day)}'",
                target_file_size=TARGET_FILE_SIZE,
                writer_properties=WriterProperties(compression="ZSTD", max_row_group_size=ROW_GROUP),
                commit_properties=CommitProperties(
                    custom_metadata=metadata,
                    app_transactions=[Transaction(app_id, number) for app_id, number in fences],
                ),
            )
        except CommitFailedError as error:
            raise PublishConflict(day, run_id, f"another commit to {table} for the day won: {error}") from error
        return delta.version()

    def version(self, table: str) -> int | None:
        """The latest version of ``table``; None when it does not exist yet."""
        from deltalake.exceptions import TableNotFoundError

        try:
            return self.table(table).version()
        except TableNotFoundError:
            return None

    def commits(self, table: str, newer_than: int | None = None) -> Iterator[dict]:
        """``table``'s commits newest first (as ``DeltaTable.history`` gives them, with ``version``
        and claimflow's ``day``, ``run_id``, ``restores``), down to ``newer_than`` (excluded) or
        the first; the log is read a few entries at a time, so a caller that stops early reads
        only the newest commits of a years-long table."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        try:  # the log only: the files' list is not needed for the history
            delta = DeltaTable(self.uri(table), storage_options=self.options, without_files=True)
        except TableNotFoundError:
            return
        seen, limit = 0, 16
        while True:
            entries = delta.history(limit)
            for entry in entries[seen:]:
                if newer_than is not None and entry["version"] <= newer_than:
                    return
                yield entry
            if len(entries) < limit:
                return
            seen, limit = len(entries), limit * 4
