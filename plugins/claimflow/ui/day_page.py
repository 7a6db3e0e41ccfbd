"""The day view: the day report's content with the app's navigation and links to entities and articles."""

from __future__ import annotations

from claimflow.explore.data import DayData
from claimflow.explore.html import day_sections, document, text
from claimflow.ui.links import UP, day_links, day_report_url
from claimflow.ui.page import report_link


def render_day_page(data: DayData, *, has_report: bool) -> str:
    """The day page; ``has_report`` when the manifest names a stored day report to link."""
    report = f' <a href="{text(day_report_url(data.day))}">day report (one file)</a>' if has_report else ""
    nav = (f'<nav><a href="{UP}">&larr; claimflow lake</a>{report}'
           f'<a href="{text(UP + report_link(data.day))}">data quality</a>'
           f'<a href="{text(UP + "api/days/" + data.day)}">manifest (JSON)</a></nav>')
    body = (f"{nav}<h1>Who said what on {text(data.day)}</h1>"
            f'<p class="muted">Run {text(data.run_id)}. Names link to the entity over the 30 days up to this '
            "day, titles to the article with its claims.</p>" + day_sections(data, day_links()))
    return document(f"claimflow: {data.day}", body)
