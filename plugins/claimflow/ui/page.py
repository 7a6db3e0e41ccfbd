"""The claimflow page: one self-contained HTML document rendered on the server.

No scripts and no external assets: Airflow shows the page in a sandboxed iframe, and a page
made of HTML, inline CSS and an inline SVG renders the same there, in a new tab, or offline.
Links are relative, so the page works under whatever prefix the app is mounted at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from claimflow.ui.lake import DaySummary, FailedDay, TrendPoint, UnreadableDay

CHART_WIDTH, CHART_HEIGHT = 640, 200
CHART_PAD_LEFT, CHART_PAD_RIGHT, CHART_PAD_TOP, CHART_PAD_BOTTOM = 48, 56, 12, 28
MAX_X_LABELS = 8
SERIES = (("articles", "#0969da"), ("claims", "#bc4c00"))
DASH = "&ndash;"

_CSS = """
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em 2em;color:#1f2328;background:#fff}
h1{font-size:1.35em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.8em 0 .5em}
.muted{color:#59636e}
table{border-collapse:collapse}
td,th{border-bottom:1px solid #d1d9e0;padding:.3em .7em;text-align:left;white-space:nowrap}
th{background:#f6f8fa;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{background:#ffebe9;color:#82071e}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
a{color:#0969da}
.legend span{display:inline-block;margin-right:1.2em}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
svg{max-width:100%;height:auto;display:block;margin:.3em 0 1em}
svg text{font:11px system-ui,sans-serif;fill:#59636e}
.scroll{overflow-x:auto}
"""


def _num(value: int | float | None, *, percent: bool = False) -> str:
    if value is None:
        return DASH
    if percent:
        return f"{value:.0%}"
    return f"{value:,}" if isinstance(value, int) else f"{value:.2f}"


def report_link(day: str, run: str | None = None) -> str:
    """The page-relative URL of a day's quality report (of one run, for unpublished days)."""
    return f"api/days/{quote(day)}/report" + (f"?run={quote(run)}" if run else "")


def _when(timestamp: str) -> str:
    """An ISO timestamp as ``2026-11-27 08:05 UTC``: short enough for a table cell."""
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _row(cells: list[str], *, failed: bool = False) -> str:
    return ('<tr class="failed">' if failed else "<tr>") + "".join(cells) + "</tr>"


def _published_row(summary: DaySummary) -> str:
    verdict = '<span class="pass">passed</span>' if summary.quality_passed else '<span class="fail">failed</span>'
    report = f' &middot; <a href="{escape(report_link(summary.day))}">report</a>' if summary.report else ""
    day = escape(quote(summary.day))
    links = f' &middot; <a href="day/{day}/report">day report</a>' if summary.day_report else ""
    links += f' &middot; <a href="api/days/{day}">json</a>'
    counts = (
        summary.accounting.get("ingested"),
        summary.accounting.get("published"),
        summary.accounting.get("quarantined"),
        summary.rows.get("claims"),
    )
    return _row(
        [
            f'<td><a href="day/{day}">{escape(summary.day)}</a>{links}</td>',
            f"<td>{escape(summary.run_id)}</td>",
            f"<td>{verdict}{report}</td>",
            *(f'<td class="num">{_num(value)}</td>' for value in counts),
            f"<td>{escape(_when(summary.published_at))}</td>",
        ]
    )


def _failed_rows(failed: FailedDay) -> str:
    rows = []
    for run in failed.runs:
        link = f' &middot; <a href="{escape(report_link(run.day, run.run))}">report</a>' if run.report else ""
        cells = [
            f"<td>{escape(run.day)}</td>",
            f"<td>{escape(run.run)}</td>",
            f'<td><span class="fail">{escape(run.verdict)}</span>{link}</td>',
            *[f'<td class="num">{DASH}</td>'] * 4,
            "<td>nothing published</td>",
        ]
        rows.append(_row(cells, failed=True))
    return "".join(rows)


def _unreadable_row(day: UnreadableDay) -> str:
    cells = [
        f'<td><a href="api/days/{escape(quote(day.day))}">{escape(day.day)}</a></td>',
        f"<td>{DASH}</td>",
        '<td><span class="fail">unreadable</span></td>',
        *[f'<td class="num">{DASH}</td>'] * 4,
        "<td>manifest unreadable</td>",
    ]
    return _row(cells, failed=True)


def _runs_table(summaries: list[DaySummary], failed: list[FailedDay], unreadable: Sequence[UnreadableDay]) -> str:
    rows = [(s.day, _published_row(s)) for s in summaries] + [(f.day, _failed_rows(f)) for f in failed]
    rows += [(u.day, _unreadable_row(u)) for u in unreadable]
    if not rows:
        return '<p class="muted">No day has been validated or published in this lake yet.</p>'
    body = "".join(html for _day, html in sorted(rows, reverse=True))
    return (
        "<div class=scroll><table><thead><tr><th>day</th><th>run</th><th>data quality</th>"
        "<th class=num>ingested</th><th class=num>published</th><th class=num>quarantined</th>"
        f"<th class=num>claims</th><th>published at</th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value``: a readable axis top."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def trend_chart(points: list[TrendPoint]) -> str:
    """Articles and claims per day as an inline SVG line chart with a readable y axis."""
    top = _nice_ceiling(max([1] + [getattr(p, name) for p in points for name, _ in SERIES]))
    plot_w = CHART_WIDTH - CHART_PAD_LEFT - CHART_PAD_RIGHT
    plot_h = CHART_HEIGHT - CHART_PAD_TOP - CHART_PAD_BOTTOM

    def x(i: int) -> float:
        return CHART_PAD_LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return CHART_PAD_TOP + plot_h * (1 - value / top)

    parts = []
    for tick in (0, top // 2, top):
        parts.append(
            f'<line x1="{CHART_PAD_LEFT}" x2="{CHART_WIDTH - CHART_PAD_RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#d1d9e0"/><text x="{CHART_PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:,}</text>'
        )
    every = max(1, -(-len(points) // MAX_X_LABELS))
    for i, point in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{CHART_HEIGHT - 8}" text-anchor="middle">{escape(point.day[5:])}</text>'
            )
    for name, colour in SERIES:
        coords = [(x(i), y(getattr(p, name))) for i, p in enumerate(points)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{" ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)}"/>'
        )
        parts += [
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}">'
            f"<title>{escape(p.day)}: {getattr(p, name):,} {name}</title></circle>"
            for (cx, cy), p in zip(coords, points, strict=True)
        ]
        last_x, last_y = coords[-1]  # the latest value, written beside the line's end
        parts.append(f'<text x="{last_x + 8:.1f}" y="{last_y + 4:.1f}">{getattr(points[-1], name):,}</text>')
    legend = "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{name} per day</span>' for name, colour in SERIES
    )
    return (
        f'<div class="legend">{legend}</div>'
        f'<svg viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'role="img" aria-label="articles and claims per published day">{"".join(parts)}</svg>'
    )


def _trends_table(points: list[TrendPoint]) -> str:
    rows = "".join(
        f"<tr><td>{escape(p.day)}</td>"
        + "".join(f'<td class="num">{_num(v)}</td>' for v in (p.articles, p.claims, p.entities, p.quarantined))
        + f'<td class="num">{_num(p.claims_per_article)}</td>'
        + f'<td class="num">{_num(p.anonymous_share, percent=True)}</td></tr>'
        for p in reversed(points)
    )
    return (
        "<div class=scroll><table><thead><tr><th>day</th><th class=num>articles</th><th class=num>claims</th>"
        "<th class=num>entities</th><th class=num>quarantined</th><th class=num>claims per article</th>"
        '<th class=num title="claims whose source is unnamed people; documents, groups and sources the article '
        f'names elsewhere are not counted">anonymous sources</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def render_page(
    lake: str,
    summaries: list[DaySummary],
    failed: list[FailedDay],
    trends: list[TrendPoint],
    *,
    unreadable: Sequence[UnreadableDay] = (),
) -> str:
    """The whole page: recent runs (failed and unreadable days in red) then trends of the published days."""
    trends_html = (
        trend_chart(trends) + _trends_table(trends) if trends else '<p class="muted">No published day yet.</p>'
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>claimflow lake</title><style>{_CSS}</style></head><body>"
        "<h1>claimflow: news-claims lake</h1>"
        f'<p class="muted">Lake <code>{escape(lake)}</code>. A day counts as published only through its '
        "manifest; a day that was validated but has no manifest, or whose manifest cannot be read, is "
        "shown in red.</p>"
        f"<h2>Recent runs</h2>{_runs_table(summaries, failed, unreadable)}"
        f"<h2>Trends over the last {len(trends)} published day{'s' if len(trends) != 1 else ''}</h2>{trends_html}"
        '<p class="muted">JSON: <a href="api/days">api/days</a> &middot; <a href="api/trends">api/trends</a> '
        '&middot; <a href="api/failed">api/failed</a></p>'
        "</body></html>"
    )
