"""Cross-day de-duplication: which of a run's articles another day has already published, and
which are revisions of a story another day published.

An article whose text (its id) another day published is a ``duplicate``; one at the canonical
URL of an article another day published, with a different text, is a ``revision`` of that
story: it is published, its ``revises`` naming the article that began the story (the story's
first publication). :func:`classify` decides, from the index :func:`first_published` reads.

The index is the published ``articles`` Delta table itself (``article_id`` is the content hash,
``url``, ``dt``, ``revises``): no second store to keep in step. It is read column-projected and streamed in
record batches, matched against the run's candidates with ``pyarrow.compute.is_in``, so memory
holds the candidates' ids and the matches, never the table. The run's own day is left out, so a
rerun of a day does not find its own earlier articles. A URL matches in canonical form
(:func:`canonical_url`): the same story reached through a tracking link is the same story. An
address with a secret parameter has no canonical form: its value, which the redaction took out
(``?key=`` is what remains of ``?key=2024-abc``), may be what told two stories apart, so such an
article is de-duplicated by its text only, never a revision, never revised, never superseded.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc

from claimflow.redact import secret_parameters

log = logging.getLogger(__name__)

TRACKING_PARAMETERS = frozenset({"fbclid", "gclid"})  # and every utm_* parameter
DEFAULT_PORTS = {"http": 80, "https": 443}
BATCH_ROWS = 65_536  # index rows per streamed batch
# what the coarse key of a URL drops: scheme and host, then query and fragment
_COARSE = r"^[a-z][a-z0-9+.-]*://[^/?#]*|[?#].*$"


def canonical_url(url: str | None) -> str | None:
    """``url`` in the form two addresses of one page share: scheme and host lower-case, no user
    info, no default port, no fragment, no ``utm_*``/``fbclid``/``gclid`` parameter, the path
    ``/`` when empty and without a trailing slash otherwise. None for what is not an absolute
    http(s) address (a file path has no web identity), and for an address with a secret
    parameter (redacted, ``?code=``: the value that named the page is gone)."""
    if not url or secret_parameters(url):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 host
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMETERS and not key.lower().startswith("utm_")
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def _coarse(urls: pa.Array) -> pa.Array:
    """A key every URL shares with its canonical form (lower-case path, nothing else): a cheap
    Arrow-side filter before the exact comparison."""
    path = pc.replace_substring_regex(pc.utf8_lower(urls), pattern=_COARSE, replacement="")
    return pc.utf8_rtrim(path, characters="/")


@dataclass
class FirstPublished:
    """The earliest other day on which each matched article id and canonical URL was published,
    and, per URL, the story published there first (``stories``: the ``article_id`` of the story's
    first publication, i.e. the ``revises`` of any revision of it; same keys as ``by_url``)."""

    by_id: dict[str, str] = field(default_factory=dict)
    by_url: dict[str, str] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)


NEW, DUPLICATE, REVISION = "new", "duplicate", "revision"


@dataclass(frozen=True)
class Verdict:
    """What the lake makes of one article: ``new``; a ``duplicate`` of the same text first
    published on ``first_day``; or a ``revision`` of the story ``revises`` (the article that began
    it), first published at the same canonical URL on ``first_day``."""

    kind: str
    first_day: str | None = None
    revises: str | None = None


def classify(index: FirstPublished, article_id: str, url: str | None) -> Verdict:
    """The verdict on the article ``article_id`` at ``url`` (any form: it is made canonical here)
    against what other days published, per ``index``.

    The same text is a duplicate, whatever its URL. A new text at a known URL is a revision of
    the story first published there, unless that story is this very article (a rerun of the
    story's first day, after a later day published a revision of it): then it is new again.
    """
    if first := index.by_id.get(article_id):
        return Verdict(DUPLICATE, first)
    key = canonical_url(url)
    if key and (first := index.by_url.get(key)) and (story := index.stories[key]) != article_id:
        return Verdict(REVISION, first, story)
    return Verdict(NEW)


def _keep_earliest(found: dict[str, str], key: str, day: str) -> None:
    if key not in found or day < found[key]:
        found[key] = day


def _keep_first_story(found: FirstPublished, url: str, day: str, story: str) -> None:
    """Record ``story`` as the one first published at ``url`` if ``day`` is the earliest yet (on
    a tie, the smallest story id, so that every read of the index agrees)."""
    if url not in found.by_url or (day, story) < (found.by_url[url], found.stories[url]):
        found.by_url[url], found.stories[url] = day, story


def first_published(
    table_uri: str,
    day: str,
    article_ids: Collection[str],
    urls: Collection[str],
    *,
    storage_options: dict[str, str] | None = None,
    version: int | None = None,
    days: Collection[str] | None = None,
) -> FirstPublished:
    """Which of ``article_ids`` and canonical ``urls`` the ``articles`` Delta table at
    ``table_uri`` holds on a day other than ``day``, and the first such day. A table that does
    not exist yet (the lake's first day) is an empty index.

    ``version`` reads the table as of that version (one at which every day was as its manifest
    says: see ``claimflow.recovery``), else the latest; ``days`` limits the look-up to those days
    (publish re-checks only the days committed since ingest read the index)."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    found = FirstPublished()
    if (not article_ids and not urls) or (days is not None and not set(days) - {day}):
        return found
    try:
        table = DeltaTable(table_uri, version=version, storage_options=storage_options)
    except TableNotFoundError:
        log.info("no articles table yet uri=%s: every article is new", table_uri)
        return found
    ids = pa.array(sorted(article_ids), pa.string())
    wanted = set(urls)
    coarse = _coarse(pa.array(sorted(wanted), pa.string()))
    # a table published before revisions were kept has no ``revises``: every article began its story
    linked = "revises" in {f.name for f in table.schema().fields}
    columns = ["article_id", "url", "dt", *(["revises"] if linked else [])]
    others = sorted(set(days) - {day}) if days is not None else None
    dataset = table.to_pyarrow_dataset(file_pruning_predicate=[("dt", "in", others)] if others else [("dt", "!=", day)])
    wanted_days = pc.field("dt").isin(pa.array(others, pa.string())) if others else pc.field("dt") != day
    rows = 0
    for batch in dataset.to_batches(columns=columns, filter=wanted_days, batch_size=BATCH_ROWS):
        rows += batch.num_rows
        by_id = batch.filter(pc.is_in(batch.column("article_id"), value_set=ids))
        for article_id, published in zip(by_id.column("article_id").to_pylist(), by_id.column("dt").to_pylist(), strict=True):
            _keep_earliest(found.by_id, article_id, published)
        if wanted:
            near = batch.filter(pc.fill_null(pc.is_in(_coarse(batch.column("url")), value_set=coarse), False))
            revises = near.column("revises").to_pylist() if linked else [None] * near.num_rows
            for url, published, article_id, first in zip(near.column("url").to_pylist(), near.column("dt").to_pylist(),
                                                         near.column("article_id").to_pylist(), revises, strict=True):
                key = canonical_url(url)
                if key in wanted:
                    _keep_first_story(found, key, published, first or article_id)
    log.info("read the article index uri=%s rows=%d ids=%d urls=%d matched_ids=%d matched_urls=%d",
             table_uri, rows, len(ids), len(wanted), len(found.by_id), len(found.by_url))
    return found
