"""Delta table locations and delta-rs storage options, from the same settings as S3Store."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from seaweed import ACCESS_KEY, SECRET_KEY

from claimflow import layout
from claimflow.config import S3Settings, Settings
from claimflow.storage import delta


@pytest.mark.parametrize(
    ("lake", "table", "expected"),
    [
        pytest.param("s3://bucket/lake", "claims", "s3://bucket/lake/claims", id="s3"),
        pytest.param("s3://bucket/lake/", "quarantine/inputs", "s3://bucket/lake/quarantine/inputs", id="s3-quarantine"),
        pytest.param("/data/lake", "articles", "/data/lake/articles", id="local-path"),
        pytest.param("file:///data/lake", "mentions", "/data/lake/mentions", id="file-uri"),
    ],
)
def test_table_uri(lake, table, expected):
    assert delta.table_uri(Settings(lake=lake), table) == expected


def test_table_uri_refuses_unknown_tables():
    with pytest.raises(ValueError, match="expected one of"):
        delta.table_uri(Settings(lake="/lake"), "../etc")


@pytest.mark.parametrize("lake", ["/data/a%41b/lake", "file:///data/a%41b/lake", "s3://bucket/a%41b"])
def test_table_uri_refuses_a_lake_address_delta_rs_would_decode(lake):
    with pytest.raises(ValueError, match="expected a lake address without '%'"):
        delta.table_uri(Settings(lake=lake), "claims")


def test_delta_rs_decodes_a_percent_escape_in_a_local_path(tmp_path):
    """Why the lake refuses a '%': delta-rs writes the table where it is told, then looks for it
    in the decoded folder (``aAb``) and fails."""
    folder = tmp_path / "a%41b" / "claims"
    with pytest.raises(Exception, match=f"File not found: {tmp_path}/aAb/claims/_delta_log"):
        write_deltalake(str(folder), pa.table({"x": [1]}))
    assert (folder / "_delta_log").is_dir()


def test_local_lake_needs_no_options(tmp_path):
    assert delta.storage_options(Settings(lake=str(tmp_path))) == {}


def test_options_come_from_boto3_environment(monkeypatch):
    from seaweed import isolate_aws_env

    isolate_aws_env(monkeypatch, {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t",
                                  "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_DEFAULT_REGION": "eu-west-1"})
    settings = Settings(lake="s3://bucket/lake", aws_conn_id="claimflow_no_such_conn", s3=S3Settings(sse="AES256"))
    options = delta.storage_options(settings)
    assert options == {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t",
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ALLOW_HTTP": "true",
        "AWS_VIRTUAL_HOSTED_STYLE_REQUEST": "false",
        "AWS_SERVER_SIDE_ENCRYPTION": "AES256",
    }


def test_aws_itself_gets_virtual_hosting_and_no_endpoint(monkeypatch):
    from seaweed import isolate_aws_env

    isolate_aws_env(monkeypatch, {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t",
                                  "AWS_DEFAULT_REGION": "eu-west-1"})
    options = delta.storage_options(Settings(lake="s3://bucket/lake", aws_conn_id="claimflow_no_such_conn"))
    assert "AWS_ENDPOINT_URL" not in options and "AWS_ALLOW_HTTP" not in options
    assert options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] == "true"


def test_options_come_from_the_airflow_connection(monkeypatch):
    from seaweed import isolate_aws_env

    isolate_aws_env(monkeypatch, {})
    monkeypatch.setenv(
        "AIRFLOW_CONN_CLAIMFLOW_TEST_S3",
        '{"conn_type": "aws", "login": "AKIDCONN", "password": "conn-secret", '
        '"extra": {"endpoint_url": "https://s3.example.test", "region_name": "ap-south-1", '
        '"config_kwargs": {"s3": {"addressing_style": "virtual"}}}}',
    )
    options = delta.storage_options(Settings(lake="s3://bucket/lake", aws_conn_id="claimflow_test_s3"))
    assert options == {
        "AWS_ACCESS_KEY_ID": "AKIDCONN",
        "AWS_SECRET_ACCESS_KEY": "conn-secret",
        "AWS_REGION": "ap-south-1",
        "AWS_ENDPOINT_URL": "https://s3.example.test",
        "AWS_VIRTUAL_HOSTED_STYLE_REQUEST": "true",
    }


def test_delta_rs_writes_and_reads_seaweedfs_with_these_options(s3_lake):
    settings = Settings(lake=s3_lake, aws_conn_id="claimflow_no_such_conn")
    options = delta.storage_options(settings)
    assert options["AWS_ACCESS_KEY_ID"] == ACCESS_KEY and options["AWS_SECRET_ACCESS_KEY"] == SECRET_KEY
    uri = delta.table_uri(settings, "quarantine/inputs")
    write_deltalake(uri, pa.table({"x": [1, 2], "dt": ["2026-11-26"] * 2}), partition_by=["dt"], storage_options=options)
    assert DeltaTable(uri, storage_options=options).to_pyarrow_table().num_rows == 2


def test_delta_rs_writes_a_local_lake(tmp_path):
    settings = Settings(lake=str(tmp_path))
    uri = delta.table_uri(settings, layout.TABLES[0])
    write_deltalake(uri, pa.table({"x": [1]}), storage_options=delta.storage_options(settings))
    assert (Path(uri) / "_delta_log").is_dir()
