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
    "second",
    [
        pytest.param("run-b", id="another-run"),
        pytest.param("run-a", id="a-retry-of-the-same-run-after-its-process-died"),
    ],
)
def test_an_expired_lease_is_taken_over_under_the_next_number(store, second):
    first = lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    taken = lease.acquire(store, DAY, second, TTL, now=NOW + dt.timedelta(minutes=31))
    assert taken.generation == first.generation + 1
    with pytest.raises(PublishConflict, match=f"taken over by run {second} \\(holder {taken.record.holder}\\)"):
        first.check(now=NOW + dt.timedelta(minutes=31))
    taken.check(now=NOW + dt.timedelta(minutes=31))


def test_a_second_process_with_the_same_run_id_cannot_take_a_live_lease(store):
    """Two `claimflow run`s that got one run id: the second is another holder, not the first "itself"."""
    first = lease.acquire(store, DAY, "run-a", TTL, now=NOW, holder="host-1/100/aa")
    with pytest.raises(PublishConflict, match="run run-a is publishing it \\(holder host-1/100/aa,") as error:
        lease.acquire(store, DAY, "run-a", TTL, now=NOW + dt.timedelta(minutes=1), holder="host-2/200/bb")
    assert error.value.holder == "run-a"
    first.check(now=NOW + dt.timedelta(minutes=1))  # the first still holds the day


def test_every_attempt_is_its_own_holder(store):
    held = lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    assert held.record.holder.count("/") == 2 and held.record.holder != lease.new_holder()
    assert lease.LeaseRecord.from_json(store.get_bytes(layout.publish_lease_holder(DAY, 0))).holder == held.record.holder
    assert held.renew(TTL, now=NOW).record.holder == held.record.holder


def test_a_lease_written_before_holders_still_reads_and_expires(store):
    old = b'{"generation": 0, "run_id": "run-a", "expires": "2026-11-27T00:30:00+00:00", "released": false}'
    store.put_bytes(layout.publish_lease_holder(DAY, 0), old)
    with pytest.raises(PublishConflict, match="run run-a is publishing it \\(holder unknown,"):
        lease.acquire(store, DAY, "run-a", TTL, now=NOW)
    assert lease.acquire(store, DAY, "run-a", TTL, now=NOW + TTL).generation == 1


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
