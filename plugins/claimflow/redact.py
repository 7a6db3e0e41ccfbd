"""Addresses without their secrets, before anything is logged or stored."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAM = re.compile(r"key|token|secret|password|signature|apikey|api_key|sig|auth|credential.*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """``url`` without user info (``user:pass@``) and without query parameters that name a secret."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _SECRET_PARAM.fullmatch(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)  # untouched unless a secret went
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))
