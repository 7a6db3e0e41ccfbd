from pathlib import Path

import pytest

from claimflow.config import DEFAULT_MODEL, Settings


def test_defaults_work_on_a_fresh_clone():
    settings = Settings.from_env({})
    root = Path(__file__).resolve().parents[1]
    assert settings.lake == str(root / "lake")
    assert settings.sources == (str(root / "seeds"),)
    assert settings.spacy_model == DEFAULT_MODEL
    assert settings.lake_uri == (root / "lake").as_uri()


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
    with pytest.raises(ValueError, match="CLAIMFLOW_MAX_SHARDS must be a positive integer"):
        Settings.from_env({"CLAIMFLOW_MAX_SHARDS": "0"})
    with pytest.raises(ValueError, match="CLAIMFLOW_FETCH_DELAY must be zero or more seconds"):
        Settings.from_env({"CLAIMFLOW_FETCH_DELAY": "-1"})
