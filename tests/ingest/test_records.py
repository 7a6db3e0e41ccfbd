"""Tests of claimflow.ingest.records: the byte caps of one input, the settings they come from, and quarantine records."""

import pytest

from claimflow.config import Settings
from claimflow.ingest.records import InputLimits, RejectedRecord


def test_the_caps_come_from_the_environment():
    env = {"CLAIMFLOW_MAX_INPUT_BYTES": "1000", "CLAIMFLOW_MAX_RECORD_BYTES": "100", "CLAIMFLOW_MAX_WARC_BYTES": "5000"}
    assert InputLimits.from_settings(Settings.from_env(env)) == InputLimits(1000, 100, 5000)
    assert InputLimits.from_settings(Settings.from_env({})) == InputLimits()


@pytest.mark.parametrize("raw", [pytest.param("0", id="zero"), pytest.param("1e6", id="not an integer")])
def test_a_bad_cap_is_refused_with_an_example(raw):
    with pytest.raises(ValueError, match=r"CLAIMFLOW_MAX_INPUT_BYTES must be a whole number of bytes of at least 1, e.g. 268435456"):
        Settings.from_env({"CLAIMFLOW_MAX_INPUT_BYTES": raw})


def test_a_quarantine_records_name_is_redacted_however_it_was_made() -> None:
    record = RejectedRecord("https://u:pa?ss@n.example/feed;jsessionid=S1?token=t#3", "unreachable", "HTTP 503")
    assert record.name == "https://n.example/feed?token=#3"
