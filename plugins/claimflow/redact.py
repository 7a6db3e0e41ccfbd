"""Web addresses with their secrets removed, for everything that is logged or stored.

A source address may carry credentials (``https://user:pass@host/``, ``?apikey=...``, a
pre-signed ``X-Amz-Signature``, a ``;jsessionid=`` path parameter), and so may an address a
page or record names (a canonical link echoing the request's ``?token=``). The request itself
uses the real address; every article URL, record name, quarantine row, log line and archived
URL goes through :func:`redact_url`, so a secret never reaches the lake or the logs. A secret
query or fragment parameter keeps its name and loses its value (``?code=A1`` becomes
``?code=``): sites name articles by such parameters (``?key=2024-abc``), and two stories at
``?key=1`` and ``?key=2`` must not become one address. The emptied name marks the address as
one that no longer tells its page from others: :func:`secret_parameters` finds it, and
de-duplication by URL leaves such an address out (``claimflow.ingest.dedup.canonical_url``).
User info and secret ``;path`` parameters (session ids: ``;jsessionid=``) name no page and are
dropped.

The address is taken apart by hand, not with ``urllib.parse``: ``urlsplit`` ends the authority
at the first ``?`` or ``#``, so a password holding one (``https://u:pa?ss@host/``) would leave
half of it as the host and half as the query. Here the raw authority runs to the first ``/``,
and its user info to its last ``@`` (:func:`_userinfo_end`). :func:`secrets_in` gives the same
pieces the redaction drops, for a log masker that must hide them wherever they appear.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_plus

# parameter names (query, fragment or ;path) whose value is a secret, compared lower-case with "-" as "_"
SECRET_NAMES = frozenset(
    {
        "key", "apikey", "api_key", "token", "access_token", "refresh_token", "id_token", "auth_token",
        "secret", "client_secret", "password", "passwd", "pwd", "pass", "sig", "signature", "auth",
        "authorization", "credential", "credentials", "session", "sessionid", "session_id", "jwt",
        "code",  # an OAuth authorization code
        "jsessionid", "phpsessid", "aspsessionid",  # servlet, PHP and ASP session ids (often ;jsessionid=)
    }
)
SECRET_PREFIXES = ("x_amz_", "x_goog_")  # pre-signed S3 and GCS addresses
SECRET_SUFFIXES = ("_token", "_secret", "_key", "_password", "_signature")
_AUTHORITY_START = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//")  # "scheme://" or a scheme-relative "//"
_HOST_PORT = re.compile(r"(?:\[[0-9a-fA-F:.]*\]|[^\s@:/?#\[\]]*)(?::\d*)?")  # what an authority without user info is
_SEPARATOR = re.compile(r"(?=[&;])")  # query parameters are split on & and ;, each keeping its separator


def is_secret_name(name: str) -> bool:
    """Whether a parameter called ``name`` carries a secret; ``token[]`` and ``user[password]``
    are judged by each bracketed part."""
    key = unquote_plus(name).strip().lower().replace("-", "_")
    return any(
        part in SECRET_NAMES or part.startswith(SECRET_PREFIXES) or part.endswith(SECRET_SUFFIXES)
        for part in re.split(r"[\[\]]", key)
        if part
    )


def _userinfo_end(authority: str) -> int:
    """Where the user info of a raw authority (everything up to the first ``/``) ends: the index
    of its ``@``, -1 when it has none. An ``@`` after a ``?`` or ``#`` belongs to the user info
    (a password holding one) unless what comes before is a plain host and what comes after reads
    as parameters (``host?from=a@b.example``)."""
    at = authority.rfind("@")
    if at < 0:
        return -1
    cut = min((i for i in (authority.find("?"), authority.find("#")) if i >= 0), default=len(authority))
    if cut > at:
        return at
    head = authority[:cut]
    earlier = head.rfind("@")
    if _HOST_PORT.fullmatch(head[earlier + 1 :]) and "=" in authority[cut + 1 : at]:
        return earlier
    return at


def _params(text: str, dropped: list[str], names: list[str]) -> str:
    """``a=1&token=x;b`` as ``a=1&token=;b``: the values of secret parameters taken out (noted
    in ``dropped``, their names in ``names``), everything else kept byte for byte."""
    pieces = []
    for piece in _SEPARATOR.split(text):
        param = piece.lstrip("&;")
        name, equals, value = param.partition("=")
        if equals and is_secret_name(name):
            dropped.append(value)
            names.append(name)
            piece = f"{piece[: len(piece) - len(param)]}{name}="
        pieces.append(piece)
    return "".join(pieces)


def _path(path: str, dropped: list[str]) -> str:
    """``/a;jsessionid=X;v=1/b`` as ``/a;v=1/b``: secret ``;name=value`` path parameters dropped."""
    if ";" not in path:
        return path
    segments = []
    for segment in path.split("/"):
        name, *params = segment.split(";")
        kept = []
        for param in params:
            key, equals, value = param.partition("=")
            if equals and is_secret_name(key):
                dropped.append(value)
            else:
                kept.append(param)
        segments.append(";".join([name, *kept]))
    return "/".join(segments)


def _redact(url: str) -> tuple[str, list[str], list[str]]:
    """The redacted address, the secret pieces taken out of it, and the names of the query and
    fragment parameters whose values those were."""
    dropped: list[str] = []
    names: list[str] = []
    start = _AUTHORITY_START.match(url)
    end = 0
    if start:
        slash = url.find("/", start.end())
        authority = url[start.end() : slash if slash >= 0 else len(url)]
        userinfo = _userinfo_end(authority)
        if userinfo >= 0:
            dropped += [authority[:userinfo], authority[:userinfo].partition(":")[2]]  # all of it, and the password
            url = url[: start.end()] + url[start.end() + userinfo + 1 :]
        end = min((i for i in (url.find(c, start.end()) for c in "/?#") if i >= 0), default=len(url))
    rest, hash_, fragment = url[end:].partition("#")
    path, question, query = rest.partition("?")
    path = _path(path, dropped)
    query = _params(query, dropped, names)
    fragment = _params(fragment, dropped, names) if "=" in fragment else fragment
    redacted = url[:end] + path + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    return redacted, dropped, names


def redact_url(url: str) -> str:
    """``url`` without user info, without secret path (``;name=``) parameters, and without the
    values of secret query and fragment parameters, whose names stay (``?token=``): the one
    redaction of every address that is logged or stored. Never raises, whatever the string (an
    error message that quotes an address is redacted the same way)."""
    return _redact(url)[0]


def secret_parameters(url: str) -> tuple[str, ...]:
    """The names of the secret query and fragment parameters of ``url``, whether it is redacted
    (their values emptied) or not. An address that has one does not tell its page from another:
    the value that did is gone from what is stored."""
    return tuple(_redact(url)[2])


def secrets_in(url: str) -> tuple[str, ...]:
    """The secret pieces :func:`redact_url` takes out of ``url`` (the whole user info, the
    password, the values of secret parameters; raw and percent-decoded), for a log masker. A
    user name alone is not one: masking ``admin`` would garble every log line (the masker's own
    minimum length leaves out short values too)."""
    found = {piece for value in _redact(url)[1] for piece in (value, unquote(value), unquote_plus(value))}
    return tuple(sorted(piece for piece in found if piece))
