"""The per-day publish lease: one holder at a time, released, taken over when stale."""

from __future__ import annotations

import datetime as dt

import pytest

from claimflow import layout
from claimflow.exceptions import PublishConflict
from claimflow.storage import LocalStore, lease

DAY = "2026-11-26"
TTL = dt.timedelta(minutes=30)
NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path)


def test_a_held_day_refuses_another_run_naming_the_holder(store):
    lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    with pytest.raises(PublishConflict, match="run run-b cannot publish 2026-11-26: run run-a is publishing it") as error:
        lease.acquire(store, DAY, "run-b", TTL, now=NOW + dt.timedelta(minutes=29))
    assert error.value.holder == "run-a"


@pytest.mark.parametrize(
    ("second", "after"),
    [
        pytest.param("run-b", dt.timedelta(minutes=31), id="expired-lease-taken-over"),
        pytest.param("run-a", dt.timedelta(minutes=1), id="same-run-retry-takes-its-own"),
    ],
)
def test_stale_or_own_lease_is_taken_over_under_the_next_number(store, second, after):
    first = lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    taken = lease.acquire(store, DAY, second, TTL, now=NOW + after)
    assert taken.generation == first.generation + 1
    with pytest.raises(PublishConflict, match=f"taken over by run {second}"):
        first.check(now=NOW + after)
    taken.check(now=NOW + after)


def test_release_frees_the_day_and_prunes_older_leases(store):
    lease.acquire(store, DAY, "run-a", TTL, now=NOW).release()
    second = lease.acquire(store, DAY, "run-b", TTL, now=NOW)
    second.release()
    assert [i.key for i in store.list(layout.publish_lease(DAY))] == [f"{layout.publish_lease(DAY)}0000000001.json"]
    assert lease.acquire(store, DAY, "run-c", TTL, now=NOW).generation == 2


def test_renewal_keeps_a_long_publish_and_refuses_a_lost_one(store):
    held = lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    renewed = held.renew(TTL, now=NOW + dt.timedelta(minutes=20))
    with pytest.raises(PublishConflict, match="run run-a is publishing it"):  # past the first expiry, still held
        lease.acquire(store, DAY, "run-b", TTL, now=NOW + dt.timedelta(minutes=40))
    taken = lease.acquire(store, DAY, "run-b", TTL, now=NOW + dt.timedelta(minutes=51))
    with pytest.raises(PublishConflict, match="taken over by run run-b"):
        renewed.renew(TTL, now=NOW + dt.timedelta(minutes=52))
    assert taken.generation == 1


def test_a_holder_past_its_expiry_stops(store):
    held = lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    with pytest.raises(PublishConflict, match="its publish lease expired"):
        held.check(now=NOW + TTL)


def test_two_takers_of_one_number_get_one_lease(store, monkeypatch):
    """Both saw the day free; put_if_absent lets one of them create the next lease."""
    lease.acquire(store, DAY, "run-b", TTL, now=NOW)
    monkeypatch.setattr(lease, "_latest", lambda store, day: None)  # run-c read before run-b wrote
    with pytest.raises(PublishConflict, match="run run-b took the publish lease first"):
        lease.acquire(store, DAY, "run-c", TTL, now=NOW)
