"""The article view: spans cut into segments, hostile text inert, the claim list and metadata,
served at the day's manifest versions."""

from __future__ import annotations

import re

import pytest
from articlelake import (
    ANN,
    ARTICLE,
    BOB,
    DAY,
    NEXT_DAY,
    PLAIN,
    TEXT,
    UNPUBLISHED,
    WARC_INPUT,
    build_article_lake,
    claims_of_article,
)
from fastapi.testclient import TestClient

from claimflow.manifest import read_manifest, write_manifest
from claimflow.storage import LocalStore
from claimflow.ui.app import CSP, create_claimflow_app
from claimflow.ui.article_page import anchor, http_url, segments
from claimflow.ui.claims import ArticleClaim, Span, _claim


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return build_article_lake(tmp_path_factory.mktemp("articles"))


@pytest.fixture(scope="module")
def client(settings) -> TestClient:
    return TestClient(create_claimflow_app(settings.lake))


def claim_with(source: tuple[int, int] | None, cue: tuple[int, int], *content: tuple[int, int]) -> ArticleClaim:
    def span(bounds):
        return Span(*bounds, "") if bounds else None
    return ArticleClaim("c", 0, span(source), span(cue), tuple(map(span, content)), "person", "Ann", None,
                        "direct", "neutral", (), 0.9)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param([claim_with((0, 3), (4, 8), (9, 20))],
                     [(0, 3, ((0, "source"),)), (3, 4, ()), (4, 8, ((0, "cue"),)), (8, 9, ()), (9, 20, ((0, "content"),))],
                     id="one claim"),
        pytest.param([claim_with(None, (4, 8), (9, 20)), claim_with((12, 15), (16, 18), (0, 10))],
                     [(0, 4, ((1, "content"),)), (4, 8, ((0, "cue"), (1, "content"))), (8, 9, ((1, "content"),)),
                      (9, 10, ((0, "content"), (1, "content"))), (10, 12, ((0, "content"),)),
                      (12, 15, ((0, "content"), (1, "source"))), (15, 16, ((0, "content"),)),
                      (16, 18, ((0, "content"), (1, "cue"))), (18, 20, ((0, "content"),))],
                     id="crossing and nested spans of two claims"),
        pytest.param([claim_with((-5, 3), (18, 25), (10, 10), (3, 2))], [(0, 20, ())],
                     id="spans outside the text or empty mark nothing"),
    ],
)
def test_segments_cut_the_text_at_every_span_edge(claims, expected):
    found = segments(20, claims)
    assert [(s.start, s.end, s.marks) for s in found] == expected
    assert found[0].start == 0 and found[-1].end == 20
    assert all(a.end == b.start for a, b in zip(found, found[1:], strict=False))


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        pytest.param("https://news.example/a?b=1", True, id="https"),
        pytest.param("HTTP://news.example/", True, id="http in capitals"),
        pytest.param("javascript:alert(1)", False, id="javascript"),
        pytest.param(" javascript:alert(1)", False, id="javascript behind a space"),
        pytest.param("data:text/html,<script>alert(1)</script>", False, id="data"),
        pytest.param("https://x\n", False, id="trailing control character"),
        pytest.param(None, False, id="none"),
    ],
)
def test_only_http_urls_become_links(url, linked):
    assert (http_url(url) is not None) is linked


def test_anchors_are_safe_for_any_claim_id():
    assert anchor("0123abcd") == "claim-0123abcd"
    assert re.fullmatch(r"claim-[0-9a-f]{16}", anchor('x"><script>'))


def test_the_article_view_highlights_every_part_of_every_claim(client):
    response = client.get(f"/article/{ARTICLE}", params={"day": DAY})
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    html = response.text
    claims = [_claim(row) for row in claims_of_article()]
    for index, claim in enumerate(claims):
        target = anchor(claim.claim_id)
        assert f'id="{target}"' in html and f'href="#{target}"' in html  # the list links to the claim's anchor
        for role in ("cue", "content") + (("source",) if claim.source else ()):
            assert f"#{target}:target~.layout .k{index}-{role}" in html  # the rule that highlights it
            assert re.search(rf'class="m [^"]*\bk{index}-{role}\b', html), (index, role)
    doc = re.search(r'<div class="doc">(.*?)</div>', html, re.DOTALL).group(1)
    assert re.sub(r"<[^>]+>", "", doc) == TEXT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;").replace("'", "&#x27;")  # the whole text, once, in order


def test_the_claim_list_names_kinds_speakers_and_links_entities(client):
    html = client.get(f"/article/{ARTICLE}", params={"day": DAY}).text
    aside = html.split("<aside>", 1)[1]
    assert re.findall(r'<span class="kind">([^<]*)</span>', aside) == ["person", "anonymous", "person", "pronoun"]
    assert f'<a href="../entity/{ANN}?from=2026-10-27&amp;to={DAY}">Ann Lee</a>' in aside
    assert f'href="../entity/{BOB}?from=2026-10-27&amp;to={DAY}">Bob Park</a>' in aside
    assert "city officials" in aside and "hedged: would" in aside and "denial" in aside


def test_the_metadata_shows_the_warc_input_and_links_only_http(client):
    html = client.get(f"/article/{ARTICLE}", params={"day": DAY}).text
    assert f"<td>{WARC_INPUT}</td>" in html
    assert "<td>javascript:document.title=&#x27;pwned&#x27;</td>" in html  # shown, not linked
    assert "Kim &lt;b&gt;Lo&lt;/b&gt;" in html
    plain = client.get(f"/article/{PLAIN}", params={"day": DAY}).text
    assert '<a href="https://news.example/quiet" rel="noreferrer noopener">' in plain
    assert "No claim was found" in plain


def test_hostile_text_and_metadata_are_inert(client):
    html = client.get(f"/article/{ARTICLE}", params={"day": DAY}).text
    assert "<script" not in html.lower() and "<img" not in html.lower() and 'href="javascript' not in html.lower()
    assert "onerror=" not in html.replace("onerror=&quot;", "")  # only as escaped text
    assert html.count("&lt;script&gt;") == 4  # as text: the head's title, the heading, the text, the claim list


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        pytest.param(f"/article/{ARTICLE}", {"day": NEXT_DAY}, 404, id="another day did not publish it"),
        pytest.param(f"/article/{ARTICLE}", {"day": UNPUBLISHED}, 404, id="a day without manifest"),
        pytest.param(f"/article/{ARTICLE}", {"day": "2026-13-01"}, 422, id="not a day"),
        pytest.param(f"/article/{ARTICLE}", {}, 422, id="no day"),
        pytest.param("/article/<script>", {"day": DAY}, 422, id="not an article id"),
    ],
)
def test_an_article_not_published_that_day_is_a_json_error(client, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status and "error" in response.json()


def test_a_version_vacuumed_away_reads_the_day_at_the_latest(settings, tmp_path):
    """A manifest naming versions the log no longer has (maintenance vacuumed them) still shows the day."""
    store = LocalStore(settings.lake)
    manifest = read_manifest(store, DAY)
    gone = {name: type(entry)(entry.rows, 10_000) for name, entry in manifest.tables.items()}
    try:
        write_manifest(store, type(manifest)(**{**vars(manifest), "tables": gone}))
        html = TestClient(create_claimflow_app(settings.lake)).get(f"/article/{ARTICLE}", params={"day": DAY}).text
        assert "4 claims" in html
    finally:
        write_manifest(store, manifest)


def test_read_at_the_latest_a_torn_rerun_of_the_day_is_never_shown(tmp_path):
    """Where the manifest's versions are gone, the latest versions may hold a torn rerun's rows
    (committed, no manifest yet): only the run the manifest names is shown."""
    from delta_rows import write_rows

    from claimflow.storage.delta import table_uri

    lake = build_article_lake(tmp_path)
    store = LocalStore(lake.lake)
    manifest = read_manifest(store, DAY)
    torn = [{**claim, "run_id": "torn-run", "content_text": "TORN CLAIM"} for claim in claims_of_article()]
    write_rows(table_uri(lake, "claims"), "claims", torn, day=DAY, mode="append")
    gone = {name: type(entry)(entry.rows, 10_000) for name, entry in manifest.tables.items()}
    write_manifest(store, type(manifest)(**{**vars(manifest), "tables": gone}))
    html = TestClient(create_claimflow_app(lake.lake)).get(f"/article/{ARTICLE}", params={"day": DAY}).text
    assert "4 claims" in html
