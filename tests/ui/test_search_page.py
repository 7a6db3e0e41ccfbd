"""The search: each filter, the day range over published days only, paging, links to the article view."""

from __future__ import annotations

import re

import pytest
from articlelake import ANN, ARTICLE, BOB, DAY, LATER, NEXT_DAY, build_article_lake
from fastapi.testclient import TestClient

from claimflow.models import stable_id
from claimflow.ui.app import CSP, create_claimflow_app
from claimflow.ui.article_page import anchor
from claimflow.ui.claims import DEFAULT_SPAN_DAYS, default_range, windows

BOTH = {"from": DAY, "to": NEXT_DAY}


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    return TestClient(create_claimflow_app(build_article_lake(tmp_path_factory.mktemp("search")).lake))


def found(client: TestClient, **params: str | int) -> list[tuple[str, str]]:
    """(day, claim id) of each hit, from the links to the article view."""
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return re.findall(r'<a href="article/[0-9a-f]+\?day=([0-9-]+)#claim-([0-9a-f]+)">', response.text)


def claim(article: str, index: int) -> str:
    return stable_id(article, index)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(BOTH, [(NEXT_DAY, LATER, 0), (DAY, ARTICLE, 0), (DAY, ARTICLE, 1), (DAY, ARTICLE, 2), (DAY, ARTICLE, 3)],
                     id="published days only, newest first, then reading order"),
        pytest.param(BOTH | {"speaker": "ann"}, [(NEXT_DAY, LATER, 0), (DAY, ARTICLE, 0)], id="speaker, any case"),
        pytest.param(BOTH | {"entity": ANN}, [(NEXT_DAY, LATER, 0), (DAY, ARTICLE, 0), (DAY, ARTICLE, 2)],
                     id="entity: said by it or about it"),
        pytest.param(BOTH | {"entity": BOB}, [(DAY, ARTICLE, 2)], id="another entity"),
        pytest.param(BOTH | {"words": "BRIDGE may"}, [(DAY, ARTICLE, 0), (DAY, ARTICLE, 1)], id="every word in the content"),
        pytest.param(BOTH | {"words": "bridge budget"}, [], id="words that no one content holds"),
        pytest.param(BOTH | {"words": "%"}, [], id="a wildcard is a character"),
        pytest.param(BOTH | {"source_kind": "anonymous"}, [(DAY, ARTICLE, 1)], id="source kind"),
        pytest.param(BOTH | {"stance": "denial"}, [(DAY, ARTICLE, 2)], id="stance"),
        pytest.param(BOTH | {"hedged": "yes"}, [(DAY, ARTICLE, 1)], id="hedged"),
        pytest.param(BOTH | {"hedged": "no", "speaker": "Ann"}, [(NEXT_DAY, LATER, 0), (DAY, ARTICLE, 0)], id="not hedged"),
        pytest.param({"from": NEXT_DAY, "to": "2026-11-30"}, [(NEXT_DAY, LATER, 0)], id="a range past the last manifest"),
        pytest.param({"from": "2026-01-01", "to": "2026-01-31"}, [], id="no published day in the range"),
    ],
)
def test_search_filters(client, params, expected):
    assert found(client, **params) == [(day, claim(article, i)) for day, article, i in expected]


def test_search_pages_are_bounded_and_keep_the_query(client):
    response = client.get("/search", params=BOTH | {"page_size": 2, "speaker": "", "words": ""})
    assert response.headers["content-security-policy"] == CSP
    first = response.text
    assert len(found(client, **BOTH, page_size=2)) == 2 and "claims 1 to 2" in first
    assert f'href="search?from={DAY}&amp;to={NEXT_DAY}&amp;page=2">next' in first and "previous" not in first
    pages = [found(client, **BOTH, page_size=2, page=page) for page in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1] and len({hit for p in pages for hit in p}) == 5
    last = client.get("/search", params=BOTH | {"page_size": 2, "page": 3}).text
    assert "next" not in last and "page=2\">&lsaquo; previous" in last


def test_a_hit_links_its_speaker_and_its_article_at_the_claim(client):
    html = client.get("/search", params=BOTH | {"stance": "denial"}).text
    assert f'href="article/{ARTICLE}?day={DAY}#{anchor(claim(ARTICLE, 2))}"' in html
    assert f'href="entity/{BOB}?from=2026-10-27&amp;to={DAY}">Bob Park</a>' in html
    assert "<script" not in html.lower() and "&lt;script&gt;" in html  # the hostile content, as text
    assert '<option value="denial" selected>' in html  # the form keeps the search
    assert f'#{anchor(claim(ARTICLE, 2))}">Bridge &lt;script&gt;document.title=' in html  # the article's title, escaped


def test_without_dates_the_search_covers_the_days_up_to_the_newest_published(client):
    assert default_range([DAY, NEXT_DAY]) == ("2026-10-28", NEXT_DAY)
    assert DEFAULT_SPAN_DAYS == 30
    assert len(found(client)) == 5
    assert 'value="2026-10-28"' in client.get("/search").text


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"stance": "angry"}, id="not a stance"),
        pytest.param({"source_kind": "<b>"}, id="not a source kind"),
        pytest.param({"hedged": "maybe"}, id="hedged is yes or no"),
        pytest.param({"from": NEXT_DAY, "to": DAY}, id="a reversed range"),
        pytest.param({"from": "2026-02-30"}, id="not a day"),
        pytest.param({"page": 0}, id="page 0"),
        pytest.param({"page_size": 1000}, id="a page too large"),
        pytest.param({"words": " ".join("abcdefghij")}, id="too many words"),
        pytest.param({"speaker": "x" * 201}, id="a term too long"),
    ],
)
def test_a_bad_search_is_a_json_422(client, params):
    response = client.get("/search", params=params)
    assert response.status_code == 422 and "error" in response.json()


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param([], [], id="none"),
        pytest.param(["d1"], [["d1"]], id="one"),
        pytest.param([f"d{i}" for i in range(1, 9)],
                     [["d8"], ["d7", "d6"], ["d5", "d4", "d3", "d2"], ["d1"]], id="newest first, doubling"),
    ],
)
def test_a_search_reads_its_days_in_doubling_windows(days, expected):
    assert windows(days) == expected


def test_read_at_the_latest_a_search_keeps_each_days_manifest_run(tmp_path):
    """Where the manifests' versions are gone (vacuumed), the search reads the latest versions,
    which may hold a torn rerun's claims (committed, no manifest yet): none of them is found."""
    from articlelake import claims_of_article
    from delta_rows import write_rows

    from claimflow.manifest import read_manifest, write_manifest
    from claimflow.storage import LocalStore
    from claimflow.storage.delta import table_uri

    lake = build_article_lake(tmp_path)
    store = LocalStore(lake.lake)
    torn = [{**row, "run_id": "torn-run", "claim_id": stable_id("torn", i), "content_text": "TORN CLAIM"}
            for i, row in enumerate(claims_of_article())]
    write_rows(table_uri(lake, "claims"), "claims", torn, day=DAY, mode="append")
    for day in (DAY, NEXT_DAY):
        manifest = read_manifest(store, day)
        gone = {name: type(entry)(entry.rows, 10_000) for name, entry in manifest.tables.items()}
        write_manifest(store, type(manifest)(**{**vars(manifest), "tables": gone}))
    client = TestClient(create_claimflow_app(lake.lake))
    assert found(client, **BOTH) == [(NEXT_DAY, claim(LATER, 0))] + [(DAY, claim(ARTICLE, i)) for i in range(4)]
    assert found(client, **BOTH, words="torn") == []


def test_only_a_version_gone_reads_the_latest():
    """Another error (the store down, a bad query) is raised, not answered at other versions."""
    import duckdb

    from claimflow.config import Settings
    from claimflow.ui.claims import _at_versions

    asked = []

    def ask(versions, latest):
        asked.append(latest)
        raise duckdb.IOException("IO Error: connection reset by peer")

    with pytest.raises(duckdb.IOException):
        _at_versions(Settings(lake="/nowhere"), {"claims": 1}, ask)
    assert asked == [False]


def test_the_newest_manifest_is_the_one_with_the_highest_versions_not_the_latest_day(tmp_path):
    """A rerun of DAY republished it after NEXT_DAY within the same second (a store's listing has
    whole seconds): the search reads at the rerun's versions, which hold both days."""
    import os

    from claimflow import layout
    from claimflow.manifest import read_manifest, write_manifest
    from claimflow.storage import LocalStore
    from claimflow.ui.claims import published
    from claimflow.ui.lake import LakeView

    lake = build_article_lake(tmp_path)
    store = LocalStore(lake.lake)
    manifest = read_manifest(store, DAY)
    rerun = {name: type(entry)(entry.rows, entry.version + 10) for name, entry in manifest.tables.items()}
    write_manifest(store, type(manifest)(**{**vars(manifest), "tables": rerun}))
    second = 1_800_000_000
    for day in (DAY, NEXT_DAY):
        os.utime(os.path.join(lake.lake, layout.manifest(day)), (second, second))
    days, versions = published(LakeView(store, lake))
    assert days == [DAY, NEXT_DAY] and versions == read_manifest(store, DAY).versions()
