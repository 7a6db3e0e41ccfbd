"""The publish lease: one run at a time commits a day.

Delta Lake makes each table's commit atomic and detects two commits racing on one table, but a
day spans several tables, and two runs taking turns (A articles, B articles, B claims, A claims)
conflict on none of them. So a run first takes the day's lease: the next numbered object under
``layout.publish_lease(day)``, created with ``put_if_absent`` (``If-None-Match: *`` on S3,
a hard link locally), so of two runs racing for one number exactly one gets it. The lease holds
the run id, the holder (see :func:`new_holder`) and an expiry, renewed before every commit; it is
released when the publish ends, and one left by a crashed run is taken over, under the next
number, once it has expired, by any run (a retry of the same run too: a live process with the
same run id is not told from a dead one by the run id, so it never takes the lease "as itself").
Its number also fences the Delta commits
(see ``storage.delta.replace_day``): a run whose lease was taken over cannot commit after the
run that took it.

The same mechanism, under ``layout.lake_publish_lease()``, gives the lake-wide publish lease
(:func:`acquire_lake`): one run of any day at a time rolls back torn days, decides which of its
articles another day has published, and commits. Two days in flight at once would otherwise
both take an article of their overlapping late window.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from claimflow import layout
from claimflow.exceptions import PublishConflict
from claimflow.storage.base import ObjectStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseRecord:
    """What a lease object says: who holds the day (the run and the publish attempt), under which
    number, until when."""

    generation: int
    run_id: str
    expires: dt.datetime
    released: bool = False
    holder: str = "unknown"  # the attempt holding it (new_holder); unknown in a lease written before holders
    day: str | None = None  # the day the holder publishes (said in the lake lease's conflicts)

    def to_json(self) -> bytes:
        return json.dumps({"generation": self.generation, "run_id": self.run_id, "holder": self.holder,
                           "expires": self.expires.isoformat(), "released": self.released, "day": self.day}).encode()

    @classmethod
    def from_json(cls, data: bytes) -> LeaseRecord:
        raw = json.loads(data)
        return cls(int(raw["generation"]), str(raw["run_id"]), dt.datetime.fromisoformat(raw["expires"]),
                   bool(raw["released"]), str(raw.get("holder", "unknown")), raw.get("day"))

    def is_free(self, now: dt.datetime) -> bool:
        """Whether another attempt may take the day after this lease: it was released or it expired."""
        return self.released or self.expires <= now


def new_holder() -> str:
    """A publish attempt's identity: host, process id and a random nonce, so two processes (or
    two attempts in one) publishing under one run id are two holders."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(6)}"


def _latest(store: ObjectStore, folder: str) -> LeaseRecord | None:
    keys = [info.key for info in store.list(folder) if layout.is_publish_lease_holder(info.key)]
    return LeaseRecord.from_json(store.get_bytes(max(keys))) if keys else None


@dataclass(frozen=True)
class PublishLease:
    """A run's hold on a day (or, for the lake lease, on every day while it publishes ``day``);
    ``generation`` is its number, which fences the commits."""

    store: ObjectStore
    day: str
    record: LeaseRecord
    folder: str = ""  # the lease's folder: the day's (the default) or layout.lake_publish_lease()

    @property
    def key_folder(self) -> str:
        return self.folder or layout.publish_lease(self.day)

    @property
    def generation(self) -> int:
        return self.record.generation

    @property
    def run_id(self) -> str:
        return self.record.run_id

    def check(self, now: dt.datetime | None = None) -> None:
        """Raise PublishConflict unless this lease is still the day's latest and unexpired; asked
        before every commit, so a run that stalled past its expiry stops instead of racing."""
        now = now or dt.datetime.now(dt.timezone.utc)
        latest = _latest(self.store, self.key_folder)
        if latest is None or latest.generation != self.generation:
            holder = latest.run_id if latest else None
            by = f"run {latest.run_id} (holder {latest.holder})" if latest else "nobody (its lease is gone)"
            raise PublishConflict(self.day, self.run_id, f"its publish lease was taken over by {by}", holder=holder)
        if self.record.expires <= now:
            raise PublishConflict(self.day, self.run_id, f"its publish lease expired at {self.record.expires.isoformat()}")

    def renew(self, ttl: dt.timedelta, now: dt.datetime | None = None) -> PublishLease:
        """Check the lease (see :meth:`check`) and extend it by ``ttl`` from ``now``: the holder
        renews before every commit, so a short ``ttl`` frees a crashed run's day soon while a
        live publish of any length keeps it."""
        now = now or dt.datetime.now(dt.timezone.utc)
        self.check(now)
        record = LeaseRecord(self.generation, self.run_id, now + ttl, holder=self.record.holder, day=self.record.day)
        self.store.put_bytes(layout.lease_holder(self.key_folder, self.generation), record.to_json())
        return PublishLease(self.store, self.day, record, self.folder)

    def release(self) -> None:
        """Mark the lease released (only its holder writes its object) and drop earlier ones."""
        released = LeaseRecord(self.generation, self.run_id, self.record.expires, released=True,
                               holder=self.record.holder, day=self.record.day)
        own = layout.lease_holder(self.key_folder, self.generation)
        self.store.put_bytes(own, released.to_json())
        older = [i.key for i in self.store.list(self.key_folder) if i.key < own]
        self.store.delete(older)
        log.info("released publish lease %s day=%s run_id=%s generation=%d", self.key_folder, self.day, self.run_id,
                 self.generation)


def acquire(store: ObjectStore, day: str, run_id: str, ttl: dt.timedelta, now: dt.datetime | None = None,
            holder: str | None = None) -> PublishLease:
    """Take the day's publish lease for ``run_id`` as ``holder`` (a :func:`new_holder` when None),
    or raise PublishConflict naming the run and the attempt that hold it."""
    return _acquire(store, layout.publish_lease(day), day, run_id, ttl, now, holder=holder)


def _acquire(store: ObjectStore, folder: str, day: str, run_id: str, ttl: dt.timedelta,
             now: dt.datetime | None = None, *, lake: bool = False, holder: str | None = None) -> PublishLease:
    """Take the next lease under ``folder`` for ``run_id`` (publishing ``day``), or raise PublishConflict."""
    now = now or dt.datetime.now(dt.timezone.utc)
    holder = holder or new_holder()
    latest = _latest(store, folder)
    if latest is not None and not latest.is_free(now):
        what = f"run {latest.run_id} is publishing {latest.day if lake else 'it'}"
        where = f"lease {folder}" if lake else "lease"
        raise PublishConflict(day, run_id, f"{what} (holder {latest.holder}, {where} until {latest.expires.isoformat()})",
                              holder=latest.run_id)
    record = LeaseRecord(latest.generation + 1 if latest else 0, run_id, now + ttl, holder=holder, day=day)
    key = layout.lease_holder(folder, record.generation)
    if not store.put_if_absent(key, record.to_json()):
        winner = LeaseRecord.from_json(store.get_bytes(key))
        raise PublishConflict(day, run_id, f"run {winner.run_id} took the publish lease first (holder {winner.holder})", holder=winner.run_id)
    if latest is not None and not latest.released:
        log.warning("took over publish lease %s day=%s run_id=%s holder=%s from run_id=%s holder=%s expired=%s",
                    folder, day, run_id, holder, latest.run_id, latest.holder, latest.expires.isoformat())
    log.info("acquired publish lease %s day=%s run_id=%s holder=%s generation=%d", folder, day, run_id, holder,
             record.generation)
    return PublishLease(store, day, record, folder if lake else "")


def acquire_lake(store: ObjectStore, day: str, run_id: str, ttl: dt.timedelta, *, wait: dt.timedelta,
                 poll_seconds: float = 1.0) -> PublishLease:
    """Take the lake-wide publish lease for ``run_id`` (publishing ``day``), waiting up to ``wait``
    while another run holds it: a publish holds it for seconds to minutes, and waiting is cheaper
    than an Airflow retry. Raises PublishConflict naming the holder when the wait runs out.
    A crashed holder's lease frees itself after ``ttl``."""
    deadline = time.monotonic() + wait.total_seconds()
    holder = new_holder()  # one attempt, however many polls
    while True:
        try:
            return _acquire(store, layout.lake_publish_lease(), day, run_id, ttl, lake=True, holder=holder)
        except PublishConflict:
            if time.monotonic() >= deadline:
                raise
        time.sleep(poll_seconds)


@dataclass
class Holds:
    """The leases a run holds while it writes the lake: the lake's, and its day's while it
    publishes, renewed together before every commit and released together (the day's first, so
    a run of the day waiting for the lake then finds the day free)."""

    ttl: dt.timedelta
    lake: PublishLease
    day: PublishLease | None = None

    def renew(self) -> None:
        if self.day is not None:
            self.day = self.day.renew(self.ttl)
        self.lake = self.lake.renew(self.ttl)

    def release(self) -> None:
        for held in (self.day, self.lake):
            if held is not None:
                held.release()

    def release_after_failure(self) -> None:
        """Let go after a failure; a lease that cannot be released (the store is down) expires on
        its own, and the run's retry takes it over then."""
        for held in (self.day, self.lake):
            if held is None:
                continue
            try:
                held.release()
            except Exception as error:  # noqa: BLE001 - the run's own error is the one to raise
                log.warning("could not release lease %s day=%s run_id=%s: %s", held.key_folder, held.day, held.run_id, error)


@contextmanager
def holding_lake(store: ObjectStore, day: str, run_id: str, ttl: dt.timedelta) -> Iterator[Holds]:
    """The lake's publish lease held through the block (waiting up to ``ttl`` for it: see
    :func:`acquire_lake`), and whatever lease the block adds to the holds; all released after it,
    also after a failure."""
    holds = Holds(ttl, acquire_lake(store, day, run_id, ttl, wait=ttl))
    try:
        yield holds
    except BaseException:
        holds.release_after_failure()
        raise
    holds.release()
