"""The article view and the search in a real browser (headless Chromium over DevTools): hostile
article text runs nothing, a claim clicked in the list highlights its three parts without any
script, and the screenshots' pages hold the expected names and numbers.

Skipped where Debian's chromium is not installed; the TestClient tests cover the content."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from articlelake import ARTICLE, DAY, NEXT_DAY, WARC_INPUT, build_article_lake, claims_of_article
from devtools import Browser, chromium, serving

from claimflow.ui.article_page import anchor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    with serving(build_article_lake(tmp_path_factory.mktemp("browser")).lake) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    with chromium(CHROMIUM, tmp_path_factory.mktemp("profile")) as page:
        yield page


def article_url(base_url: str) -> str:
    return f"{base_url}article/{ARTICLE}?day={DAY}"


def test_hostile_article_text_runs_nothing(browser, base_url):
    browser.open(article_url(base_url))
    state = browser.evaluate("""({
        title: document.title, pwned: document.getElementById("pwned") !== null,
        scripts: document.scripts.length, images: document.images.length,
        links: [...document.links].map(a => a.protocol),
        text: document.querySelector(".doc").innerText})""")
    assert state["title"].startswith('Bridge <script>document.title="pwned"')  # the title, shown as text
    assert not state["pwned"] and state["scripts"] == 0 and state["images"] == 0
    assert set(state["links"]) == {"http:"}  # the page's own links; the javascript: URL is text
    assert '<img src=x onerror="document.title=\'pwned\'">' in state["text"]
    assert not [line for line in browser.console if "pwned" in line or "Content Security Policy" in line]


def background(browser: Browser, selector: str) -> str:
    return browser.evaluate(f"getComputedStyle(document.querySelector({json.dumps(selector)})).backgroundColor")


def test_a_claim_clicked_in_the_list_highlights_its_three_parts(browser, base_url):
    browser.open(article_url(base_url))
    parts = {role: f".k2-{role}" for role in ("source", "cue", "content")}
    before = {role: background(browser, selector) for role, selector in parts.items()}
    other = background(browser, ".k0-source")
    target = anchor(claims_of_article()[2]["claim_id"])
    browser.evaluate(f'document.querySelector(\'a[href="#{target}"]\').click()')  # what a reader's click does
    assert browser.evaluate("location.hash") == f"#{target}"
    after = {role: background(browser, selector) for role, selector in parts.items()}
    assert after == {"source": "rgb(128, 204, 255)", "cue": "rgb(255, 183, 124)", "content": "rgb(141, 219, 140)"}
    assert all(before[role] != after[role] for role in parts)
    assert background(browser, ".k0-source") == other  # another claim's parts stay as they were
    assert background(browser, ".item-k2") == "rgb(255, 248, 197)"


def test_screenshots_of_the_article_view_and_the_search(browser, base_url, tmp_path):
    browser.open(article_url(base_url))
    shot = tmp_path / "article.png"
    browser.screenshot(shot)
    text = browser.evaluate("document.body.innerText")
    assert shot.read_bytes()[:8] == PNG and shot.stat().st_size > 20_000
    assert "4 claims" in text and "Ann Lee" in text and "Bob Park" in text and WARC_INPUT in text

    browser.open(f"{base_url}search?from={DAY}&to={NEXT_DAY}&speaker=Ann")
    shot = tmp_path / "search.png"
    browser.screenshot(shot)
    rows = browser.evaluate("[...document.querySelectorAll('tbody tr')].map(r => r.cells[0].innerText + ' ' + r.cells[1].innerText)")
    text = browser.evaluate("document.body.innerText")
    assert shot.read_bytes()[:8] == PNG and shot.stat().st_size > 10_000
    assert rows == [f"{NEXT_DAY} Ann Lee", f"{DAY} Ann Lee"]
    assert "claims 1 to 2" in text and "2 published days" in text
