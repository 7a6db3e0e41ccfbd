"""A day's articles through the local spool: dealt into near-equal shards, what another day
published left out (an earlier day's input skipped, the day's own refused), refusals kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from claimflow.ingest.articles import article_id
from claimflow.ingest.dedup import FirstPublished
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.ingest.spool import shard_count, spool_day

TEXT = "{} said on Tuesday that the bridge over the river would reopen next spring after repairs."


def _lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _record(n: int, *, day: str | None = None) -> RawRecord:
    return RawRecord(name=f"in/{n}.txt", payload=TEXT.format(f"Speaker {n}").encode(), day=day)


def test_shards_are_near_equal_and_bounded():
    assert [shard_count(n, shard_size=3, max_shards=2) for n in (7, 2, 0)] == [2, 1, 0]


def test_a_day_is_dealt_round_robin_minus_what_other_days_published(tmp_path: Path):
    records = [_record(n) for n in range(5)] + [_record(5, day="2026-11-25"), RejectedRecord("in/bad.json", "json", "x")]
    published = {article_id(TEXT.format(f"Speaker {n}")) for n in (0, 5)}  # the day's own 0, the late window's 5
    asked: list[set[str]] = []

    def lookup(ids: set[str], urls: set[str]) -> FirstPublished:
        asked.append(ids)
        return FirstPublished(by_id=dict.fromkeys(ids & published, "2026-11-20"))

    spooled = spool_day(records, tmp_path, lookup, shard_size=2, max_shards=8)

    assert len(asked) == 1 and len(asked[0]) == 6  # one lookup, every article read
    assert (spooled.taken, spooled.rejected, spooled.duplicates, spooled.already_published) == (4, 2, 1, 1)
    shards = [_lines(path) for path in spooled.shards]
    assert [len(shard) for shard in shards] == [2, 2]
    assert sorted(row["path"] for shard in shards for row in shard) == [f"in/{n}.txt" for n in range(1, 5)]
    assert len(_lines(spooled.archive)) == 4
    refused = _lines(spooled.refusals)
    assert [(r["name"], r["reason"]) for r in refused] == [("in/bad.json", "json"), ("in/0.txt", "duplicate")]
    assert refused[1]["detail"].startswith("first published on 2026-11-20")
