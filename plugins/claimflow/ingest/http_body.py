"""An archived HTTP response's body as the page's bytes: its transfer coding (``chunked``) and
content codings (``gzip``, ``deflate``, ``br``, ``zstd``) undone here, each under the record cap.

fastwarc can decode bodies itself, but then moving on to the next record consumes the decoded
stream: a body that does not decode (a broken chunk header, an unknown coding) or that inflates
past what was read (a gzip bomb) leaves the archive reader out of step, and every record after it
was lost. So the archive is read raw and the body decoded apart from it, from bytes: whatever
goes wrong costs this record (``bad_archive``, or ``too_large`` past the cap), never the archive.
A body cut short (a chunked stream or compressed body without its end) is refused, never
published truncated.

Live fetches (:meth:`claimflow.ingest.web.Fetcher.read_body`) decode their answers here too, with
their own cap: this module is the one owner of content codings and of bounded inflation.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zlib
from collections.abc import Callable

from claimflow.exceptions import RejectedInput

INFLATE_CHUNK = 1 << 20  # output asked of a decompressor at once: a bomb never expands in one piece
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


class _Overflow(Exception):
    """A decoder's output went past the cap; :func:`decoded_body` refuses it naming the setting."""


def _too_large(cap: int) -> _Overflow:
    return _Overflow(f"HTTP body decodes to more than the {cap:,}-byte cap")


def _dechunked(raw: bytes, cap: int) -> bytes:
    """The data of a ``Transfer-Encoding: chunked`` body (RFC 9112 §7.1): size lines in hex,
    extensions and trailers ignored; refused when a size line is not one or the last chunk is missing."""
    parts: list[bytes] = []
    at = total = 0
    while True:
        end = raw.find(b"\n", at)
        if end < 0:
            raise RejectedInput("bad_archive", f"chunked HTTP body ends without its last chunk, after {total:,} bytes")
        line = raw[at:end].split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(line):
            raise RejectedInput("bad_archive", f"chunked HTTP body: invalid chunk size {line[:20]!r} at byte {at:,}")
        size = int(line, 16)
        if size == 0:
            return b"".join(parts)
        total += size
        if total > cap:
            raise _too_large(cap)
        at = end + 1
        if at + size > len(raw):
            raise RejectedInput("bad_archive", f"chunked HTTP body cut short inside a chunk, after {total - size:,} bytes")
        parts.append(raw[at : at + size])
        at += size
        at += 2 if raw.startswith(b"\r\n", at) else 1 if raw.startswith(b"\n", at) else 0


def _inflated(raw: bytes, cap: int, wbits: int, coding: str) -> bytes:
    """zlib's output for ``raw`` (``wbits`` says the wrapper), at most ``cap`` bytes."""
    inflate = zlib.decompressobj(wbits=wbits)
    parts: list[bytes] = []
    total = 0
    data = raw
    try:
        while data and not inflate.eof:
            chunk = inflate.decompress(data, INFLATE_CHUNK)
            total += len(chunk)
            if total > cap:
                raise _too_large(cap)
            parts.append(chunk)
            data = inflate.unconsumed_tail
    except zlib.error as exc:
        raise RejectedInput("bad_archive", f"{coding} HTTP body does not decompress: {exc}") from None
    if not inflate.eof:
        raise RejectedInput("bad_archive", f"{coding} HTTP body cut short, after {total:,} bytes")
    return b"".join(parts)


def _gunzipped(raw: bytes, cap: int) -> bytes:
    return _inflated(raw, cap, 31, "gzip")


def _deflated(raw: bytes, cap: int) -> bytes:
    """``deflate`` is zlib-wrapped, but servers sending it raw are common and browsers read both."""
    wrapped = len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0
    return _inflated(raw, cap, 15 if wrapped else -15, "deflate")


def _unbrotlied(raw: bytes, cap: int) -> bytes:
    import brotli

    decompressor = brotli.Decompressor()
    parts: list[bytes] = []
    total = 0
    try:
        chunk = decompressor.process(raw, output_buffer_limit=INFLATE_CHUNK)
        while True:
            total += len(chunk)
            if total > cap:
                raise _too_large(cap)
            parts.append(chunk)
            if not chunk or decompressor.is_finished() or decompressor.can_accept_more_data():
                break
            chunk = decompressor.process(b"", output_buffer_limit=INFLATE_CHUNK)
    except brotli.error as exc:
        raise RejectedInput("bad_archive", f"br HTTP body does not decompress: {exc}") from None
    if not decompressor.is_finished():
        raise RejectedInput("bad_archive", f"br HTTP body cut short, after {total:,} bytes")
    return b"".join(parts)


def _unzstded(raw: bytes, cap: int) -> bytes:
    """Python 3.11 has no zstd; fastwarc's reader (what decoded these bodies before) does it,
    though it does not tell a frame cut short."""
    from fastwarc.stream_io import ZstdReader

    reader = ZstdReader(io.BytesIO(raw))
    parts: list[bytes] = []
    total = 0
    try:
        while chunk := reader.read(INFLATE_CHUNK):
            total += len(chunk)
            if total > cap:
                raise _too_large(cap)
            parts.append(chunk)
    except OSError as exc:
        raise RejectedInput("bad_archive", f"zstd HTTP body does not decompress: {exc}") from None
    return b"".join(parts)


CONTENT_CODINGS: dict[str, Callable[[bytes, int], bytes]] = {
    "identity": lambda raw, cap: raw,
    "gzip": _gunzipped,
    "x-gzip": _gunzipped,
    "deflate": _deflated,
    "br": _unbrotlied,
    "zstd": _unzstded,
}


# what a live fetch asks for: zstd is decoded when sent, not asked for, since its reader does not
# tell a frame cut short (a connection closed early, without a Content-Length, would pass)
ACCEPT_ENCODING = "gzip, deflate, br" if importlib.util.find_spec("brotli") else "gzip, deflate"


def _codings(header: str | None) -> list[str]:
    return [coding.strip().lower() for coding in (header or "").split(",") if coding.strip()]


def decoded_body(raw: bytes, *, transfer_encoding: str | None, content_encoding: str | None, cap: int, limit: str) -> bytes:
    """The page's bytes from an HTTP body as sent: dechunked, then each content coding undone
    in the reverse of the order it was applied; at most ``cap`` bytes at every step (``limit``
    names the setting the cap comes from, for the refusal).

    Raises:
        RejectedInput: ``too_large`` past ``cap``; ``bad_archive`` for a body that does not
            decode or ends early, or a coding no browser knows.
    """
    try:
        return _decoded(raw, transfer_encoding, content_encoding, cap)
    except _Overflow as exc:
        raise RejectedInput("too_large", f"{exc} ({limit})") from None


def _decoded(raw: bytes, transfer_encoding: str | None, content_encoding: str | None, cap: int) -> bytes:
    body = raw
    for coding in reversed(_codings(transfer_encoding)):
        if coding == "chunked":
            body = _dechunked(body, cap)
        elif coding not in CONTENT_CODINGS:  # a transfer coding may also be gzip or deflate
            raise RejectedInput("bad_archive", f"unknown Transfer-Encoding {coding!r}")
        else:
            body = CONTENT_CODINGS[coding](body, cap)
    for coding in reversed(_codings(content_encoding)):
        if coding not in CONTENT_CODINGS:
            raise RejectedInput("bad_archive", f"unknown Content-Encoding {coding!r}")
        body = CONTENT_CODINGS[coding](body, cap)
    return body
