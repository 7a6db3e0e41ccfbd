"""A web source's fetch budget and its cap on item pages, on a fake clock: what they leave out is
quarantined as ``budget``, and no test sleeps.

The web here is in process (:class:`FakeWeb` answers instead of the network) because a slow host
on real sockets costs real seconds; the real-socket behaviour of the same fetcher is in
``test_web.py`` and ``test_feeds.py``.
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

import pytest
from clocks import FakeClock

from claimflow.exceptions import RejectedInput
from claimflow.ingest.budget import Budget
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.sources import read_sources
from claimflow.ingest.web import Fetcher, Response

DAY = "2026-11-26"
SLOW = "http://slow.example"
FAST = "http://fast.example"
PAGE = b"<html><body><article><p>The harbour master said the ferry sails in June.</p></article></body></html>"


@dataclass
class FakeWeb(Fetcher):
    """A fetcher whose requests are answered from ``pages`` by path, never from the network: a
    path in ``slow`` takes the whole timeout on the fake clock and gets no answer."""

    pages: dict[str, bytes] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)
    asked: list[tuple[str, float]] = field(default_factory=list)

    def request(self, url: str, headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
        timeout = self.timeout if timeout is None else timeout
        path = urlsplit(url).path
        self.asked.append((path, self.clock.monotonic()))
        if path in self.slow:
            self.clock.advance(timeout)
            return Response(0, None, b"", f"TimeoutError: no complete answer within {timeout:g}s")
        if path not in self.pages:
            return Response(404, None, b"", "HTTP 404 Not Found")
        headers = Message()
        headers["Content-Type"] = "text/html; charset=utf-8"
        return Response(200, headers, self.pages[path])


def feed(*links: str, content: bool = False) -> bytes:
    """An RSS feed of the day whose items link ``links``; summary-only items unless ``content``."""
    body = "".join(
        f"<item><title>Item {n}</title><link>{link}</link><pubDate>Thu, 26 Nov 2026 0{n % 10}:00:00 +0000</pubDate>"
        f"<description>Short summary {n}.</description>"
        + ("<content:encoded>&lt;p&gt;The mayor said the pier reopens.&lt;/p&gt;</content:encoded>" if content else "")
        + "</item>"
        for n, link in enumerate(links, start=1)
    )
    return (f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            f"{body}</channel></rss>").encode()


SLOW_FEED = feed(*(f"{SLOW}/story/{n}" for n in range(1, 5)))


def read(fetcher: Fetcher, source: str = f"{SLOW}/feed") -> list[RawRecord | RejectedRecord]:
    return list(read_sources([source], DAY, fetcher=fetcher))


def test_a_budget_counts_on_its_clock() -> None:
    clock = FakeClock(now=100.0)
    budget = Budget(30, clock.monotonic)
    clock.now += 12
    assert budget.remaining() == 18
    budget.check("https://n.example/a")
    clock.now += 18
    with pytest.raises(RejectedInput, match="budget") as spent:
        budget.check("https://n.example/a?token=t0k3n")
    assert spent.value.detail == ("https://n.example/a?token=: not fetched, the source's fetch budget is spent "
                                  "(CLAIMFLOW_FETCH_SOURCE_BUDGET=30s)")


def test_four_summary_items_on_a_slow_host_cost_the_budget_not_a_minute(caplog) -> None:
    """On main each item took (retries + 1) x timeout plus the pause and backoffs, 19 s, and the
    feed 77 s of a fake clock. With a budget of 21 s the source takes 20 s and says what it left out."""
    clock = FakeClock()
    web = FakeWeb(delay=1, retries=2, timeout=5, source_budget=21, clock=clock,
                  pages={"/feed": SLOW_FEED}, slow={f"/story/{n}" for n in range(1, 5)})
    caplog.set_level(logging.INFO)
    records = read(web)
    assert clock.now == pytest.approx(20)  # the feed's pause 1 s, one item's 19 s; the next pause would not fit
    # every item is accounted for: one whose page failed within the budget keeps its summary,
    # the others are quarantined as budget, never dropped
    assert [r.name for r in records] == [f"{SLOW}/feed#{n}" for n in range(1, 5)]
    refused = [r for r in records if isinstance(r, RejectedRecord)]
    assert [r.reason for r in refused] == ["budget"] * 3
    assert all("CLAIMFLOW_FETCH_SOURCE_BUDGET=21s" in r.detail for r in refused)
    (kept,) = [r for r in records if isinstance(r, RawRecord)]
    assert kept.fields["text"].startswith("Short summary")
    assert f"fetch budget left out source={SLOW}/feed items=3" in caplog.text


def test_without_a_tight_budget_the_slow_items_take_their_retries() -> None:
    """The same feed within the default budget: what main did, to compare (77 s on the fake clock)."""
    clock = FakeClock()
    web = FakeWeb(delay=1, retries=2, timeout=5, clock=clock,
                  pages={"/feed": SLOW_FEED}, slow={f"/story/{n}" for n in range(1, 5)})
    records = read(web)
    assert clock.now == pytest.approx(77)  # the feed's pause 1 + 4 x (pause 1 + 5 + backoff 1 + 5 + backoff 2 + 5)
    assert all(isinstance(r, RawRecord) and r.fields["text"].startswith("Short summary") for r in records)


@pytest.mark.parametrize(
    "delay, budget, asked, spent, detail",
    [
        pytest.param(0, 8, 2, 8, "TimeoutError: no complete answer within 3s as the source's fetch budget ran out",
                     id="the last request's timeout cut to what was left"),
        pytest.param(1, 8, 1, 7, "TimeoutError: no complete answer within 5s, and a retry after 1.0s would outlast",
                     id="a backoff longer than what is left"),
    ],
)
def test_a_request_or_retry_never_outlasts_the_budget(delay: float, budget: float, asked: int, spent: float, detail: str) -> None:
    clock = FakeClock()
    web = FakeWeb(delay=delay, retries=2, timeout=5, source_budget=budget, clock=clock,
                  pages={"/feed": feed(f"{SLOW}/story/1")}, slow={"/story/1"})
    (record,) = read(web)
    assert isinstance(record, RejectedRecord) and record.reason == "budget" and detail in record.detail
    assert [path for path, _ in web.asked].count("/story/1") == asked and clock.now == pytest.approx(spent)


def test_a_budget_spent_on_robots_txt_is_not_remembered_against_the_host() -> None:
    clock = FakeClock()
    web = FakeWeb(delay=0, retries=0, timeout=5, source_budget=5, clock=clock,
                  pages={"/feed": feed(f"{FAST}/story")}, slow={"/robots.txt"})
    (refused,) = read(web)
    assert (refused.reason, refused.name) == ("budget", f"{SLOW}/feed")
    web.slow.clear()
    assert [type(r) for r in read(web)] == [RawRecord]  # the next source asks for robots.txt again


def test_the_item_page_cap_quarantines_the_pages_over_it_as_budget() -> None:
    links = [f"{FAST}/story/{n}" for n in range(1, 6)]
    web = FakeWeb(delay=0, max_item_pages=2, clock=FakeClock(),
                  pages={"/feed": feed(*links), **{urlsplit(link).path: PAGE for link in links}})
    records = read(web, f"{FAST}/feed")
    assert [(r.name, type(r).__name__) for r in records] == [
        (f"{FAST}/feed#{n}", "RawRecord" if n <= 2 else "RejectedRecord") for n in range(1, 6)
    ]
    assert all(r.payload == PAGE for r in records[:2])
    assert records[2].detail == (f"{FAST}/story/3: item page not fetched, the source has more than 2 "
                                 "(CLAIMFLOW_FETCH_MAX_ITEM_PAGES)")
    assert sorted(path for path, _ in web.asked) == ["/feed", "/robots.txt", "/story/1", "/story/2"]


def test_items_with_their_content_need_no_page_and_pass_any_cap() -> None:
    links = [f"{FAST}/story/{n}" for n in range(1, 4)]
    web = FakeWeb(delay=0, max_item_pages=1, clock=FakeClock(), pages={"/feed": feed(*links, content=True)})
    records = read(web, f"{FAST}/feed")
    assert all(isinstance(r, RawRecord) and r.fields["text"] == "The mayor said the pier reopens." for r in records)
    assert len(records) == 3


def test_what_the_budget_left_out_is_counted_in_the_days_quarantine(tmp_path, monkeypatch) -> None:
    """Through ingest: the items over the cap are input refusals with reason budget, and the
    day's accounting (records = articles + rejected) counts them."""
    from claimflow import stages
    from claimflow.config import Settings

    links = [f"{FAST}/story/{n}" for n in range(1, 4)]
    pages = {"/feed": feed(*links), "/story/1": PAGE}
    settings = Settings(lake=str(tmp_path / "lake"), sources=(f"{FAST}/feed",), fetch_max_item_pages=1)

    class Made:  # ingest builds its fetcher from the settings: here a FakeWeb of them
        @staticmethod
        def from_settings(given: Settings) -> FakeWeb:
            return FakeWeb(delay=0, max_item_pages=given.fetch_max_item_pages, clock=FakeClock(), pages=pages)

    monkeypatch.setattr(stages, "Fetcher", Made)
    result = stages.ingest(settings, DAY, "manual__budget")
    assert (result.records, result.articles, result.rejected) == (3, 1, 2)
    (refusals,) = (tmp_path / "lake").rglob("rejected.jsonl.gz")
    rows = [json.loads(line) for line in gzip.decompress(refusals.read_bytes()).splitlines()]
    assert [(r["name"], r["reason"]) for r in rows] == [(f"{FAST}/feed#2", "budget"), (f"{FAST}/feed#3", "budget")]
