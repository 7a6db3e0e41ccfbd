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
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _SECRET_PARAM.fullmatch(k)]
    return urlunsplit((parts.scheme, host, parts.path, urlencode(query), parts.fragment))
