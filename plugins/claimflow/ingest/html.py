"""One HTML page to its main text and what the page says about itself (title, authors, date...).

trafilatura separates the article from menus, related headlines, comment threads and footers
and reads the page's metadata (``<meta>``, JSON-LD, htmldate). Where it finds no main text, the
page's visible text (lxml, linear time on any markup) stands in, so a readable page is never
lost to the extractor. The page is parsed once; both use the same tree.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from claimflow.exceptions import RejectedInput
from claimflow.ingest.decode import DEFAULT_MAX_BYTES, decode_bytes, parse_html, visible_text
from claimflow.redact import redact_url

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})  # the media types of a page served as HTML
# measured on ../shared/data/webpages/ with bench/bench_html.py --variants (see the README): comment
# threads are left out (claims from them are noise); precision or recall modes scored lower
EXTRACTION_OPTIONS: Mapping[str, bool] = MappingProxyType(
    {"include_comments": False, "include_tables": True, "favor_precision": False, "favor_recall": False}
)
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)
_PUBLISHED_META = (
    ".//meta[@property='article:published_time']",
    ".//meta[@name='article:published_time']",
    ".//meta[@itemprop='datePublished']",
    ".//meta[@property='og:published_time']",
)
_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')
EARLIEST_YEAR = 1995  # as htmldate: older dates on news pages are mistakes


@dataclass(frozen=True)
class Page:
    """The main text of one HTML page and its metadata, each None where the page gives none."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601: a UTC datetime when the page gives a zone, else a date
    url: str | None = None  # the canonical address when the page names one, else where it came from
    site: str | None = None
    description: str | None = None
    language: str | None = None  # ISO 639 code from <html lang>, None when the page does not say
    extractor: str = "trafilatura"  # or "visible_text" when trafilatura found no main text


def _language(root: etree._Element) -> str | None:
    """The primary subtag of ``<html lang>`` (or ``Content-Language``), lowercased."""
    declared = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        meta = root.find(".//meta[@http-equiv='content-language']")
        declared = meta.get("content") if meta is not None else None
    match = _LANG.match((declared or "").strip().split(",")[0])
    return match[1].lower() if match else None


def _utc(value: str) -> str | None:
    """An ISO 8601 timestamp with a zone as UTC (``...Z``); None without a zone or out of range."""
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    if stamp.tzinfo is None or stamp.year < EARLIEST_YEAR or stamp > now + dt.timedelta(days=1):
        return None
    return stamp.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _published_time(root: etree._Element) -> str | None:
    """The page's own publication timestamp in UTC, when a ``<meta>`` or its JSON-LD gives one
    with a zone (JSON-LD is searched, not parsed: a hostile page may nest it 100,000 deep)."""
    for selector in _PUBLISHED_META:
        meta = root.find(selector)
        if meta is not None and (stamp := _utc(meta.get("content") or "")):
            return stamp
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        for value in _JSON_LD_PUBLISHED.findall(script.text or ""):
            if stamp := _utc(value):
                return stamp
    return None


def _web_address(url: str | None) -> str | None:
    """An http(s) address (the canonical link, or where the page came from), redacted: a page
    may echo the request's ``?token=`` in its ``<link rel="canonical">``."""
    return redact_url(url) if url and url.lower().startswith(("http://", "https://")) else None


def _authors(value: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with ``; ``."""
    return tuple(name.strip() for name in (value or "").split(";") if name.strip())


def _trafilatura(root: etree._Element, url: str | None, name: str, options: Mapping[str, bool]):
    """trafilatura's document of the page (only its metadata when it finds no main text), or None;
    its failures on hostile markup cost the main-text selection, never the page."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    try:
        document = trafilatura.bare_extraction(root, url=url, with_metadata=True, **options)
        return document if document is not None else extract_metadata(copy.deepcopy(root), url)
    except Exception as exc:  # noqa: BLE001 - a third-party bug on one page must not refuse the page
        log.warning("trafilatura failed page=%s error=%s", name, type(exc).__name__)
        return None


def parse_page(html: str, *, name: str, url: str | None = None, options: Mapping[str, bool] = EXTRACTION_OPTIONS) -> Page:
    """The main text and metadata of a decoded page; ``url`` is where it came from, ``options``
    trafilatura's extraction options.

    Raises:
        RejectedInput: ``no_text`` when the page shows no text at all.
    """
    root = parse_html(html, name=name)
    if root is None:
        raise RejectedInput("no_text", f"{name}: HTML without a document")
    document = _trafilatura(root, url, name, options)
    text, extractor = ((document and document.text) or "").strip(), "trafilatura"
    if not text:
        text, extractor = visible_text(root), "visible_text"
    if not text:
        raise RejectedInput("no_text", f"{name}: HTML without visible text")
    return Page(
        text=text,
        title=(document and document.title) or None,
        authors=_authors(document and document.author),
        published=_published_time(root) or (document and document.date) or None,
        url=_web_address(document and document.url) or _web_address(url),
        site=(document and document.sitename) or None,
        description=(document and document.description) or None,
        language=_language(root),
        extractor=extractor,
    )


def extract_page(
    raw: bytes,
    *,
    name: str,
    url: str | None = None,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: Mapping[str, bool] = EXTRACTION_OPTIONS,
) -> Page:
    """The main text and metadata of a page's original bytes, decoded as a browser would
    (``content_type`` is the HTTP header the page came with)."""
    html = decode_bytes(raw, name=name, content_type=content_type, html=True, max_bytes=max_bytes)
    return parse_page(html, name=name, url=url, options=options)
