"""The search page: a form (a plain GET, no script) and one page of the claims it matches, each
linking to its article view at that claim; previous and next pages keep the search."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from claimflow.models import SOURCE_KINDS, STANCES
from claimflow.ui.article_page import DASH, article_link, document, entity_link
from claimflow.ui.claims import SearchQuery, SearchResult

_SEARCH_CSS = """
form{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:end;margin:1em 0;padding:.8em;background:#f6f8fa;border-radius:6px}
label{display:flex;flex-direction:column;font-size:.85em;color:#59636e}
input,select{font:inherit;padding:.2em .4em}
td.day{white-space:nowrap}td.content{min-width:24em;max-width:40em}td.title{max-width:24em;overflow-wrap:anywhere}
.pager a{margin-right:1em}
"""


def form_values(query: SearchQuery) -> dict[str, str]:
    """The query as the form's fields: what a pager link repeats (empty fields left out)."""
    values = {
        "speaker": query.speaker or "", "entity": query.entity or "", "words": " ".join(query.words),
        "source_kind": query.source_kind or "", "stance": query.stance or "",
        "hedged": "" if query.hedged is None else ("yes" if query.hedged else "no"),
        "from": query.first_day, "to": query.last_day,
    }
    return {key: value for key, value in values.items() if value}


def _select(name: str, label: str, options: tuple[str, ...], chosen: str | None) -> str:
    choices = "".join(
        f'<option value="{escape(o)}"{" selected" if o == chosen else ""}>{escape(o) if o else "any"}</option>' for o in ("", *options)
    )
    return f'<label>{label}<select name="{name}">{choices}</select></label>'


def _form(query: SearchQuery) -> str:
    values = form_values(query)

    def text(name: str, label: str, kind: str = "text") -> str:
        return f'<label>{label}<input type="{kind}" name="{name}" value="{escape(values.get(name, ""))}"></label>'

    hedged = {None: "", True: "yes", False: "no"}[query.hedged]
    return (
        '<form method="get" action="search">'
        + text("speaker", "speaker") + text("entity", "entity id") + text("words", "words in the content")
        + _select("source_kind", "source kind", SOURCE_KINDS, query.source_kind)
        + _select("stance", "stance", STANCES, query.stance)
        + _select("hedged", "hedged", ("yes", "no"), hedged)
        + text("from", "from", "date") + text("to", "to", "date")
        + '<button type="submit">search</button></form>'
    )


def _row(result: SearchResult, index: int) -> str:
    hit = result.hits[index]
    speaker = (entity_link(hit.source_entity_id, hit.day, hit.speaker or hit.source_entity_id, base="")
               if hit.source_entity_id else (escape(hit.speaker) if hit.speaker else DASH))
    article = escape(article_link(hit.article_id, hit.day, base="", claim_id=hit.claim_id))
    stance = escape(hit.stance or "") + (" &middot; hedged" if hit.hedged else "")
    return (
        f"<tr><td class=day>{escape(hit.day)}</td><td>{speaker}</td><td><span class=kind>{escape(hit.source_kind or '')}</span></td>"
        f'<td class="content"><i>{escape(hit.cue_text or "")}</i> {escape(hit.content_text or "")}</td>'
        f"<td>{stance}</td><td class=title><a href=\"{article}\">{escape(hit.title or hit.article_id)}</a></td></tr>"
    )


def _pager(result: SearchResult) -> str:
    values = form_values(result.query)
    links = []
    if result.query.page > 1:
        links.append(f'<a href="search?{escape(urlencode(values | {"page": result.query.page - 1}))}">&lsaquo; previous</a>')
    if result.more:
        links.append(f'<a href="search?{escape(urlencode(values | {"page": result.query.page + 1}))}">next &rsaquo;</a>')
    return f'<p class="pager">{"".join(links)}</p>' if links else ""


def render_search(result: SearchResult) -> str:
    """The search page: the form filled with ``result.query``, then its page of hits."""
    query = result.query
    first = (query.page - 1) * query.page_size
    if result.hits:
        rows = "".join(_row(result, i) for i in range(len(result.hits)))
        table = ("<table><thead><tr><th>day</th><th>speaker</th><th>source</th><th>claim</th><th>stance</th>"
                 f"<th>article</th></tr></thead><tbody>{rows}</tbody></table>")
        summary = f"claims {first + 1:,} to {first + len(result.hits):,}"
    else:
        table, summary = "", "no claim matches"
    body = (
        '<p class="muted"><a href="./">claimflow</a> &rsaquo; search</p><h1>Search claims</h1>'
        f"{_form(query)}"
        f'<p class="muted">{summary} &middot; {result.days:,} published day{"s" if result.days != 1 else ""} '
        f"from {escape(query.first_day)} to {escape(query.last_day)}</p>{table}{_pager(result)}"
    )
    return document("search claims · claimflow", body, css=_SEARCH_CSS)
