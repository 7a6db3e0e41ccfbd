"""Markers of the evaluation tests."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "polnear: runs the claim component on the real PolNeAR dev split (needs ../shared)")
