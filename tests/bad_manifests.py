"""The day manifests the UI answered 500 for (issue #19), made from a good manifest's JSON form.

``hostile(manifest, case)`` is the manifest's bytes with one value planted as raw JSON text, so
that what ``json.dumps`` cannot write (a 5,000-digit integer) or would refuse is what a reader
meets. ``ISSUE_19`` names the cases every reader must refuse as unreadable.
"""

from __future__ import annotations

import json
from typing import Any

ISSUE_19 = ("nested-100000-deep", "5000-digit-integer", "version-negative", "version-10-to-the-30")
_PLANTED = {  # case -> (dotted path in the manifest, JSON text put there)
    "nested-100000-deep": ("quality.statistics", "[" * 100_000 + "]" * 100_000),
    "5000-digit-integer": ("accounting.ingested", "9" * 5000),
    "version-negative": ("tables.claims.version", "-5"),
    "version-10-to-the-30": ("tables.claims.version", str(10**30)),
}


def planted(manifest: dict[str, Any], path: str, value: str) -> bytes:
    """``manifest`` as JSON bytes with the JSON text ``value`` at the dotted ``path``."""
    data = json.loads(json.dumps(manifest))
    *parents, leaf = path.split(".")
    target = data
    for name in parents:
        target = target[name]
    target[leaf] = "@@planted@@"
    return json.dumps(data).replace('"@@planted@@"', value).encode()


def hostile(manifest: dict[str, Any], case: str) -> bytes:
    """The manifest broken as ``case`` (one of ``ISSUE_19``) says."""
    return planted(manifest, *_PLANTED[case])
