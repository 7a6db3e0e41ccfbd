"""Secrets in web addresses never reach a log line, a record name or the lake."""

from __future__ import annotations

import pytest

from claimflow.redact import redact_url, secrets_in


@pytest.mark.parametrize(
    "url, redacted",
    [
        pytest.param("https://news.example/a?id=7", "https://news.example/a?id=7", id="nothing secret kept as is"),
        pytest.param("https://reader:hunter2@news.example/a", "https://news.example/a", id="user and password"),
        pytest.param("https://tok3n@news.example:8443/a", "https://news.example:8443/a", id="user only, port kept"),
        pytest.param("https://a:p@ss@news.example/", "https://news.example/", id="@ in the password"),
        pytest.param("https://n.example/f?apikey=s3cr3t&page=2", "https://n.example/f?apikey=&page=2", id="apikey"),
        pytest.param("https://n.example/f?API_KEY=s3cr3t", "https://n.example/f?API_KEY=", id="case-insensitive"),
        pytest.param("https://n.example/f?api-key=s&Token=t&access_token=u&password=v&passwd=w",
                     "https://n.example/f?api-key=&Token=&access_token=&password=&passwd=",
                     id="several names"),
        pytest.param("https://b.s3.example/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=ab12&X-Amz-Expires=60&v=1",
                     "https://b.s3.example/k?X-Amz-Credential=&X-Amz-Signature=&X-Amz-Expires=&v=1",
                     id="pre-signed S3"),
        pytest.param("https://n.example/f?sig=1&signature=2&auth=3&credential=4&session=5&secret=6&key=7&id=8",
                     "https://n.example/f?sig=&signature=&auth=&credential=&session=&secret=&key=&id=8",
                     id="short names"),
        pytest.param("https://n.example/f?my_token=1&client_secret=2", "https://n.example/f?my_token=&client_secret=",
                     id="suffixes"),
        pytest.param("https://n.example/cb#access_token=abc&state=x", "https://n.example/cb#access_token=&state=x",
                     id="token in the fragment"),
        pytest.param("https://n.example/f?monkey=1&keyword=2&tokenizer=3", "https://n.example/f?monkey=1&keyword=2&tokenizer=3",
                     id="names merely containing a secret word"),
        pytest.param("https://n.example/f?a%20b=c+d&&x", "https://n.example/f?a%20b=c+d&&x", id="encoding kept byte for byte"),
        pytest.param("not a url at all", "not a url at all", id="not an address"),
        pytest.param("http://[::1", "http://[::1", id="unparseable address does not raise"),
        pytest.param("https://n.example/a#part-2", "https://n.example/a#part-2", id="a plain fragment kept"),
        pytest.param("https://n.example/a?token#top", "https://n.example/a?token#top", id="a name without a value kept"),
        pytest.param("https://user:pa?ss@n.example/a?id=1", "https://n.example/a?id=1", id="? in the password"),
        pytest.param("https://user:pa#ss@n.example/a", "https://n.example/a", id="# in the password"),
        pytest.param("https://user:pa?s#s@n.example", "https://n.example", id="? and # in the password, no path"),
        pytest.param("https://user:1234?x@n.example/", "https://n.example/", id="? in a password of digits"),
        pytest.param("https://u@n.example?from=a@b.example", "https://n.example?from=a@b.example",
                     id="an @ in the query of an address with user info"),
        pytest.param("https://n.example?from=a@b.example", "https://n.example?from=a@b.example", id="an @ in the query only"),
        pytest.param("https://n.example/@reader/post?a=1", "https://n.example/@reader/post?a=1", id="an @ in the path"),
        pytest.param("//user:pw@n.example/a", "//n.example/a", id="scheme-relative"),
        pytest.param("https://n.example/f?token[]=a&token[]=b&id=2", "https://n.example/f?token[]=&token[]=&id=2", id="token[]"),
        pytest.param("https://n.example/f?token%5B%5D=a&user[password]=b&tag[]=c", "https://n.example/f?token%5B%5D=&user[password]=&tag[]=c",
                     id="bracketed names, encoded or not"),
        pytest.param("https://n.example/cb?code=abc&state=xyz", "https://n.example/cb?code=&state=xyz", id="OAuth code"),
        pytest.param("https://n.example/a;jsessionid=ABC123?id=1", "https://n.example/a?id=1", id=";jsessionid path parameter"),
        pytest.param("https://n.example/a;v=2;JSESSIONID=ABC/b;phpsessid=9", "https://n.example/a;v=2/b",
                     id="path parameters of several segments"),
        pytest.param("https://n.example/f?id=1;session=s3;page=2", "https://n.example/f?id=1;session=;page=2", id="; between parameters"),
        pytest.param("https://n.example/f?X-Amz-Security-Token=t&x-goog-signature=s&api_key=k&access_token=a&sig=g",
                     "https://n.example/f?X-Amz-Security-Token=&x-goog-signature=&api_key=&access_token=&sig=",
                     id="the brief's deny list"),
        pytest.param("InvalidURL: URL can't contain control characters. '/p?apikey=s3cr3t x' (found at least ' ')",
                     "InvalidURL: URL can't contain control characters. '/p?apikey=", id="an error quoting an address"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_redacting_twice_changes_nothing() -> None:
    once = redact_url("https://u:p@n.example/f?token=t&id=1")
    assert redact_url(once) == once


@pytest.mark.parametrize(
    "url",
    [
        "https://u:p@ss@n.example/f?token=t0k3n&id=1",
        "https://user:pa?ss@n.example/a",
        "https://n.example/a;jsessionid=ABC?token[]=x&code=y#access_token=z",
        "https://u@n.example?from=a@b.example",
    ],
)
def test_redacting_twice_changes_nothing_whatever_the_shape(url: str) -> None:
    once = redact_url(url)
    assert redact_url(once) == once


def test_secrets_in_gives_what_the_redaction_takes_out() -> None:
    url = "https://reader:hunter2@n.example/a;jsessionid=SESS1?api_key=s3cr%3Ft&id=1&code=ab"
    assert secrets_in(url) == ("SESS1", "ab", "hunter2", "reader:hunter2", "s3cr%3Ft", "s3cr?t")
    assert secrets_in("https://t0k3n@n.example/") == ("t0k3n",)  # a token given as the user name
    assert secrets_in("https://n.example/a?id=1") == ()
