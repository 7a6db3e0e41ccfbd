"""Web addresses with their secrets removed, for everything that is logged or stored.

A source address may carry credentials (``https://user:pass@host/``, ``?apikey=...``, a
pre-signed ``X-Amz-Signature``). The request itself uses the real address; every record name,
quarantine row, log line and archived URL uses :func:`redact_url` instead, so a secret never
reaches the lake or the logs. Secret parameters are dropped rather than masked: what remains is
the page's address as a reader would share it, good for de-duplication by URL.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

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
    """``a=1&token=x&b`` as ``a=1&b``: secret parameters dropped, the others kept byte for byte."""
    return "&".join(part for part in params.split("&") if not ("=" in part and is_secret_name(part.partition("=")[0])))


def redact_url(url: str) -> str:
    """``url`` without user info and without secret query (and fragment) parameters; never
    raises, whatever the string."""
    url = _USERINFO.sub(r"\1", url)
    rest, hash_, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    query, fragment = _redact_params(query), _redact_params(fragment) if "=" in fragment else fragment
    return base + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
