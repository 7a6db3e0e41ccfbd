"""RSS 2.0 and Atom feeds: each item becomes one JSON-like record with text, title, url, date.

An item's text is its full content (``content:encoded``, Atom ``content``) or else its
summary, HTML stripped to plain text.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from typing import Any

from claimflow.ingest.decode import html_to_text

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` starts like an RSS or Atom document (checked before parsing)."""
    head = data[:512].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head) or head.startswith((b"<rss", b"<feed"))


def _iso(value: str | None) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date as an ISO string; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return email.utils.parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        pass
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _text(node: ET.Element | None) -> str | None:
    return None if node is None or node.text is None else node.text.strip()


def _body(*nodes: ET.Element | None) -> dict[str, str]:
    """``{"text": ...}`` from the first node with content, as plain text; empty when none has."""
    html = next((t for t in map(_text, nodes) if t), None)
    text = html_to_text(html).strip() if html else ""
    return {"text": text} if text else {}


def parse_feed(data: bytes) -> list[dict[str, Any]]:
    """The items of an RSS or Atom feed as records (``id``, ``title``, ``url``, ``published``,
    ``text``); raises ValueError naming what was expected when it is neither."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"expected an RSS or Atom feed, got XML that does not parse: {exc}") from exc
    if root.tag == "rss":
        return [_rss_item(item) for item in root.iter("item")]
    if root.tag == f"{ATOM}feed":
        return [_atom_entry(entry) for entry in root.iter(f"{ATOM}entry")]
    raise ValueError(f"expected an <rss> or Atom <feed> root element, got <{root.tag}>")


def _rss_item(item: ET.Element) -> dict[str, Any]:
    return {
        "id": _text(item.find("guid")) or _text(item.find("link")),
        "title": _text(item.find("title")),
        "url": _text(item.find("link")),
        "published": _iso(_text(item.find("pubDate")) or _text(item.find(DC_DATE))),
        **_body(item.find(CONTENT), item.find("description")),
    }


def _atom_entry(entry: ET.Element) -> dict[str, Any]:
    links = entry.findall(f"{ATOM}link")
    link = next((l for l in links if l.get("rel", "alternate") == "alternate"), links[0] if links else None)
    return {
        "id": _text(entry.find(f"{ATOM}id")),
        "title": _text(entry.find(f"{ATOM}title")),
        "url": link.get("href") if link is not None else None,
        "published": _iso(_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))),
        **_body(entry.find(f"{ATOM}content"), entry.find(f"{ATOM}summary")),
    }
