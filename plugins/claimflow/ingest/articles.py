"""Turning raw records into clean, de-duplicated articles, or into reasons they were refused."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from claimflow.exceptions import RejectedInput
from claimflow.ingest.decode import decode_text, detect_language, normalize_text
from claimflow.ingest.sources import RawRecord, RejectedRecord, rejected
from claimflow.models import Article

OPTIONAL_FIELDS = ("title", "url", "published")


def article_id(text: str) -> str:
    """Content-addressed id: the same text always gets the same id, on every rerun."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _field(record: RawRecord, key: str) -> str | None:
    value: Any = record.fields.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RejectedInput("bad_record", f"{record.name}: field {key!r} must be a string, got {type(value).__name__}")


def to_article(record: RawRecord, *, normalize: bool = True) -> Article:
    """The article a raw record holds; raises RejectedInput with the reason when it holds none.

    ``normalize=False`` keeps a text file's content exactly as read, so that offsets can be
    checked against the file (what ``claimflow extract`` promises).
    """
    if record.payload is not None:
        raw_text = decode_text(record.payload, name=record.name)
        meta: dict[str, Any] = {}
        title = url = published = None
    else:
        if "text" not in record.fields:
            raise RejectedInput("bad_record", f"{record.name}: missing required field 'text'")
        text_value = record.fields["text"]
        if not isinstance(text_value, str):
            raise RejectedInput("bad_record", f"{record.name}: field 'text' must be a string, got {type(text_value).__name__}")
        raw_text = decode_text(text_value.encode("utf-8"), name=record.name)
        title, url, published = (_field(record, key) for key in OPTIONAL_FIELDS)
        external_id = record.fields.get("id")
        meta = {"external_id": str(external_id)} if external_id is not None else {}
    text = normalize_text(raw_text) if normalize else raw_text
    if not text.strip():
        raise RejectedInput("blank", f"{record.name}: no text left after normalization")
    return Article(
        article_id=article_id(text),
        text=text,
        path=record.name,
        title=title,
        url=url,
        published=published,
        language=detect_language(text),
        meta=meta,
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
