"""Web addresses with their secrets removed, for everything that is logged or stored.

A source address may carry credentials (``https://user:pass@host/``, ``?apikey=...``, a
pre-signed ``X-Amz-Signature``). The request itself uses the real address; every record name,
quarantine row, log line and archived URL uses :func:`redact_url` instead, so a secret never
reaches the lake or the logs.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

REDACTED = "REDACTED"
# query/fragment parameter names whose value is a secret, compared lower-case with "-" as "_"
SECRET_NAMES = frozenset(
    {
        "key", "apikey", "api_key", "token", "access_token", "refresh_token", "id_token", "auth_token",
        "secret", "client_secret", "password", "passwd", "pwd", "pass", "sig", "signature", "auth",
        "authorization", "credential", "credentials", "session", "sessionid", "session_id", "jwt",
    }
)
SECRET_PREFIXES = ("x_amz_", "x_goog_")  # pre-signed S3 and GCS addresses
SECRET_SUFFIXES = ("_token", "_secret", "_key", "_password", "_signature")
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@")


def is_secret_name(name: str) -> bool:
    """Whether a query parameter called ``name`` carries a secret."""
    key = unquote_plus(name).strip().lower().replace("-", "_")
    return key in SECRET_NAMES or key.startswith(SECRET_PREFIXES) or key.endswith(SECRET_SUFFIXES)


def _redact_params(params: str) -> str:
    """``a=1&token=x`` as ``a=1&token=REDACTED``; other parameters kept byte for byte."""
    parts = []
    for part in params.split("&"):
        name, eq, _ = part.partition("=")
        parts.append(f"{name}={REDACTED}" if eq and is_secret_name(name) else part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """``url`` without user info and with the values of secret query (and fragment) parameters
    replaced by ``REDACTED``; never raises, whatever the string."""
    url = _USERINFO.sub(r"\1", url)
    rest, hash_, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    if question:
        base += "?" + _redact_params(query)
    if hash_:
        base += "#" + _redact_params(fragment)
    return base
