"""Addresses without their secrets, before anything is logged or stored."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_WORDS = frozenset({"key", "token", "secret", "password", "signature", "apikey", "sig", "auth"})
_WORD = re.compile(r"[^a-z0-9]+")


def _names_a_secret(parameter: str) -> bool:
    """Whether a query parameter's name says it holds a secret: ``apikey``, ``api_key``,
    ``X-Amz-Signature``, ``X-Amz-Credential``... (by its words, so ``author`` or ``keyword`` stay)."""
    words = [word for word in _WORD.split(parameter.lower()) if word]
    return any(word in _SECRET_WORDS or word.startswith("credential") for word in words)


def redact_url(url: str) -> str:
    """``url`` without user info (``user:pass@``) and without query parameters that name a secret."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _names_a_secret(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)  # untouched unless a secret went
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))
