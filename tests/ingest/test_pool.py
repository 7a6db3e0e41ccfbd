"""Ordered, bounded running of I/O tasks on threads."""

from __future__ import annotations

import threading

import pytest

from claimflow.ingest.pool import ordered_map


def test_results_come_in_the_tasks_order_whatever_order_they_finish_in() -> None:
    first_may_finish = threading.Event()

    def first() -> str:
        assert first_may_finish.wait(5), "the second task never ran beside the first"
        return "first"

    def second() -> str:
        first_may_finish.set()  # finishes before the first, which waits for it
        return "second"

    assert list(ordered_map([first, second], workers=2, window=2)) == ["first", "second"]


def test_at_most_a_window_of_tasks_is_started_ahead_of_what_is_yielded() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def task(number: int):
        def run() -> int:
            with lock:
                started.append(number)
            return number

        return run

    results = ordered_map((task(n) for n in range(100)), workers=4, window=3)
    for yielded in results:
        assert len(started) <= yielded + 3  # tasks started: those yielded, and the window ahead
    assert started and sorted(started) == list(range(100))


def test_a_tasks_exception_is_raised_where_its_result_would_come() -> None:
    def boom() -> int:
        raise ValueError("task 2 failed")

    results = ordered_map([lambda: 1, boom, lambda: 3], workers=2, window=2)
    assert next(results) == 1
    with pytest.raises(ValueError, match="task 2 failed"):
        next(results)


def test_tasks_not_started_when_the_caller_stops_are_never_run() -> None:
    ran: list[int] = []
    busy = threading.Event()

    def blocking() -> int:  # holds the only worker while the caller stops
        busy.wait(0.5)
        return 1

    later = [lambda n=n: ran.append(n) or n for n in range(2, 100)]
    results = ordered_map([lambda: 0, blocking, *later], workers=1, window=100)  # all submitted at once
    assert next(results) == 0
    results.close()
    assert ran == []  # the 98 queued tasks were cancelled, not run by the pool's shutdown
