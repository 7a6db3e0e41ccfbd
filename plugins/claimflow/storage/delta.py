"""Where the lake's Delta tables live and how delta-rs reaches them.

delta-rs does not use boto3, so it is handed the S3 settings ``S3Store`` resolved (the Airflow
connection ``settings.aws_conn_id`` where it exists, else boto3's environment) as its
``storage_options``: one configuration for both clients, never a second one.
"""

from __future__ import annotations

from pathlib import Path

from claimflow import layout
from claimflow.config import Settings


def is_s3(settings: Settings) -> bool:
    return settings.lake.startswith("s3://")


def table_uri(settings: Settings, table: str) -> str:
    """The Delta table of ``table`` (one of ``layout.DELTA_TABLES``): ``s3://bucket/prefix/claims``
    on S3, an absolute folder path for a local lake."""
    folder = layout.delta_table(table)
    if is_s3(settings):
        return f"{settings.lake.rstrip('/')}/{folder}"
    return str(Path(settings.lake.removeprefix("file://")).resolve() / folder)


def storage_options(settings: Settings) -> dict[str, str]:
    """delta-rs ``storage_options`` for the lake: ``{}`` locally; on S3 the credentials, region,
    endpoint and addressing of the lake's S3 client (``AWS_ALLOW_HTTP`` for a plain-http endpoint),
    and its server-side encryption. The result holds secrets: pass it on, never log it."""
    if not is_s3(settings):
        return {}
    from claimflow.storage.s3 import S3Settings, resolve_access

    s3 = S3Settings.from_env()
    access = resolve_access(s3, settings.aws_conn_id)
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
    if s3.sse:
        options["AWS_SERVER_SIDE_ENCRYPTION"] = s3.sse
        if s3.sse_kms_key_id:
            options["AWS_SSE_KMS_KEY_ID"] = s3.sse_kms_key_id
    return options
