"""Which day a run processes, which days it reads again, and the UTC day of a timestamp.

Every day is a UTC calendar day: the nightly run of day D fires when D has closed (00:00 UTC on
D+1) and processes D; it also reads the sources of the ``late_days`` days before D again, so
what reached them after their own run (a feed item of D's last minutes, a file copied late into
D's folder) is read by a later run instead of being lost.
"""

from __future__ import annotations

import datetime as dt


def run_day(logical_date: dt.datetime | None, data_interval_start: dt.datetime | None = None) -> str:
    """The day (``YYYY-MM-DD``, UTC) a run processes: the UTC date of its logical date.

    The nightly schedule is a daily data interval, so a scheduled run's logical date is the
    start of the day it follows (00:00 UTC on D for the run that fires at 00:00 on D+1); a run
    of ``airflow dags test claimflow_nightly D``, ``airflow dags trigger -l D`` or a backfill
    over D has D as its logical date. A run triggered without a logical date processes its
    data interval, the last day closed before it was triggered.
    """
    moment = logical_date if logical_date is not None else data_interval_start
    if moment is None:
        raise ValueError("expected a run with a logical date or a data interval, got neither")
    if moment.tzinfo is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(dt.timezone.utc).date().isoformat()


def window(day: str, late_days: int) -> list[str]:
    """``day`` and the ``late_days`` days before it, oldest first."""
    if late_days < 0:
        raise ValueError(f"expected zero or more late days, got {late_days}")
    date = dt.date.fromisoformat(day)
    return [(date - dt.timedelta(days=back)).isoformat() for back in range(late_days, -1, -1)]


def utc_day(timestamp: str | None) -> str | None:
    """The UTC day of an ISO 8601 date or datetime (a naive one is taken as UTC); None when
    there is none or it does not parse."""
    if not timestamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(timestamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(dt.timezone.utc).date().isoformat()
