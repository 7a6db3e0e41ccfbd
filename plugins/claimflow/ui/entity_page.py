"""The entity view: one entity (with every id merged into it) over a period of published days."""

from __future__ import annotations

import datetime as dt

from claimflow.explore.data import EntityData
from claimflow.explore.html import SERIES, claims_list, column_chart, document, link, number, table, text
from claimflow.ui.links import UP, day_url, entity_url, period_links

PERIODS = (7, 30, 90, 365)  # the periods offered, each ending on the period's last day


def _periods(data: EntityData) -> str:
    end = dt.date.fromisoformat(data.last)
    options = []
    for days in PERIODS:
        first = (end - dt.timedelta(days=days - 1)).isoformat()
        url = entity_url(data.entity_id, first, data.last)
        options.append(f"<b>{days} days</b>" if first == data.first else f'<a href="{text(url)}">{days} days</a>')
    return " &middot; ".join(options)


def render_entity_page(data: EntityData) -> str:
    """The entity page: claims per day, who it is quoted with, what it said and what was said about it."""
    links = period_links(data.first, data.last)
    merged = ""
    if data.merged_ids:
        merged = f" Counts the ids merged into it: {', '.join(f'<code>{text(i)}</code>' for i in data.merged_ids)}."
    if data.entity_id != data.canonical_id:
        merged += (f' The id asked for is merged into '
                   f'{link(entity_url(data.canonical_id, data.first, data.last), data.canonical_id)}.')
    with_rows = [[link(links.entity(r["entity_id"], data.last), r["name"]), text(r["label"]), number(r["articles"]),
                  number(r["claims"])] for r in data.quoted_with]
    sources = [[link(links.entity(r["source_entity_id"], data.last), r["source"]) if r["source_entity_id"]
                else text(r["source"]), text(r["source_kind"]), number(r["claims"]), number(r["articles"])]
               for r in data.about_sources]
    aliases = ", ".join(f"{text(a['form'])} <span class=muted>({number(a['count'])})</span>" for a in data.aliases)
    busiest = max(data.per_day, key=lambda r: r["said"] + r["about"], default=None)
    busiest_link = (f' Busiest day: <a href="{text(day_url(busiest["dt"]))}">{text(busiest["dt"])}</a>.'
                    if busiest and busiest["said"] + busiest["about"] else "")
    body = (
        f'<nav><a href="{UP}">&larr; claimflow lake</a></nav>'
        f"<h1>{text(data.name)} <span class=muted>{text(data.label)}</span></h1>"
        f'<p class="muted">Entity <code>{text(data.canonical_id)}</code>'
        + (f", knowledge base <code>{text(data.kb_id)}</code>" if data.kb_id else "")
        + f".{merged}</p>"
        f"<p>From {text(data.first)} to {text(data.last)} ({len(data.days)} published days): {_periods(data)}</p>"
        f'<div class="figures"><span><b>{number(data.said_total)}</b>claims by it</span>'
        f"<span><b>{number(data.about_total)}</b>claims by others naming it</span></div>"
        "<h2>Claims per day</h2>"
        + (column_chart(data.per_day, SERIES, label="claims by and about the entity per day") if data.per_day
           else '<p class="muted">No published day in this period.</p>')
        + f"<p class=muted>said: claims it is the source of; about: claims whose words name it.{busiest_link}</p>"
        "<h2>Quoted with</h2><p class=muted>Sources quoted in the articles that quote it.</p>"
        + (table(["name", "label", "articles", "claims"], with_rows, numeric=(2, 3)) if with_rows
           else '<p class="muted">Nobody.</p>')
        + f"<h2>What it said</h2>{_shown(len(data.said), data.said_total)}"
        + claims_list(data.said, links, show_source=False)
        + "<h2>What others said about it</h2>"
        + (table(["source", "kind", "claims", "articles"], sources, numeric=(2, 3)) if sources else "")
        + _shown(len(data.about), data.about_total) + claims_list(data.about, links)
        + f"<h2>Aliases</h2><p>{aliases or '<span class=muted>None recorded.</span>'}</p>"
    )
    return document(f"claimflow: {data.name or data.entity_id}", body)


def _shown(shown: int, total: int) -> str:
    return f'<p class="muted">The newest {shown:,} of {total:,}.</p>' if shown < total else ""
