"""What the article view and the search read: one article with its claims, and the claims a search
matches, from the lake's Delta tables at the versions the manifests recorded (``claimflow.readers``).

Only published days are read: a day's article at its manifest's versions; a search at the versions
of the manifest written last (each publish commits after every earlier one, so it holds every
published day as published), over the days with a manifest in its range only. DuckDB scans the
Arrow datasets lazily, projecting the columns a query names, and a search returns one page (a
bounded ``LIMIT``), so memory follows the page, not the lake.

Opening a Delta table's files as a dataset costs about 10 ms a file (delta-rs builds each file's
statistics into an expression), so a search reads its days newest first in windows of 1, 2, 4,
8 ... days and stops once the page is full: the first page of a year's search opens one day.
The datasets of a table version and days are immutable, so they are kept (a few, least recently
used first out) and the next page of the same search opens nothing. Once maintenance has
compacted a day and vacuumed past the retention, a manifest's version may be gone: the lake is
then read at the latest versions, which hold the same published rows, each day's rows of the run
its manifest names only (the latest may hold a torn rerun's).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from claimflow import layout
from claimflow.config import Settings
from claimflow.models import SOURCE_KINDS, STANCES

if TYPE_CHECKING:
    import duckdb
    import pyarrow.dataset

    from claimflow.ui.lake import LakeView

log = logging.getLogger(__name__)

ARTICLE_ID = re.compile(r"[0-9a-f]{1,64}")  # every id of the lake is a stable_id: hex
MAX_PAGE = 1000
MAX_PAGE_SIZE = 100
MAX_WORDS = 8  # words a search matches in the content, at most
MAX_TERM_CHARS = 200
DEFAULT_SPAN_DAYS = 30  # a search without dates: the 30 days up to the newest published one
TABLES = ("articles", "claims")
DATASETS_KEPT = 64  # (table, version, days) datasets kept open
MODIFIED_SLACK = dt.timedelta(seconds=2)  # manifests listed this close to the newest may be the newest

T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    """A character range of the article's text and the text the lake says it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ArticleClaim:
    """One claim of the article: who (source) said (cue) what (content), and how."""

    claim_id: str
    sentence: int | None
    source: Span | None
    cue: Span
    content: tuple[Span, ...]
    source_kind: str | None
    speaker: str | None
    source_entity_id: str | None
    quote_type: str | None
    stance: str | None
    hedges: tuple[str, ...]
    confidence: float | None


@dataclass(frozen=True)
class Article:
    """One published article's metadata and text, as the ``articles`` table holds them."""

    article_id: str
    day: str
    run_id: str | None
    title: str | None
    site: str | None
    authors: tuple[str, ...]
    published: str | None
    url: str | None
    path: str | None  # the input it came from: a file, an object, a WARC file's record (``file#n``)
    external_id: str | None
    language: str | None
    revises: str | None
    text: str


@dataclass(frozen=True)
class SearchQuery:
    """A search as the form sends it, checked: every field optional but the day range."""

    first_day: str
    last_day: str
    speaker: str | None = None  # words of the speaker's name as written or resolved
    entity: str | None = None  # an entity id: claims it made or whose content names it
    words: tuple[str, ...] = ()  # every one appears in the content
    source_kind: str | None = None
    stance: str | None = None
    hedged: bool | None = None
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        for day in (self.first_day, self.last_day):
            layout.check_day(day)
        if self.first_day > self.last_day:
            raise ValueError(f"from must not be after to, got from={self.first_day} to={self.last_day}")
        if self.source_kind is not None and self.source_kind not in SOURCE_KINDS:
            raise ValueError(f"source kind must be one of {', '.join(SOURCE_KINDS)}, got {self.source_kind!r}")
        if self.stance is not None and self.stance not in STANCES:
            raise ValueError(f"stance must be one of {', '.join(STANCES)}, got {self.stance!r}")
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page must be 1 to {MAX_PAGE} and page size 1 to {MAX_PAGE_SIZE}, got {self.page}, {self.page_size}")
        if len(self.words) > MAX_WORDS:
            raise ValueError(f"at most {MAX_WORDS} words, got {len(self.words)}")
        terms = (self.speaker, self.entity, *self.words)
        if any(term is not None and (not term.strip() or len(term) > MAX_TERM_CHARS) for term in terms):
            raise ValueError(f"a search term has 1 to {MAX_TERM_CHARS} characters")


@dataclass(frozen=True)
class SearchHit:
    """One claim a search found, with what the result list shows and links to."""

    day: str
    claim_id: str
    article_id: str
    title: str | None
    speaker: str | None
    source_entity_id: str | None
    source_kind: str | None
    cue_text: str | None
    content_text: str | None
    stance: str | None
    hedged: bool
    quote_type: str | None


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, newest day first, and whether another page follows."""

    query: SearchQuery
    hits: list[SearchHit]
    more: bool
    days: int  # published days searched


def _span(value: Any) -> Span | None:
    if not isinstance(value, Mapping) or value.get("start") is None or value.get("end") is None:
        return None
    return Span(int(value["start"]), int(value["end"]), str(value.get("text") or ""))


def _claim(row: Mapping[str, Any]) -> ArticleClaim:
    source = _span({"start": row["source_start"], "end": row["source_end"], "text": row["source_text"]})
    cue = _span({"start": row["cue_start"], "end": row["cue_end"], "text": row["cue_text"]}) or Span(0, 0, "")
    return ArticleClaim(
        claim_id=str(row["claim_id"]), sentence=row["sentence"], source=source, cue=cue,
        content=tuple(span for value in row["content"] or () if (span := _span(value))),
        source_kind=row["source_kind"], speaker=row["speaker"], source_entity_id=row["source_entity_id"],
        quote_type=row["quote_type"], stance=row["stance"], hedges=tuple(row["hedges"] or ()),
        confidence=row["confidence"],
    )


@functools.lru_cache(maxsize=DATASETS_KEPT)
def _dataset(settings: Settings, table: str, version: int, first_day: str, last_day: str) -> pyarrow.dataset.Dataset:
    """The files of ``table`` at ``version`` from ``first_day`` to ``last_day``: immutable, so kept."""
    from claimflow import readers  # pyarrow: loaded on the first read, never by the plugin's import
    from claimflow.storage.delta import storage_options, table_uri
    from claimflow.tables import schema_of

    dataset = readers.open_table(table_uri(settings, table), options=storage_options(settings), version=version,
                                 first_day=first_day, last_day=last_day)
    if dataset is None:
        raise FileNotFoundError(f"no {table} table at version {version} in {settings.lake}")
    return readers.with_columns(dataset, schema_of(table))


def _connect(settings: Settings, versions: Mapping[str, int], first_day: str, last_day: str,
             tables: tuple[str, ...] = TABLES) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``tables`` at ``versions``, their files of those days only."""
    import duckdb

    from claimflow.readers import sql_name

    con = duckdb.connect()
    for table in tables:
        if table not in versions:
            raise FileNotFoundError(f"no published version of {table} in {settings.lake}")
        con.register(sql_name(table), _dataset(settings, table, versions[table], first_day, last_day))
    return con


def _latest_versions(settings: Settings) -> dict[str, int]:
    from deltalake import DeltaTable

    from claimflow.storage.delta import storage_options, table_uri

    options = storage_options(settings)
    return {table: DeltaTable(table_uri(settings, table), storage_options=options).version() for table in TABLES}


def _versions_gone(error: Exception) -> bool:
    """Whether ``error`` says a manifest's versions can no longer be read: their log entries are
    gone (delta-rs cannot open the version), or their files were vacuumed (the scan cannot open
    one). Anything else (the store down, a bad query) is not answered by reading the latest."""
    import duckdb
    from deltalake.exceptions import DeltaError, TableNotFoundError

    if isinstance(error, DeltaError) and not isinstance(error, TableNotFoundError):
        return "version" in str(error).lower()
    if isinstance(error, duckdb.InvalidInputException):
        return "Could not open Parquet input source" in str(error)
    return False


def _at_versions(settings: Settings, versions: Mapping[str, int], ask: Callable[[Mapping[str, int], bool], T]) -> T:
    """``ask(versions, False)``; where maintenance has vacuumed those versions, ``ask`` at the
    latest versions (the published rows of a day are the same, compacted) with ``True``: it must
    then keep each day's rows of its manifest's run only. The kept datasets are dropped then."""
    try:
        return ask(versions, False)
    except Exception as error:
        if not _versions_gone(error):
            raise
        log.info("manifest versions unreadable versions=%s reason=%s: reading the latest", dict(versions), type(error).__name__)
        _dataset.cache_clear()
        return ask(_latest_versions(settings), True)


def read_article(view: LakeView, article_id: str, day: str) -> tuple[Article, list[ArticleClaim]] | None:
    """The article ``article_id`` as ``day``'s manifest published it, with its claims in reading
    order; None when the day is not published or did not publish that article."""
    if not ARTICLE_ID.fullmatch(article_id):
        raise ValueError(f"an article id is hexadecimal, got {article_id[:80]!r}")
    manifest = view.manifest(layout.check_day(day))
    if manifest is None:
        return None

    def ask(versions: Mapping[str, int], _latest: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        from claimflow import readers

        con = _connect(view.settings, versions, day, day)
        # the manifest's run only, always: it costs nothing, and at the latest a torn rerun's rows may be there
        run = [article_id, manifest.run_id]
        articles = readers.rows(con, "SELECT * FROM articles WHERE article_id = ? AND run_id = ? LIMIT 1", run)
        claims = readers.rows(con, "SELECT * FROM claims WHERE article_id = ? AND run_id = ? "
                                   "ORDER BY cue_start, sentence, claim_id", run)
        return articles, claims

    articles, claims = _at_versions(view.settings, manifest.versions(), ask)
    if not articles:
        return None
    row = articles[0]
    article = Article(
        article_id=row["article_id"], day=day, run_id=row["run_id"], title=row["title"], site=row["site"],
        authors=tuple(row["authors"] or ()), published=row["published"], url=row["url"], path=row["path"],
        external_id=row["external_id"], language=row["language"], revises=row["revises"], text=row["text"] or "",
    )
    return article, [_claim(claim) for claim in claims]


def published(view: LakeView) -> tuple[list[str], Mapping[str, int]]:
    """Every published day, oldest first, and the table versions of the manifest written last:
    the highest versions among the manifests listed as modified within MODIFIED_SLACK of the
    newest (a store's times have whole seconds, so two publishes may share one; without times,
    every manifest is read). One listing and, but for such ties, one manifest read."""
    infos = [(info, day) for info in view.store.list(layout.MANIFESTS) if (day := layout.manifest_day(info.key))]
    if not infos:
        return [], {}
    times = [info.modified for info, _day in infos]
    if all(time is not None for time in times):
        since = max(time for time in times if time is not None) - MODIFIED_SLACK
        candidates = [(info, day) for info, day in infos if info.modified is not None and info.modified >= since]
    else:
        candidates = infos
    versions = [m.versions() for info, day in candidates if (m := view.manifest(day, size=info.size))]
    newest = max(versions, key=lambda found: tuple(found.get(table, -1) for table in TABLES), default={})
    return sorted(day for _info, day in infos), newest


def default_range(days: list[str]) -> tuple[str, str]:
    """The :data:`DEFAULT_SPAN_DAYS` days up to the newest published day (today's, with none)."""
    last = dt.date.fromisoformat(days[-1]) if days else dt.datetime.now(dt.timezone.utc).date()
    return (last - dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)).isoformat(), last.isoformat()


_WINDOW = "list_contains($days, c.dt) AND c.dt BETWEEN $first_day AND $last_day"  # BETWEEN: pushed down to the scan
_SEARCH = """
SELECT c.dt AS day, c.claim_id, c.article_id, c.speaker, c.source_entity_id, c.source_kind,
       c.cue_text, c.content_text, c.stance, coalesce(len(c.hedges), 0) > 0 AS hedged, c.quote_type
FROM claims c
WHERE {where}
ORDER BY c.dt DESC, c.article_id, c.cue_start, c.claim_id
LIMIT $limit OFFSET $offset
"""
_COUNT = "SELECT count(*) FROM claims c WHERE {where}"
_TITLES = "SELECT dt, article_id, title FROM articles WHERE list_contains($ids, article_id) AND dt BETWEEN $first_day AND $last_day"
_RUNS = "list_contains($runs, {alias}dt || '/' || {alias}run_id)"  # each day's manifest's run: read at the latest


def _titles(settings: Settings, versions: Mapping[str, int], rows: list[dict[str, Any]],
            runs: list[str] | None) -> dict[tuple[str, str], str | None]:
    """The titles of the articles of a page's hits, read from those days' files only: the
    ``articles`` table is opened for the page, not for every window a search went through;
    of the ``runs`` (day/run) only, where given."""
    if not rows:
        return {}
    days = [row["day"] for row in rows]
    con = _connect(settings, versions, min(days), max(days), ("articles",))
    found = con.execute(_TITLES + ("" if runs is None else " AND " + _RUNS.format(alias="")),
                        {"ids": sorted({row["article_id"] for row in rows}), "first_day": min(days),
                         "last_day": max(days)} | ({} if runs is None else {"runs": runs})).fetchall()
    return {(day, article_id): title for day, article_id, title in found}


def windows(days: list[str]) -> list[list[str]]:
    """``days`` (oldest first) newest first, cut into windows of 1, 2, 4, 8 ... days."""
    newest_first, found, size = days[::-1], [], 1
    while newest_first:
        found.append(newest_first[:size])
        newest_first, size = newest_first[size:], size * 2
    return found


def _conditions(query: SearchQuery) -> tuple[list[str], dict[str, Any]]:
    """The WHERE conditions a search adds, and their named parameters (never text in the SQL)."""
    conditions, parameters = [], {}
    if query.speaker:
        conditions.append("contains(lower(c.speaker), lower($speaker))")
        parameters["speaker"] = query.speaker.strip()
    if query.entity:
        conditions.append("(c.source_entity_id = $entity OR list_contains(c.entity_ids, $entity))")
        parameters["entity"] = query.entity.strip()
    for i, word in enumerate(query.words):
        conditions.append(f"contains(lower(c.content_text), lower($word{i}))")
        parameters[f"word{i}"] = word
    for column in ("source_kind", "stance"):
        if getattr(query, column) is not None:
            conditions.append(f"c.{column} = ${column}")
            parameters[column] = getattr(query, column)
    if query.hedged is not None:
        conditions.append(f"coalesce(len(c.hedges), 0) {'>' if query.hedged else '='} 0")
    return conditions, parameters


def search(view: LakeView, query: SearchQuery, lake: tuple[list[str], Mapping[str, int]]) -> SearchResult:
    """One page of the claims ``query`` matches on the published days of its range; ``lake`` is
    what :func:`published` says of the lake (read once per request)."""
    days, versions = lake
    searched = [day for day in days if query.first_day <= day <= query.last_day]
    if not searched:
        return SearchResult(query, [], more=False, days=0)
    conditions, parameters = _conditions(query)
    where_all = " AND ".join([_WINDOW, *conditions])
    skip, wanted = (query.page - 1) * query.page_size, query.page_size + 1  # one more: is there a next page?

    def ask(versions: Mapping[str, int], latest: bool) -> list[dict[str, Any]]:
        from claimflow import readers

        rows: list[dict[str, Any]] = []
        to_skip = skip
        runs: list[str] | None = [] if latest else None
        for window in windows(searched):
            con = _connect(view.settings, versions, window[-1], window[0], ("claims",))
            bounds = parameters | {"days": window, "first_day": window[-1], "last_day": window[0]}
            if runs is not None:  # the window's days' manifests: one read each, after a vacuum only
                runs += [f"{day}/{manifest.run_id}" for day in window if (manifest := view.manifest(day))]
                bounds |= {"runs": runs}
            where = where_all if runs is None else f"{where_all} AND {_RUNS.format(alias='c.')}"
            if to_skip:  # the earlier pages' hits: counted, not fetched
                (count,) = con.execute(_COUNT.format(where=where), bounds).fetchone()
                if count <= to_skip:
                    to_skip -= count
                    continue
            rows += readers.rows(con, _SEARCH.format(where=where), bounds | {"limit": wanted - len(rows), "offset": to_skip})
            to_skip = 0
            if len(rows) >= wanted:
                break
        shown = rows[: query.page_size]
        titles = _titles(view.settings, versions, shown, runs)
        return [row | {"title": titles.get((row["day"], row["article_id"]))} for row in shown] + rows[query.page_size:]

    rows = _at_versions(view.settings, versions, ask)
    hits = [SearchHit(**row) for row in rows[: query.page_size]]
    return SearchResult(query, hits, more=len(rows) > query.page_size, days=len(searched))


def words_of(text: str | None) -> tuple[str, ...]:
    """The words of a search box, each once, in order."""
    return tuple(dict.fromkeys((text or "").split()))
