"""A day's articles spooled through local files: read once, sorted against what other days
published, dealt round-robin into shards.

Against the published articles (:func:`claimflow.ingest.dedup.classify`) an article is new, a
duplicate (refused, or skipped when an earlier day's input), or a revision of a story another
day published (taken, linked to the story by ``revises``). Of several versions of one canonical
URL in the day (same URL, different texts) the latest is taken: by the article's published
date, then, for equal or missing dates, the one read last; the others are refused as
``superseded``, naming the article that replaced them.

Ingest reads every input of the day (and of its late window) before it can ask the published
``articles`` table which of them another day already has, and only then deals the rest into
shards of a size it knows at last. In between, the articles wait in a local gzip file, so
memory holds their ids, URLs and days, never their texts, whatever the day's size.
:func:`spool_day` does all of it in one folder and says which files to upload.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, NamedTuple

from claimflow import layout
from claimflow.ingest.articles import build_articles
from claimflow.ingest.dedup import DUPLICATE, FirstPublished, Verdict, canonical_url, classify
from claimflow.ingest.records import RawRecord, RejectedRecord
from claimflow.models import Article

# Looks up, in the published articles, the first other day of any of these article ids and URLs.
FirstPublishedLookup = Callable[[set[str], set[str]], FirstPublished]


class Candidate(NamedTuple):
    """An article read by the run, as the cross-day index sees it: id, canonical URL, the
    earlier day it belongs to (None: the run's own day), and its published date (which of two
    versions of a URL is the latest)."""

    article_id: str
    url: str | None
    day: str | None
    published: str | None


@dataclass(frozen=True)
class Spooled:
    """What :func:`spool_day` left in its folder and counted.

    ``rejected`` counts every refusal in ``refusals`` (``duplicates`` included: the day's own
    inputs that another day published; and ``superseded``: older versions of a URL the day has
    again); ``already_published`` are inputs of earlier days, read again in the late window,
    that an earlier day published: skipped, neither taken nor refused. ``revisions`` of the
    taken articles revise a story another day published.
    """

    shards: list[Path]  # gzip JSON lines of Article.to_dict(), round-robin, near equal
    archive: Path  # gzip JSON lines of the taken articles with their page bytes, for the raw archive
    refusals: Path  # gzip JSON lines of RejectedRecord fields
    taken: int
    rejected: int
    duplicates: int
    already_published: int
    revisions: int
    superseded: int


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
    day's own is refused as a ``duplicate``; a new text at a published URL is taken as a
    revision, and of a URL's versions in the day only the latest. Refusals of any kind go to one file."""
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
        rejected=rejected + dealt.duplicates + dealt.superseded,
        duplicates=dealt.duplicates,
        already_published=dealt.already_published,
        revisions=dealt.revisions,
        superseded=dealt.superseded,
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
            candidates.append(Candidate(item.article_id, canonical_url(item.url), record_day, item.published))
    return candidates, rejected


@dataclass(frozen=True)
class _Dealt:
    """How a day's candidates were sorted against the index: shards, taken, refused, skipped."""

    shards: int
    taken: int
    duplicates: int
    already_published: int
    revisions: int
    superseded: int


TAKEN, ALREADY_PUBLISHED, SUPERSEDED = "taken", "already_published", "superseded"


def _published_moment(published: str | None) -> tuple[int, float]:
    """An article's published date as a sort key: ``(1, POSIX seconds)`` where it reads as ISO
    8601 (a date alone is its midnight, no zone is UTC), else ``(0, 0.0)``, before any date."""
    try:
        moment = dt.datetime.fromisoformat(published or "")
        return (1, (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp())
    except (ValueError, OverflowError):  # not a date, or one past what a timestamp holds
        return (0, 0.0)


def _latest_per_url(candidates: list[Candidate], verdicts: list[Verdict]) -> dict[str, int]:
    """Per canonical URL, the index of the latest version the day takes: the latest published
    date, then the one read last. Duplicates are no version: their text is published already."""
    latest: dict[str, int] = {}
    for i, (candidate, verdict) in enumerate(zip(candidates, verdicts, strict=True)):
        if candidate.url and verdict.kind != DUPLICATE:
            best = latest.get(candidate.url)
            if best is None or (_published_moment(candidate.published), i) > (_published_moment(candidates[best].published), best):
                latest[candidate.url] = i
    return latest


def _fates(candidates: list[Candidate], verdicts: list[Verdict]) -> tuple[list[str], dict[str, int]]:
    """What becomes of each candidate (taken, already published, duplicate, superseded), and
    the latest version of each URL."""
    latest = _latest_per_url(candidates, verdicts)
    fates = []
    for i, (candidate, verdict) in enumerate(zip(candidates, verdicts, strict=True)):
        if verdict.kind == DUPLICATE:
            fates.append(ALREADY_PUBLISHED if candidate.day else DUPLICATE)
        elif candidate.url and latest[candidate.url] != i:
            fates.append(SUPERSEDED)
        else:
            fates.append(TAKEN)
    return fates, latest


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
    what another day published (an earlier day's input is skipped, a day's own is refused) and
    the older versions of a URL; a revision is written with the story it revises."""
    verdicts = [classify(index, c.article_id, c.url) for c in candidates]
    fates, latest = _fates(candidates, verdicts)
    counts = Counter(fates)
    count = shard_count(counts[TAKEN], shard_size=shard_size, max_shards=max_shards)
    taken = revisions = 0
    with ExitStack() as files:
        shards = [files.enter_context(gzip.open(_shard_file(folder, i), "wt", encoding="utf-8")) for i in range(count)]
        archive = files.enter_context(gzip.open(_archive_file(folder), "wt", encoding="utf-8"))
        lines = files.enter_context(gzip.open(spool, "rt", encoding="utf-8"))
        for candidate, verdict, fate, line in zip(candidates, verdicts, fates, lines, strict=True):
            if fate == ALREADY_PUBLISHED:  # an earlier day's input that that day published
                continue
            if fate == DUPLICATE:
                detail = f"first published on {verdict.first_day} (article {candidate.article_id})"
                _write_line(refused, vars(RejectedRecord(json.loads(line)["path"], DUPLICATE, detail)))
                continue
            if fate == SUPERSEDED:
                kept = candidates[latest[candidate.url]]
                detail = (f"an earlier version of the story at the canonical URL of article {kept.article_id}, "
                          f"which the day publishes instead (article {candidate.article_id})")
                _write_line(refused, vars(RejectedRecord(json.loads(line)["path"], SUPERSEDED, detail)))
                continue
            article = replace(Article.from_dict(json.loads(line)), revises=verdict.revises)
            _write_line(shards[taken % count], article.to_dict())  # no page bytes
            archive.write(line)
            taken += 1
            revisions += verdict.revises is not None
    return _Dealt(count, taken, counts[DUPLICATE], counts[ALREADY_PUBLISHED], revisions, counts[SUPERSEDED])
