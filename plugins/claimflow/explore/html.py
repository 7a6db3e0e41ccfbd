"""The explorer's HTML: the day's sections, shared by the UI's day page and the day report, and
the pieces (charts, tables, claims) the entity page is built from.

No script and no external asset, ever: charts are inline SVG, styles inline, so the same HTML
renders in Airflow's sandboxed frame under a strict CSP and from a file mailed to someone. Every
value that comes from the lake goes through :func:`text` (or :func:`link`, whose URL is built
from quoted parts), names and article text included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from claimflow.explore.data import STANCES_SHOWN, DayData

ENTITY_DAYS = 30  # the period an entity link from a day opens: the 30 days up to that day
BAR_WIDTH, BAR_ROW, BAR_LABEL = 520, 22, 120
COLUMNS_WIDTH, COLUMNS_HEIGHT, COLUMNS_PAD = 640, 180, 28
SERIES = {"said": "#0969da", "about": "#bc4c00"}  # the entity chart's two series
KIND_COLOUR = "#8250df"
DASH = "&ndash;"

CSS = """
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em 2em;color:#1f2328;background:#fff;max-width:72em}
h1{font-size:1.35em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.8em 0 .5em}h3{font-size:1em;margin:1.2em 0 .4em}
.muted{color:#59636e}nav{margin-bottom:1em}nav a{margin-right:1em}
table{border-collapse:collapse;margin:.3em 0 1em}
td,th{border-bottom:1px solid #d1d9e0;padding:.3em .7em;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:#0969da}
.figures span{display:inline-block;margin-right:2em}.figures b{font-size:1.3em;display:block}
.tag{display:inline-block;border-radius:1em;padding:0 .6em;font-size:.85em;background:#eaeef2;margin-right:.3em}
.tag.denial{background:#ffebe9;color:#82071e}.tag.doubtful{background:#fff8c5;color:#7d4e00}
.tag.hedged{background:#ddf4ff;color:#0550ae}
blockquote{margin:.2em 0;padding-left:.8em;border-left:3px solid #d1d9e0}
.claim{margin:.6em 0 .9em}.legend span{display:inline-block;margin-right:1.2em}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
svg{max-width:100%;height:auto;display:block;margin:.3em 0 1em}
svg text{font:11px system-ui,sans-serif;fill:#59636e}
.cols{display:flex;flex-wrap:wrap;gap:0 3em}
"""


@dataclass(frozen=True)
class Links:
    """Where a name or an article links to; a None function leaves it plain text (the day report,
    read away from the app, links nowhere)."""

    entity: Callable[[str, str], str] | None = None  # (entity_id, day) -> URL
    article: Callable[[str, str], str] | None = None  # (article_id, day) -> URL


NO_LINKS = Links()


def text(value: Any) -> str:
    """Any value from the lake as HTML text; None as a dash."""
    return DASH if value is None else escape(str(value))


def number(value: int | float | None, *, percent: bool = False) -> str:
    if value is None:
        return DASH
    if percent:
        return f"{value:.0%}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def link(url: str | None, label: Any) -> str:
    """``label`` as text, linked to ``url`` when there is one (``url`` is escaped too)."""
    return f'<a href="{escape(url)}">{text(label)}</a>' if url else text(label)


def period_before(day: str, days: int = ENTITY_DAYS) -> str:
    """The first day of the ``days`` days ending on ``day``."""
    return (dt.date.fromisoformat(day) - dt.timedelta(days=days - 1)).isoformat()


def document(title: str, body: str) -> str:
    """A whole HTML page: ``title`` (escaped here) and ``body`` (already HTML), with the CSS inline."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{text(title)}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = ()) -> str:
    """A table of cells already made HTML; columns in ``numeric`` right-aligned."""
    def cell(tag: str, i: int, html: str) -> str:
        return f'<{tag} class="num">{html}</{tag}>' if i in numeric else f"<{tag}>{html}</{tag}>"

    head = "".join(cell("th", i, escape(h)) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(items: Sequence[tuple[str, int]], *, label: str, colour: str = KIND_COLOUR) -> str:
    """Horizontal bars, one per (name, value), the value written after the bar."""
    top = max([1] + [value for _, value in items])
    height = BAR_ROW * len(items) + 4
    span = BAR_WIDTH - BAR_LABEL - 60
    parts = []
    for i, (name, value) in enumerate(items):
        y = i * BAR_ROW + 2
        width = span * value / top
        parts.append(
            f'<text x="{BAR_LABEL - 6}" y="{y + 14}" text-anchor="end">{text(name)}</text>'
            f'<rect x="{BAR_LABEL}" y="{y + 3}" width="{width:.1f}" height="{BAR_ROW - 6}" fill="{colour}">'
            f"<title>{text(name)}: {value:,}</title></rect>"
            f'<text x="{BAR_LABEL + width + 6:.1f}" y="{y + 14}">{value:,}</text>'
        )
    return (f'<svg viewBox="0 0 {BAR_WIDTH} {height}" width="{BAR_WIDTH}" height="{height}" role="img" '
            f'aria-label="{escape(label)}">{"".join(parts)}</svg>')


def column_chart(days: Sequence[dict[str, Any]], series: dict[str, str], *, label: str) -> str:
    """Columns per day, the ``series`` (key -> colour) of each day side by side, with a legend."""
    top = max([1] + [row[key] for row in days for key in series])
    plot_w, plot_h = COLUMNS_WIDTH - 2 * COLUMNS_PAD, COLUMNS_HEIGHT - 2 * COLUMNS_PAD
    slot = plot_w / max(1, len(days))
    bar = max(0.5, slot * 0.8 / len(series))
    parts = [f'<line x1="{COLUMNS_PAD}" x2="{COLUMNS_WIDTH - COLUMNS_PAD}" y1="{COLUMNS_PAD + plot_h}" '
             f'y2="{COLUMNS_PAD + plot_h}" stroke="#d1d9e0"/>',
             f'<text x="{COLUMNS_PAD - 4}" y="{COLUMNS_PAD + 4}" text-anchor="end">{top:,}</text>',
             f'<text x="{COLUMNS_PAD - 4}" y="{COLUMNS_PAD + plot_h}" text-anchor="end">0</text>']
    every = max(1, -(-len(days) // 8))
    for i, row in enumerate(days):
        x = COLUMNS_PAD + i * slot + slot * 0.1
        for j, (key, colour) in enumerate(series.items()):
            h = plot_h * row[key] / top
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{COLUMNS_PAD + plot_h - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{text(row["dt"])}: {row[key]:,} {key}</title></rect>')
        if i % every == 0 or i == len(days) - 1:
            parts.append(f'<text x="{x + slot * 0.4:.1f}" y="{COLUMNS_HEIGHT - 8}" text-anchor="middle">'
                         f'{text(str(row["dt"])[5:])}</text>')
    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i>{escape(k)}</span>' for k, c in series.items())
    return (f'<div class="legend">{legend}</div><svg viewBox="0 0 {COLUMNS_WIDTH} {COLUMNS_HEIGHT}" '
            f'width="{COLUMNS_WIDTH}" height="{COLUMNS_HEIGHT}" role="img" aria-label="{escape(label)}">'
            f'{"".join(parts)}</svg>')


def entity_url(links: Links, entity_id: str | None, day: str) -> str | None:
    return links.entity(entity_id, day) if links.entity and entity_id else None


def article_url(links: Links, article_id: str | None, day: str) -> str | None:
    return links.article(article_id, day) if links.article and article_id else None


def claims_list(claims: Sequence[dict[str, Any]], links: Links, *, show_source: bool = True) -> str:
    """Claims as short quotes: tags (stance, hedges), source (linked), the words, the article (linked)."""
    if not claims:
        return '<p class="muted">None.</p>'
    items = []
    for claim in claims:
        stance = claim.get("stance")
        tags = f'<span class="tag {stance}">{stance}</span>' if stance in STANCES_SHOWN else ""
        tags += "".join(f'<span class="tag hedged">{text(h)}</span>' for h in claim.get("hedges") or [])
        source = link(entity_url(links, claim.get("source_id"), claim["dt"]),
                      claim.get("source") or claim.get("source_text")) if show_source else ""
        kind = f' <span class="muted">({text(claim.get("source_kind"))})</span>' if show_source else ""
        article = link(article_url(links, claim["article_id"], claim["dt"]), claim.get("title") or claim["article_id"])
        items.append(
            f'<div class="claim">{tags}{source}{kind} {text(claim.get("cue_text"))}:'
            f"<blockquote>{text(claim.get('content_text'))}</blockquote>"
            f'<span class="muted">{text(claim["dt"])} &middot; {article}</span></div>'
        )
    return "".join(items)


def _quoted(rows: Sequence[dict[str, Any]], label: str, links: Links, day: str) -> str:
    picked = [r for r in rows if r["label"] == label]
    if not picked:
        return '<p class="muted">None quoted.</p>'
    return table(
        ["name", "quoted", "claims by or about", "anonymous"],
        [[link(entity_url(links, r["entity_id"], day), r["name"]), number(r["quoted"]), number(r["claims"]),
          number(r["anonymous_share"], percent=True)] for r in picked],
        numeric=(1, 2, 3),
    )


def day_sections(data: DayData, links: Links) -> str:
    """The day view's content, everything but the page's title and navigation."""
    day = data.day
    kinds = [(row["source_kind"] or "null", row["claims"]) for row in data.source_kinds]
    stance_figures = "".join(f"<span><b>{number(data.stance_counts[name])}</b>{escape(name)}</span>"
                             for name in ("doubtful", "denial", "hedged"))
    mentioned = table(
        ["name", "label", "articles", "mentions"],
        [[link(entity_url(links, r["entity_id"], day), r["name"]), text(r["label"]), number(r["articles"]),
          number(r["mentions"])] for r in data.mentioned],
        numeric=(2, 3),
    ) if data.mentioned else '<p class="muted">No entity.</p>'
    articles = table(
        ["article", "site", "published", "claims", "anonymous"],
        [[link(article_url(links, r["article_id"], day), r["title"] or r["article_id"]), text(r["site"]),
          text(r["published"]), number(r["claims"]), number(r["anonymous"])] for r in data.article_rows],
        numeric=(3, 4),
    ) if data.article_rows else '<p class="muted">No article.</p>'
    shown = len(data.flagged)
    flagged_total = sum(data.stance_counts.values())
    more = (f'<p class="muted">The first {shown} of them; a claim can be both hedged and doubtful or a denial.</p>'
            if shown < flagged_total else "")
    return (
        '<div class="figures">'
        f"<span><b>{number(data.articles)}</b>articles</span><span><b>{number(data.claims)}</b>claims</span>"
        f"<span><b>{number(data.anonymous_share, percent=True)}</b>on anonymous sources</span></div>"
        '<h2>Most quoted</h2><div class="cols">'
        f"<div><h3>People</h3>{_quoted(data.quoted, 'PERSON', links, day)}</div>"
        f"<div><h3>Organisations</h3>{_quoted(data.quoted, 'ORG', links, day)}</div></div>"
        '<p class="muted">Quoted: claims whose source is the entity; claims by or about: those too, and the '
        "claims whose words name it. Each story counts once, at its latest revision.</p>"
        "<h2>Who the claims rest on</h2>"
        + (bar_chart(kinds, label="claims by kind of source") if kinds else '<p class="muted">No claim.</p>')
        + f'<p>Anonymous sources: <b>{number(data.anonymous_share, percent=True)}</b> of the claims '
        '<span class="muted">(unnamed people; documents, groups and sources named elsewhere in the article '
        "are not counted)</span></p>"
        f'<h2>Doubt, denial and hedging</h2><div class="figures">{stance_figures}</div>'
        + claims_list(data.flagged, links) + more
        + f"<h2>Most mentioned</h2>{mentioned}"
        + f"<h2>Articles</h2>{articles}"
    )


def day_report(data: DayData, *, generated: str) -> str:
    """The self-contained day report: the day view's content as one HTML file, linking nowhere."""
    body = (
        f"<h1>Who said what on {text(data.day)}</h1>"
        f'<p class="muted">claimflow day report of run {text(data.run_id)}, made {text(generated)}. '
        "Names are as the entity registry knows them (ids merged into one count as one).</p>"
        + day_sections(data, NO_LINKS)
    )
    return document(f"claimflow: {data.day}", body)
