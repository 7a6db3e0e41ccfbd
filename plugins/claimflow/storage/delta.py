"""The lake's Delta tables: where they live, how delta-rs reaches them, and how a day is replaced.

delta-rs does not use boto3, so it is handed the S3 settings ``S3Store`` resolved (the Airflow
connection ``settings.aws_conn_id`` where it exists, else boto3's environment) as its
``storage_options``: one configuration for both clients, never a second one.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
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
    """

    day: str
    run_id: str
    generation: int

    @property
    def app_id(self) -> str:
        return f"claimflow-publish/{self.day}"


def staged_batches(store: ObjectStore, parts: list[StagedPart], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The rows of the staged files, one file on local disk at a time (downloaded from S3),
    checked against the SHA-256 validate recorded and read in bounded batches."""
    with tempfile.TemporaryDirectory(prefix="claimflow-publish-") as tmp:
        path = Path(tmp) / "part.parquet"
        for part in parts:
            store.get_file(part.key, path)
            if file_sha256(path) != part.sha256:
                raise StorageError(f"staged file {part.key} does not match its SHA-256 {part.sha256}: not publishing it")
            yield from ds.dataset(path, format="parquet", schema=schema).to_batches(batch_size=READ_BATCH)
            path.unlink()


def missing_columns(delta, schema: pa.Schema) -> list[str]:
    """The columns of ``schema`` the ``deltalake.DeltaTable`` lacks (added to the schema since the
    table was created), in schema order."""
    present = {f.name for f in delta.schema().fields}
    return [name for name in schema.names if name not in present]


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
                    commit: DayCommit) -> int:
        """Replace the day in ``table`` with the staged rows in one Delta commit (an empty day
        still commits, deleting the day's old rows); returns the committed version.

        A table created before a column of ``schema`` existed (``articles.revises``) gets it in
        this commit (Delta schema merge); its older rows read it as null.

        Raises PublishConflict when a later lease holder has committed this table, or commits to
        the day's partition while this one is written (delta-rs's CommitFailedError).
        """
        from deltalake import CommitProperties, Transaction, WriterProperties, write_deltalake
        from deltalake.exceptions import CommitFailedError

        delta = self.open_table(table, schema)
        seen = delta.transaction_version(commit.app_id)
        if seen is not None and seen > commit.generation:
            raise PublishConflict(commit.day, commit.run_id, f"a later publish (lease {seen}) has committed {table}")
        reader = pa.RecordBatchReader.from_batches(schema, staged_batches(store, parts, schema))
        added = missing_columns(delta, schema)
        if added:  # a lake published before these columns existed: the commit adds them (older rows read as null)
            log.info("adding columns table=%s columns=%s day=%s", table, ",".join(added), commit.day)
        try:
            write_deltalake(
                delta,
                reader,
                mode="overwrite",
                schema_mode="merge" if added else None,
                predicate=f"dt = '{layout.check_day(commit.day)}'",
                target_file_size=TARGET_FILE_SIZE,
                writer_properties=WriterProperties(compression="ZSTD", max_row_group_size=ROW_GROUP),
                commit_properties=CommitProperties(
                    custom_metadata={"run_id": commit.run_id, "day": commit.day, "lease": commit.generation},
                    app_transactions=[Transaction(commit.app_id, commit.generation)],
                ),
            )
        except CommitFailedError as error:
            raise PublishConflict(commit.day, commit.run_id, f"another commit to {table} for the day won: {error}") from error
        version = delta.version()
        log.info("committed table=%s day=%s run_id=%s version=%d rows=%d", table, commit.day, commit.run_id, version,
                 sum(p.rows for p in parts))
        return version
