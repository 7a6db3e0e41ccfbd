"""Tests of claimflow.ingest.windows: date placeholders and which days are recent."""

import datetime as dt

from claimflow.ingest.windows import expand, is_recent

TODAY = dt.date(2026, 11, 27)  # the UTC today that decides which days are recent


def test_date_placeholders_pick_the_day():
    assert expand("archive/{yyyy}/{mm}/{dd}/", "2026-11-05") == "archive/2026/11/05/"
    assert expand("s3://b/news/dt={ds}/", "2026-11-05") == "s3://b/news/dt=2026-11-05/"


def test_recent_days_are_today_and_yesterday():
    assert [is_recent(day, TODAY) for day in ("2026-11-28", "2026-11-27", "2026-11-26", "2026-11-25")] == [
        True, True, True, False]
