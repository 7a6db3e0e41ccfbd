"""URLs between the explorer's pages, relative to a page one level below the app's root
(``day/…``, ``entity/…``, ``article/…``), so they hold under whatever prefix Airflow mounts the app.

The convention the views share: ``day/{YYYY-MM-DD}``, ``entity/{entity_id}?from=&to=``,
``article/{article_id}?day=YYYY-MM-DD``; every part from the lake is quoted.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from claimflow.explore.html import Links, period_before

UP = "../"  # from a page at day/…, entity/… or article/… back to the app's root


def day_url(day: str, *, root: str = UP) -> str:
    return f"{root}day/{quote(day, safe='')}"


def day_report_url(day: str, *, root: str = UP) -> str:
    return f"{day_url(day, root=root)}/report"


def entity_url(entity_id: str, first: str, last: str, *, root: str = UP) -> str:
    return f"{root}entity/{quote(entity_id, safe='')}?{urlencode({'from': first, 'to': last})}"


def article_url(article_id: str, day: str, *, root: str = UP) -> str:
    return f"{root}article/{quote(article_id, safe='')}?{urlencode({'day': day})}"


def day_links() -> Links:
    """Links from a day's page: an entity over the 30 days up to that day, an article on its day."""
    return Links(entity=lambda entity_id, day: entity_url(entity_id, period_before(day), day),
                 article=lambda article_id, day: article_url(article_id, day))


def period_links(first: str, last: str) -> Links:
    """Links from an entity's page: another entity over the same period, an article on its day."""
    return Links(entity=lambda entity_id, _day: entity_url(entity_id, first, last),
                 article=lambda article_id, day: article_url(article_id, day))
