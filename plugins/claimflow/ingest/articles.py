"""Turning raw records into clean, de-duplicated articles, or into reasons they were refused.

An HTML page (a ``.html``/``.htm``/``.xhtml`` file, or a web page or archived response served
as HTML) gives its main text and metadata through :mod:`claimflow.ingest.html` and keeps its
original bytes for the raw archive; a text file is decoded as text; a JSON record or feed item
gives its fields. What a record's fields say wins over what its page says, except the address:
a page's canonical URL is where the story lives.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from claimflow.exceptions import RejectedInput
from claimflow.ingest.decode import decode_text, detect_language, looks_like_html, normalize_text
from claimflow.ingest.html import HTML_TYPES, Page, extract_page
from claimflow.ingest.records import RawRecord, RejectedRecord, rejected
from claimflow.models import MAX_ARTICLE_CHARS, Article, stable_id
from claimflow.redact import redact_url

OPTIONAL_FIELDS = ("title", "url", "published", "site", "description")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def article_id(text: str) -> str:
    """Content-addressed id: the same text always gets the same id, on every rerun."""
    return stable_id(text)


def _field(record: RawRecord, key: str) -> str | None:
    value: Any = record.fields.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RejectedInput("bad_record", f"{record.name}: field {key!r} must be a string, got {type(value).__name__}")


def _external_id(record: RawRecord) -> str | None:
    value: Any = record.fields.get("id")
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise RejectedInput("bad_record", f"{record.name}: field 'id' must be a string or integer, got {type(value).__name__}")


def _address(value: str | None, *, always: bool = False) -> str | None:
    """An address the article keeps (its URL; its id when that is a web address), redacted:
    whatever named it (a canonical link, a JSON record, a feed), a secret in it never reaches the lake."""
    web = value is not None and value.lower().startswith(("http://", "https://", "//"))
    return redact_url(value) if value and (always or web) else value


def _authors(record: RawRecord) -> tuple[str, ...]:
    """A record's ``authors`` (list of names) or ``author`` (one name)."""
    value: Any = record.fields.get("authors", record.fields.get("author"))
    names = [value] if isinstance(value, str) else value
    if names is None:
        return ()
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise RejectedInput("bad_record", f"{record.name}: field 'authors' must be a list of names, got {type(value).__name__}")
    return tuple(name.strip() for name in names if name.strip())


def is_html(record: RawRecord) -> bool:
    """Whether a record's payload is an HTML page: by its name, its Content-Type, or (for a web
    address with no type) its first bytes."""
    if record.payload is None:
        return False
    name = record.name.lower().removesuffix(".gz")
    if name.endswith(HTML_SUFFIXES):
        return True
    if record.content_type:
        return record.content_type.split(";")[0].strip().lower() in HTML_TYPES
    return record.url is not None and looks_like_html(record.payload[:65536].decode("latin-1"))


def check_size(text: str, name: str) -> None:
    """The one limit on an article's text (what spaCy takes, what the quality suite checks)."""
    if len(text) > MAX_ARTICLE_CHARS:
        raise RejectedInput("too_large", f"{name}: {len(text):,} characters of text, limit {MAX_ARTICLE_CHARS:,}")


def to_article(record: RawRecord, *, normalize: bool = True) -> Article:
    """The article a raw record holds; raises RejectedInput with the reason when it holds none.

    ``normalize=False`` keeps a text file's content exactly as read, so that offsets can be
    checked against the file (what ``claimflow extract`` promises).
    """
    page: Page | None = None
    if is_html(record):
        page = extract_page(record.payload, name=record.name, url=record.url, content_type=record.content_type)
        raw_text = page.text
    elif record.payload is not None:
        raw_text = decode_text(record.payload, name=record.name)
    else:
        if "text" not in record.fields:
            raise RejectedInput("bad_record", f"{record.name}: missing required field 'text'")
        text_value = record.fields["text"]
        if not isinstance(text_value, str):
            raise RejectedInput("bad_record", f"{record.name}: field 'text' must be a string, got {type(text_value).__name__}")
        raw_text = decode_text(text_value.encode("utf-8"), name=record.name)
    given = {key: _field(record, key) for key in OPTIONAL_FIELDS}
    text = normalize_text(raw_text) if normalize else raw_text
    if not text.strip():
        raise RejectedInput("blank", f"{record.name}: no text left after normalization")
    check_size(text, record.name)
    return Article(
        article_id=article_id(text),
        text=text,
        path=_address(record.name),
        title=given["title"] or (page and page.title),
        url=_address((page and page.url) or given["url"] or record.url, always=True),
        published=given["published"] or (page and page.published),
        language=(page and page.language) or detect_language(text),
        authors=_authors(record) or (page.authors if page else ()),
        site=given["site"] or (page and page.site),
        description=given["description"] or (page and page.description),
        external_id=_address(_external_id(record)),
        original_gzip=gzip.compress(record.payload, mtime=0) if page else None,
        content_type=record.content_type if page else None,
    )


def build_articles(
    records: Iterable[RawRecord | RejectedRecord], *, normalize: bool = True
) -> Iterator[Article | RejectedRecord]:
    """Articles from raw records, refusing each bad one and every repeat of an earlier text."""
    seen: dict[str, str] = {}
    for record in records:
        if isinstance(record, RejectedRecord):
            yield record
            continue
        try:
            article = to_article(record, normalize=normalize)
        except RejectedInput as exc:
            yield RejectedRecord(record.name, exc.reason, exc.detail)
            continue
        except Exception as exc:  # noqa: BLE001 - a parser failing on one hostile input must not fail the day
            yield rejected(record.name, exc)
            continue
        first = seen.setdefault(article.article_id, record.name)
        if first != record.name:
            yield RejectedRecord(record.name, "duplicate", f"same text as {first} (article {article.article_id})")
            continue
        yield article


def given_records(items: Iterable[Article | Mapping[str, Any]], origin: str) -> Iterator[RawRecord | RejectedRecord]:
    """Articles a caller hands in (another task's own ingest) as raw records, so they are
    normalized, checked and de-duplicated like any source's: an :class:`Article` by its fields,
    a mapping as a JSON record (``text`` required; ``title``, ``url``, ``published``, ``site``,
    ``description``, ``id``, ``authors`` optional); anything else is refused as ``bad_record``.
    Each is named ``<origin>#<n>`` (1-based) unless an Article names its own ``path``."""
    for number, item in enumerate(items, start=1):
        name = f"{origin}#{number}"
        if isinstance(item, Article):
            fields = {key: getattr(item, key) for key in OPTIONAL_FIELDS}
            yield RawRecord(name=item.path or name,
                            fields={**fields, "text": item.text, "id": item.external_id, "authors": list(item.authors)})
        elif isinstance(item, Mapping):
            yield RawRecord(name=name, fields=dict(item))
        else:
            yield RejectedRecord(name, "bad_record", f"expected an Article or a mapping, got {type(item).__name__}")
