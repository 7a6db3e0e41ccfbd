"""Which day each kind of run of the nightly DAG processes, through the DAG's own timetable.

The DAG is parsed and serialized as the scheduler sees it, and the timetable is asked what it
asks: the next scheduled run, the runs of a backfill range, the data interval of a manual run.
"""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from dagrun import nightly_dag

from claimflow.days import run_day, utc_day, window

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def scheduler_dag():
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.from_dict(DagSerialization.to_dict(nightly_dag()))


def day_of(info) -> str:
    return run_day(info.logical_date, info.data_interval.start)


def test_the_scheduled_run_of_a_day_fires_after_the_day_closed_and_processes_it(scheduler_dag):
    from airflow.timetables.base import DataInterval, TimeRestriction

    restriction = TimeRestriction(earliest=pendulum.datetime(2026, 1, 1, tz="UTC"), latest=None, catchup=True)
    last = DataInterval(pendulum.datetime(2026, 11, 25, tz="UTC"), pendulum.datetime(2026, 11, 26, tz="UTC"))
    info = scheduler_dag.timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
    assert day_of(info) == "2026-11-26"
    assert info.run_after == pendulum.datetime(2026, 11, 27, tz="UTC")  # 23:59:59.999 of the 26th is read
    assert info.data_interval == DataInterval(pendulum.datetime(2026, 11, 26, tz="UTC"), pendulum.datetime(2026, 11, 27, tz="UTC"))


@pytest.mark.parametrize(
    ("from_date", "to_date", "days"),
    [
        pytest.param("2026-11-24", "2026-11-26", ["2026-11-24", "2026-11-25", "2026-11-26"], id="dates, both ends kept"),
        pytest.param("2026-11-25", "2026-11-26T23:59:59+00:00", ["2026-11-25", "2026-11-26"], id="end of the last day"),
        pytest.param("2026-11-26", "2026-11-26", ["2026-11-26"], id="one day"),
    ],
)
def test_a_backfill_processes_each_day_of_its_range_once_as_itself(scheduler_dag, from_date, to_date, days):
    from airflow._shared.timezones.timezone import parse

    infos = scheduler_dag.iter_dagrun_infos_between(parse(from_date), parse(to_date))  # what `backfill create` asks
    assert [day_of(info) for info in infos] == days


def test_dags_test_of_a_day_processes_that_day(scheduler_dag):
    logical_date = pendulum.datetime(2026, 11, 26, tz="UTC")  # `airflow dags test claimflow_nightly 2026-11-26`
    interval = scheduler_dag.timetable.infer_manual_data_interval(run_after=logical_date)
    assert run_day(logical_date, interval.start) == "2026-11-26"


def test_a_run_triggered_without_a_logical_date_processes_the_last_closed_day(scheduler_dag):
    interval = scheduler_dag.timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 11, 27, 9, 15, tz="UTC"))
    assert run_day(None, interval.start) == "2026-11-26"


@pytest.mark.parametrize(
    ("logical_date", "day"),
    [
        pytest.param(dt.datetime(2026, 11, 26, tzinfo=UTC), "2026-11-26", id="midnight UTC"),
        pytest.param(dt.datetime(2026, 11, 26, 23, 30, tzinfo=UTC), "2026-11-26", id="late in the day"),
        pytest.param(dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2026-11-27", id="zone west of UTC"),
        pytest.param(pendulum.datetime(2026, 11, 27, 1, 0, tz="Europe/Berlin"), "2026-11-27", id="zone east of UTC"),
    ],
)
def test_the_day_is_the_utc_date_of_the_logical_date(logical_date, day):
    assert run_day(logical_date) == day


def test_a_run_with_no_date_or_a_naive_one_is_refused():
    with pytest.raises(ValueError, match="neither"):
        run_day(None, None)
    with pytest.raises(ValueError, match="naive"):
        run_day(dt.datetime(2026, 11, 26))


def test_the_late_window_is_the_day_and_the_days_before_it():
    assert window("2026-03-01", 2) == ["2026-02-27", "2026-02-28", "2026-03-01"]
    assert window("2026-03-01", 0) == ["2026-03-01"]
    with pytest.raises(ValueError, match="zero or more"):
        window("2026-03-01", -1)


@pytest.mark.parametrize(
    ("timestamp", "day"),
    [
        pytest.param("2026-11-26T23:50:00-05:00", "2026-11-27", id="west of UTC crosses forward"),
        pytest.param("2026-11-27T00:10:00+02:00", "2026-11-26", id="east of UTC crosses back"),
        pytest.param("2026-11-26T12:00:00Z", "2026-11-26", id="Z"),
        pytest.param("2026-11-26T23:59:59", "2026-11-26", id="naive is UTC"),
        pytest.param("2026-11-26", "2026-11-26", id="a date"),
        pytest.param("yesterday", None, id="unreadable"),
        pytest.param(None, None, id="none"),
    ],
)
def test_the_utc_day_of_a_timestamp(timestamp, day):
    assert utc_day(timestamp) == day
