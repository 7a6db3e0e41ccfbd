"""Secrets in web addresses never reach a log line, a record name or the lake."""

from __future__ import annotations

import pytest

from claimflow.redact import redact_url


@pytest.mark.parametrize(
    "url, redacted",
    [
        pytest.param("https://news.example/a?id=7", "https://news.example/a?id=7", id="nothing secret kept as is"),
        pytest.param("https://reader:hunter2@news.example/a", "https://news.example/a", id="user and password"),
        pytest.param("https://tok3n@news.example:8443/a", "https://news.example:8443/a", id="user only, port kept"),
        pytest.param("https://a:p@ss@news.example/", "https://news.example/", id="@ in the password"),
        pytest.param("https://n.example/f?apikey=s3cr3t&page=2", "https://n.example/f?page=2", id="apikey"),
        pytest.param("https://n.example/f?API_KEY=s3cr3t", "https://n.example/f", id="case-insensitive"),
        pytest.param("https://n.example/f?api-key=s&Token=t&access_token=u&password=v&passwd=w",
                     "https://n.example/f",
                     id="several names"),
        pytest.param("https://b.s3.example/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=ab12&X-Amz-Expires=60&v=1",
                     "https://b.s3.example/k?v=1",
                     id="pre-signed S3"),
        pytest.param("https://n.example/f?sig=1&signature=2&auth=3&credential=4&session=5&secret=6&key=7&id=8",
                     "https://n.example/f?id=8", id="short names"),
        pytest.param("https://n.example/f?my_token=1&client_secret=2", "https://n.example/f",
                     id="suffixes"),
        pytest.param("https://n.example/cb#access_token=abc&state=x", "https://n.example/cb#state=x",
                     id="token in the fragment"),
        pytest.param("https://n.example/f?monkey=1&keyword=2&tokenizer=3", "https://n.example/f?monkey=1&keyword=2&tokenizer=3",
                     id="names merely containing a secret word"),
        pytest.param("https://n.example/f?a%20b=c+d&&x", "https://n.example/f?a%20b=c+d&&x", id="encoding kept byte for byte"),
        pytest.param("not a url at all", "not a url at all", id="not an address"),
        pytest.param("http://[::1", "http://[::1", id="unparseable address does not raise"),
        pytest.param("https://n.example/a#part-2", "https://n.example/a#part-2", id="a plain fragment kept"),
        pytest.param("https://n.example/a?token#top", "https://n.example/a?token#top", id="a name without a value kept"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_redacting_twice_changes_nothing() -> None:
    once = redact_url("https://u:p@n.example/f?token=t&id=1")
    assert redact_url(once) == once
