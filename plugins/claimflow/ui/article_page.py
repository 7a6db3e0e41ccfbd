"""The article view: the text with each claim's source, cue and content highlighted the way
displaCy shows spans, the claim list beside it, and the article's metadata.

No script (the CSP forbids any): a claim in the list links to ``#claim-ID``, an empty anchor at
the top of the page, and one ``:target`` rule per claim highlights that claim's three parts in
the text and its row in the list. Spans of different claims overlap and nest (a content holding
another claim's source), so the text is cut into non-overlapping segments, each carrying the
classes of every span covering it. Everything from the lake is escaped; a URL becomes a link only
when it is http(s). Links are relative to the page (``../entity/...``), as in ``page.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from claimflow.models import stable_id
from claimflow.ui.claims import ARTICLE_ID, Article, ArticleClaim

ROLES = ("source", "cue", "content")
ENTITY_DAYS = 30  # an entity link shows the 30 days up to the article's day
DASH = "&ndash;"

BASE_CSS = """
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em 2em;color:#1f2328;background:#fff}
h1{font-size:1.35em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.2em 0 .5em}
.muted{color:#59636e}a{color:#0969da}
table{border-collapse:collapse}td,th{border-bottom:1px solid #d1d9e0;padding:.3em .7em;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
.kind{display:inline-block;padding:0 .4em;border-radius:3px;background:#eff2f5;font-size:.85em}
"""

_ARTICLE_CSS = """
.layout{display:flex;gap:2em;align-items:flex-start}
.doc{flex:3;white-space:pre-wrap;line-height:2;max-width:48em;min-width:0;overflow-wrap:anywhere}
aside{flex:2;min-width:18em;overflow-wrap:anywhere}
.meta th{width:7em}
.m{border-radius:3px;padding:.15em 0}
.r-content{background:#dafbe1}.r-source{background:#ddf4ff}.r-cue{background:#ffe2bf}
.r-content.r-source,.r-content.r-cue{box-shadow:inset 0 -3px #4ac26b}
.legend span{display:inline-block;margin-right:1em;padding:0 .4em;border-radius:3px}
ol.claims{padding-left:1.6em}ol.claims li{margin:0 0 .8em;padding:.2em .4em;border-radius:4px}
.anchor{position:absolute;top:0}
"""
# a targeted claim: its parts darker and outlined, its row in the list marked
_TARGET = ("#{a}:target~.layout .{k}-source{{background:#80ccff;outline:2px solid #0969da}}"
           "#{a}:target~.layout .{k}-cue{{background:#ffb77c;outline:2px solid #bc4c00}}"
           "#{a}:target~.layout .{k}-content{{background:#8ddb8c;outline:2px solid #1a7f37}}"
           "#{a}:target~.layout .item-{k}{{background:#fff8c5}}")


def anchor(claim_id: str) -> str:
    """The fragment of a claim in its article view (``claim-<id>``), safe in HTML and CSS for any id."""
    return "claim-" + (claim_id if ARTICLE_ID.fullmatch(claim_id) else stable_id(claim_id))


def http_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL (a link may point there), else None (shown as text)."""
    if value and value.strip().lower().startswith(("http://", "https://")) and value == value.strip():
        return value
    return None


def entity_link(entity_id: str, day: str, label: str, *, base: str) -> str:
    """A link to the entity view over the :data:`ENTITY_DAYS` days up to ``day``."""
    first = (dt.date.fromisoformat(day) - dt.timedelta(days=ENTITY_DAYS - 1)).isoformat()
    href = f"{base}entity/{quote(entity_id, safe='')}?{urlencode({'from': first, 'to': day})}"
    return f'<a href="{escape(href)}">{escape(label)}</a>'


def article_link(article_id: str, day: str, *, base: str, claim_id: str | None = None) -> str:
    """The page-relative URL of an article view (at one claim, when given)."""
    fragment = f"#{anchor(claim_id)}" if claim_id else ""
    return f"{base}article/{quote(article_id, safe='')}?{urlencode({'day': day})}{fragment}"


def document(title: str, body: str, *, css: str = "") -> str:
    """A whole page: no script, no external asset (the CSP allows inline style and data images only)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{BASE_CSS}{css}</style></head><body>{body}</body></html>"
    )


@dataclass(frozen=True)
class Segment:
    """A piece of the text no span starts or ends inside: the (claim index, role) of every span over it."""

    start: int
    end: int
    marks: tuple[tuple[int, str], ...]


def segments(length: int, claims: Sequence[ArticleClaim]) -> list[Segment]:
    """The text ``[0, length)`` cut at every span's start and end; a span outside the text, or
    empty, marks nothing (offsets come from the lake: they are checked, not trusted)."""
    spans = []
    for index, claim in enumerate(claims):
        parts = [("source", claim.source), ("cue", claim.cue), *(("content", span) for span in claim.content)]
        spans += [(s.start, s.end, index, role) for role, s in parts if s is not None and 0 <= s.start < s.end <= length]
    starts: dict[int, list[tuple[int, str]]] = {}
    ends: dict[int, list[tuple[int, str]]] = {}
    for start, end, index, role in spans:
        starts.setdefault(start, []).append((index, role))
        ends.setdefault(end, []).append((index, role))
    bounds = sorted({0, length, *starts, *ends})
    active: Counter[tuple[int, str]] = Counter()
    found = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        active.subtract(ends.get(left, []))
        active.update(starts.get(left, []))
        found.append(Segment(left, right, tuple(sorted(mark for mark, n in active.items() if n > 0))))
    return found


def highlighted(text: str, claims: Sequence[ArticleClaim]) -> str:
    """The text as HTML, each segment under spans in a ``<span>`` with their roles and claims."""
    out = []
    for segment in segments(len(text), claims):
        piece = escape(text[segment.start : segment.end])
        if not segment.marks:
            out.append(piece)
            continue
        roles = sorted({role for _, role in segment.marks}, key=ROLES.index)
        classes = ["m", *(f"r-{role}" for role in roles), *sorted({f"k{i}" for i, _ in segment.marks}),
                   *(f"k{i}-{role}" for i, role in segment.marks)]
        title = "; ".join(f"claim {i + 1}: {role}" for i, role in segment.marks)
        out.append(f'<span class="{" ".join(classes)}" title="{escape(title)}">{piece}</span>')
    return "".join(out)


def _cell(value: str | None) -> str:
    return escape(value) if value else DASH


def _metadata(article: Article) -> str:
    url = http_url(article.url)
    rows = [
        ("site", _cell(article.site)),
        ("authors", _cell(", ".join(article.authors))),
        ("published", _cell(article.published)),
        ("URL", f'<a href="{escape(url)}" rel="noreferrer noopener">{escape(url)}</a>' if url else _cell(article.url)),
        ("input", _cell(article.path)),  # a WARC record's is the archive's URI and the record's number
        ("external id", _cell(article.external_id)),
        ("language", _cell(article.language)),
        ("revises", _cell(article.revises)),
        ("day", f'<a href="../day/{escape(quote(article.day))}">{escape(article.day)}</a>'),
        ("run", _cell(article.run_id)),
        ("article id", f"<code>{escape(article.article_id)}</code>"),
    ]
    return '<table class="meta">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _claim_item(index: int, claim: ArticleClaim, day: str) -> str:
    who = claim.speaker or (claim.source.text if claim.source else None)
    speaker = (entity_link(claim.source_entity_id, day, who or claim.source_entity_id, base="../")
               if claim.source_entity_id else _cell(who))
    details = [claim.quote_type, claim.stance, *(f"hedged: {h}" for h in claim.hedges)]
    content = " &hellip; ".join(escape(span.text) for span in claim.content) or DASH
    return (
        f'<li class="item-k{index}"><a href="#{anchor(claim.claim_id)}">claim {index + 1}</a> '
        f'<span class="kind">{_cell(claim.source_kind)}</span> <b>{speaker}</b> '
        f"<i>{_cell(claim.cue.text)}</i>: &ldquo;{content}&rdquo;"
        f'<br><span class="muted">{" &middot; ".join(escape(d) for d in details if d)}'
        + (f" &middot; confidence {claim.confidence:.2f}" if claim.confidence is not None else "")
        + "</span></li>"
    )


def render_article(article: Article, claims: Sequence[ArticleClaim]) -> str:
    """The article view of ``article`` and its ``claims`` (reading order)."""
    anchors = "".join(f'<a class="anchor" id="{anchor(c.claim_id)}"></a>' for c in claims)
    targets = "".join(_TARGET.format(a=anchor(c.claim_id), k=f"k{i}") for i, c in enumerate(claims))
    items = "".join(_claim_item(i, c, article.day) for i, c in enumerate(claims))
    claim_list = f'<ol class="claims">{items}</ol>' if claims else '<p class="muted">No claim was found in this article.</p>'
    legend = ('<p class="legend"><span class="r-source">source</span><span class="r-cue">cue</span>'
              '<span class="r-content">content</span> <span class="muted">a claim in the list highlights its three parts</span></p>')
    body = (
        f"{anchors}"
        f'<p class="muted"><a href="../">claimflow</a> &rsaquo; <a href="../day/{escape(quote(article.day))}">'
        f'{escape(article.day)}</a> &rsaquo; article &middot; <a href="../search">search claims</a></p>'
        f"<h1>{escape(article.title or article.article_id)}</h1>{legend}"
        f'<div class="layout"><div class="doc">{highlighted(article.text, claims)}</div>'
        f"<aside><h2>{len(claims):,} claim{'s' if len(claims) != 1 else ''}</h2>{claim_list}"
        f"<h2>Article</h2>{_metadata(article)}</aside></div>"
    )
    return document(f"{article.title or article.article_id} · claimflow", body, css=_ARTICLE_CSS + targets)
