"""A day's articles spooled through local files: read once, sorted against what other days
published, dealt round-robin into shards.

Ingest reads every input of the day (and of its late window) before it can ask the published
``articles`` table which of them another day already has, and only then deals the rest into
shards of a size it knows at last. In between, the articles wait in a local gzip file, so
memory holds their ids, URLs and days, never their texts, whatever the day's size.
:func:`spool_day` does all of it in one folder and says which files to upload.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from claimflow import layout
from claimflow.ingest.articles import build_articles
from claimflow.ingest.dedup import FirstPublished, canonical_url
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.models import Article

# Looks up, in the published articles, the first other day of any of these article ids and URLs.
FirstPublishedLookup = Callable[[set[str], set[str]], FirstPublished]


class Candidate(NamedTuple):
    """An article read by the run, as the cross-day index sees it: id, canonical URL, and the
    earlier day it belongs to (None: the run's own day)."""

    article_id: str
    url: str | None
    day: str | None


@dataclass(frozen=True)
class Spooled:
    """What :func:`spool_day` left in its folder and counted.

    ``rejected`` counts every refusal in ``refusals`` (``duplicates`` included: the day's own
    inputs that another day published); ``already_published`` are inputs of earlier days, read
    again in the late window, that an earlier day published: skipped, neither taken nor refused.
    """

    shards: list[Path]  # gzip JSON lines of Article.to_dict(), round-robin, near equal
    archive: Path  # gzip JSON lines of the taken articles with their page bytes, for the raw archive
    refusals: Path  # gzip JSON lines of RejectedRecord fields
    taken: int
    rejected: int
    duplicates: int
    already_published: int


def shard_count(articles: int, *, shard_size: int, max_shards: int) -> int:
    """How many shards ``articles`` fill: at most ``max_shards``, of about ``shard_size`` each."""
    return min(max_shards, math.ceil(articles / shard_size))


def spool_day(
    records: Iterable[RawRecord | RejectedRecord],
    folder: Path,
    first_published: FirstPublishedLookup,
    *,
    shard_size: int,
    max_shards: int,
) -> Spooled:
    """Build the articles of ``records`` and deal them into shard files in ``folder``, except
    what another day published (per ``first_published``): an earlier day's input is skipped, a
    day's own is refused as a ``duplicate``. Refusals of any kind go to one file."""
    spool, refusals = folder / "read.jsonl.gz", folder / "rejected.jsonl.gz"
    with gzip.open(refusals, "wt", encoding="utf-8") as refused:
        with gzip.open(spool, "wt", encoding="utf-8") as out:
            candidates, rejected = _read(records, out, refused)
        index = first_published({c.article_id for c in candidates}, {c.url for c in candidates if c.url})
        dealt = _deal(spool, folder, candidates, index, refused, shard_size=shard_size, max_shards=max_shards)
    return Spooled(
        shards=[_shard_file(folder, number) for number in range(dealt.shards)],
        archive=_archive_file(folder),
        refusals=refusals,
        taken=dealt.taken,
        rejected=rejected + dealt.duplicates,
        duplicates=dealt.duplicates,
        already_published=dealt.already_published,
    )


def _shard_file(folder: Path, number: int) -> Path:
    return folder / f"{layout.shard_name(number)}.jsonl.gz"


def _archive_file(folder: Path) -> Path:
    return folder / "raw.jsonl.gz"


def _with_days(records: Iterable[RawRecord | RejectedRecord]) -> Iterator[tuple[str | None, Article | RejectedRecord]]:
    """``build_articles`` over ``records``, each result beside the day of the record it came
    from (build_articles gives exactly one result per record, in order)."""
    days: deque[str | None] = deque()

    def noting_days() -> Iterator[RawRecord | RejectedRecord]:
        for record in records:
            days.append(record.day if isinstance(record, RawRecord) else None)
            yield record

    for item in build_articles(noting_days()):
        yield days.popleft(), item


def _write_line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def _read(
    records: Iterable[RawRecord | RejectedRecord], spool: IO[str], refused: IO[str]
) -> tuple[list[Candidate], int]:
    """Build the articles of ``records`` into ``spool`` (one JSON line each) and their refusals
    into ``refused``; returns the articles as candidates, in spool order, and the refusals' count."""
    candidates: list[Candidate] = []
    rejected = 0
    for record_day, item in _with_days(records):
        if isinstance(item, RejectedRecord):
            _write_line(refused, vars(item))
            rejected += 1
        else:
            _write_line(spool, item.to_archive_dict())  # the page's original bytes too, for the raw archive
            candidates.append(Candidate(item.article_id, canonical_url(item.url), record_day))
    return candidates, rejected


@dataclass(frozen=True)
class _Dealt:
    """How a day's candidates were sorted against the index: shards, taken, refused, skipped."""

    shards: int
    taken: int
    duplicates: int
    already_published: int


def _deal(
    spool: Path,
    folder: Path,
    candidates: list[Candidate],
    index: FirstPublished,
    refused: IO[str],
    *,
    shard_size: int,
    max_shards: int,
) -> _Dealt:
    """Stream the spooled articles into round-robin shard files and the raw archive, except
    what another day published: an earlier day's input is skipped, a day's own is refused."""
    firsts = [index.of(c.article_id, c.url) for c in candidates]
    already = sum(1 for c, first in zip(candidates, firsts, strict=True) if first and c.day)
    duplicates = sum(1 for c, first in zip(candidates, firsts, strict=True) if first and not c.day)
    count = shard_count(len(candidates) - already - duplicates, shard_size=shard_size, max_shards=max_shards)
    taken = 0
    with ExitStack() as files:
        shards = [files.enter_context(gzip.open(_shard_file(folder, i), "wt", encoding="utf-8")) for i in range(count)]
        archive = files.enter_context(gzip.open(_archive_file(folder), "wt", encoding="utf-8"))
        lines = files.enter_context(gzip.open(spool, "rt", encoding="utf-8"))
        for candidate, first, line in zip(candidates, firsts, lines, strict=True):
            if first and candidate.day:  # an earlier day's input that that day published
                continue
            if first:
                detail = f"first published on {first} (article {candidate.article_id})"
                _write_line(refused, vars(RejectedRecord(json.loads(line)["path"], "duplicate", detail)))
                continue
            _write_line(shards[taken % count], Article.from_dict(json.loads(line)).to_dict())  # no page bytes
            archive.write(line)
            taken += 1
    return _Dealt(count, taken, duplicates, already)
