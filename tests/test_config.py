from pathlib import Path

import pytest

from claimflow.config import DEFAULT_MODEL, VARIABLES, MiB, S3Settings, Settings, parse_allow


def test_defaults_work_on_a_fresh_clone():
    settings = Settings.from_env({})
    root = Path(__file__).resolve().parents[1]
    assert settings.lake == str(root / "lake")
    assert settings.sources == (str(root / "seeds"),)
    assert settings.spacy_model == DEFAULT_MODEL
    assert settings.lake_uri == (root / "lake").as_uri()
    assert settings.s3 == S3Settings()


def test_environment_overrides():
    settings = Settings.from_env(
        {"CLAIMFLOW_LAKE": "s3://bucket/prefix/", "CLAIMFLOW_SOURCES": "a/{ds}/, s3://b/news",
         "CLAIMFLOW_SPACY_MODEL": "en_core_web_md", "CLAIMFLOW_SHARD_SIZE": "10", "CLAIMFLOW_FETCH_DELAY": "2.5"}
    )
    assert settings.lake == "s3://bucket/prefix"
    assert settings.lake_uri == "s3://bucket/prefix"
    assert settings.sources == ("a/{ds}/", "s3://b/news")
    assert settings.spacy_model == "en_core_web_md"
    assert settings.shard_size == 10
    assert settings.fetch_delay == 2.5


def test_bad_numbers_are_refused():
    with pytest.raises(ValueError, match="CLAIMFLOW_MAX_SHARDS must be a whole number of at least 1, got '0'"):
        Settings.from_env({"CLAIMFLOW_MAX_SHARDS": "0"})
    with pytest.raises(ValueError, match="CLAIMFLOW_FETCH_DELAY must be a number of seconds of at least 0"):
        Settings.from_env({"CLAIMFLOW_FETCH_DELAY": "-1"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"CLAIMFLOW_SHARD_SIZE": "abc"}, "CLAIMFLOW_SHARD_SIZE must be a whole number of at least 1, got 'abc'",
                     id="not a number"),
        pytest.param({"CLAIMFLOW_LATE_DAYS": "-1"}, "CLAIMFLOW_LATE_DAYS must be a whole number of days of at least 0, got '-1'",
                     id="under the bound"),
        pytest.param({"CLAIMFLOW_FETCH_TIMEOUT": "soon"},
                     "CLAIMFLOW_FETCH_TIMEOUT must be a number of seconds more than 0, e.g. 2.5, got 'soon'", id="not seconds"),
        pytest.param({"CLAIMFLOW_FETCH_ITEM_PAGES": "maybe"}, "CLAIMFLOW_FETCH_ITEM_PAGES must be true or false", id="not a flag"),
        pytest.param({"CLAIMFLOW_S3_RETRY_MODE": "eager"},
                     "CLAIMFLOW_S3_RETRY_MODE must be one of standard, adaptive, legacy, got 'eager'", id="not a choice"),
        pytest.param({"CLAIMFLOW_FETCH_ALLOW": "10.0.0.0/40"}, "CLAIMFLOW_FETCH_ALLOW must be comma-separated host names and networks like 10.0.0.0/8; '10.0.0.0/40' is not a network",
                     id="not a network"),
        pytest.param({"CLAIMFLOW_MAX_WARC_BYTES": "8G"},
                     "CLAIMFLOW_MAX_WARC_BYTES must be a whole number of bytes of at least 1, e.g. 268435456, got '8G'",
                     id="not bytes"),
        pytest.param({"CLAIMFLOW_FETCH_WORKERS": "0"},
                     r"CLAIMFLOW_FETCH_WORKERS must be a whole number of at least 1 and at most 32 \(threads", id="over or under the bounds"),
        pytest.param({"CLAIMFLOW_VACUUM_RETENTION_HOURS": "2"},
                     r"CLAIMFLOW_VACUUM_RETENTION_HOURS must be a whole number of hours of at least 24 \(vacuum would", id="floor"),
    ],
)
def test_each_kind_of_bad_value_names_its_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_a_bad_secret_is_refused_without_its_value() -> None:
    with pytest.raises(ValueError, match="^CLAIMFLOW_FETCH_HEADERS must be JSON like") as refused:
        Settings.from_env({"CLAIMFLOW_FETCH_HEADERS": "Bearer s3cr3t"})
    assert "s3cr3t" not in str(refused.value) and "got" not in str(refused.value)


# Every variable of the table: a value it takes, the field it then holds, and a value it refuses
# (None where any text is taken).
CASES: dict[str, tuple[str, object, str | None]] = {
    "CLAIMFLOW_LAKE": ("s3://b/lake/", "s3://b/lake", None),
    "CLAIMFLOW_SOURCES": ("a, b", ("a", "b"), None),
    "CLAIMFLOW_SPACY_MODEL": ("en_core_web_md", "en_core_web_md", None),
    "CLAIMFLOW_INCLUDE": ("/opt/include", Path("/opt/include"), None),
    "CLAIMFLOW_ENTITY_KB": ("/opt/kb/people.jsonl", Path("/opt/kb/people.jsonl"), None),
    "CLAIMFLOW_AWS_CONN_ID": ("lake_s3", "lake_s3", None),
    "CLAIMFLOW_S3_SSE": ("AES256", "AES256", "aes"),
    "CLAIMFLOW_S3_SSE_KMS_KEY_ID": ("alias/lake", "alias/lake", None),
    "CLAIMFLOW_S3_ADDRESSING_STYLE": ("path", "path", "host"),
    "CLAIMFLOW_S3_RETRY_MODE": ("adaptive", "adaptive", "eager"),
    "CLAIMFLOW_S3_MAX_ATTEMPTS": ("8", 8, "0"),
    "CLAIMFLOW_S3_MULTIPART_THRESHOLD_MB": ("8", 8 * MiB, "0"),
    "CLAIMFLOW_S3_MULTIPART_CHUNKSIZE_MB": ("32", 32 * MiB, "4"),
    "CLAIMFLOW_S3_MAX_CONCURRENCY": ("2", 2, "two"),
    "CLAIMFLOW_SHARD_SIZE": ("10", 10, "abc"),
    "CLAIMFLOW_MAX_SHARDS": ("3", 3, "0"),
    "CLAIMFLOW_BATCH_SIZE": ("16", 16, "1.5"),
    "CLAIMFLOW_N_PROCESS": ("2", 2, "-2"),
    "CLAIMFLOW_MAX_INPUT_BYTES": ("1000", 1000, "1e6"),
    "CLAIMFLOW_MAX_RECORD_BYTES": ("100", 100, "0"),
    "CLAIMFLOW_MAX_WARC_BYTES": ("5000", 5000, "5 GB"),
    "CLAIMFLOW_FETCH_DELAY": ("0", 0.0, "-1"),
    "CLAIMFLOW_FETCH_ALLOW": ("127.0.0.1, Intranet.example", ("127.0.0.1", "intranet.example"), "10.0.0.0/33"),
    "CLAIMFLOW_FETCH_TIMEOUT": ("5", 5.0, "0"),
    "CLAIMFLOW_FETCH_MAX_BYTES": ("1000", 1000, "big"),
    "CLAIMFLOW_FETCH_ITEM_PAGES": ("off", False, "maybe"),
    "CLAIMFLOW_FETCH_HEADERS": ('{"API.example": {"X-Key": "k"}}', {"api.example": {"X-Key": "k"}}, "[]"),
    "CLAIMFLOW_FETCH_SOURCE_BUDGET": ("90", 90.0, "0"),
    "CLAIMFLOW_FETCH_MAX_ITEM_PAGES": ("50", 50, "0"),
    "CLAIMFLOW_FETCH_WORKERS": ("8", 8, "33"),
    "CLAIMFLOW_PUBLISH_LEASE_MINUTES": ("5", 5, "0"),
    "CLAIMFLOW_STAGING_MAX_AGE_HOURS": ("30", 30, "0"),
    "CLAIMFLOW_LATE_DAYS": ("0", 0, "-1"),
    "CLAIMFLOW_VACUUM_RETENTION_HOURS": ("720", 720, "23"),
}


def test_the_cases_cover_every_variable_of_the_table() -> None:
    names = [variable.name for variable in VARIABLES]
    assert len(set(names)) == len(names) and set(names) == set(CASES)
    assert all(name.startswith("CLAIMFLOW_") and name.isupper() for name in names)


def _field(settings: Settings, name: str) -> object:
    (variable,) = [v for v in VARIABLES if v.name == name]
    group, _, field = variable.field.rpartition(".")
    return getattr(settings.s3 if group else settings, field)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_variable_sets_its_field_and_names_itself_when_refused(name: str) -> None:
    good, value, bad = CASES[name]
    extra = {"CLAIMFLOW_S3_SSE": "aws:kms"} if name == "CLAIMFLOW_S3_SSE_KMS_KEY_ID" else {}
    assert _field(Settings.from_env({name: good, **extra}), name) == value
    assert _field(Settings.from_env({name: ""}), name) == _field(Settings(), name)  # empty keeps the default
    if bad is not None:
        with pytest.raises(ValueError, match=f"^{name} must be ") as refused:
            Settings.from_env({name: bad})
        secret = name == "CLAIMFLOW_FETCH_HEADERS"
        assert (repr(bad) in str(refused.value)) is not secret


def test_a_kms_key_needs_kms_encryption() -> None:
    with pytest.raises(ValueError, match="CLAIMFLOW_S3_SSE_KMS_KEY_ID needs CLAIMFLOW_S3_SSE=aws:kms"):
        Settings.from_env({"CLAIMFLOW_S3_SSE_KMS_KEY_ID": "alias/lake"})


@pytest.mark.parametrize(
    "value, parsed",
    [
        pytest.param("127.0.0.1, 10.0.0.0/8 ,Intranet.example,", ("127.0.0.1", "10.0.0.0/8", "intranet.example"), id="mixed"),
        pytest.param("", (), id="empty"),
    ],
)
def test_parse_allow(value: str, parsed: tuple[str, ...]) -> None:
    assert parse_allow(value) == parsed


def test_parse_allow_names_a_bad_network() -> None:
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not a network"):
        parse_allow("10.0.0.0/33")


@pytest.mark.parametrize("name", ["CLAIMFLOW_SHARD_SIZE", "CLAIMFLOW_FETCH_TIMEOUT", "CLAIMFLOW_LATE_DAYS"])
def test_a_huge_value_is_refused_by_name_and_shown_cut_short(name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be ") as refused:
        Settings.from_env({name: "9" * 5000})
    assert len(str(refused.value)) < 200


def test_deeply_nested_headers_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="^CLAIMFLOW_FETCH_HEADERS must be JSON like"):
        Settings.from_env({"CLAIMFLOW_FETCH_HEADERS": "[" * 100_000})
