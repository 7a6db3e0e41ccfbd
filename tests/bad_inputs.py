"""One input file per kind of bad input issues 5 and 11 name, with the outcome each must have.

``write_bad_inputs(folder)`` writes them and returns ``{key: outcome}``: the outcome is
``"clean"`` (the record becomes a published article) or the quarantine reason expected. A key
is a file name, or ``"<file>#<n>"`` for the n-th line (from 1) of a .jsonl file whose lines
fare differently. Reasons from ``claimflow.ingest.decode``: empty, blank, binary,
too_large, no_text; from the readers of ``claimflow.ingest``:
bad_json, bad_record, bad_archive, unreadable, unsupported_format, empty, too_large, duplicate
(the first record by name is kept); from the quality suites: language. Links are written
beside ordinary files: one dangling, one leading out of ``folder``.
"""

from __future__ import annotations

import gzip
import json
import struct
import uuid
import zlib
from pathlib import Path

PARAGRAPH = (
    "The {place} city council approved a new budget for road repairs on Tuesday, officials said. "
    '"We have done our homework and the numbers add up," Mayor {name} told reporters after the vote. '
    "According to the finance department, the plan will cost about {n} million dollars over three years.\n"
)
SPANISH = (
    "El consejo municipal de la ciudad aprobó el martes un nuevo presupuesto para reparar las calles, "
    "según dijeron los funcionarios. La alcaldesa dijo que el plan es muy importante para los vecinos "
    "y que las obras empezarán en enero.\n"
)


def article(i: int) -> str:
    """A short, distinct English news article with a quote and an "according to" claim."""
    places = ["Springfield", "Riverton", "Lakeside", "Hillview", "Oakdale", "Portmouth", "Eastbrook", "Millbrook"]
    names = ["Ana Ruiz", "Tom Becker", "Grace Obi", "Luis Moreno", "Sara Lind", "Omar Haddad", "Jin Park", "Eva Novak"]
    return PARAGRAPH.format(place=places[i % 8], name=names[i % 8], n=10 + i)


def _png() -> bytes:
    """A valid 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _record(i: int, **fields: object) -> dict[str, object]:
    return {
        "id": f"bad-input-{i}",
        "title": f"Budget news {i}",
        "url": f"https://news.example/{i}",
        "published": "2026-11-26",
        **fields,
    }


def warc_record(kind: str, uri: str, date: str, block: bytes, *, http: str = "response") -> bytes:
    """One WARC/1.0 record written by hand: ``kind`` (response, request, revisit, metadata...),
    its target address, ``WARC-Date`` and block; ``http`` names the HTTP message type of the block."""
    content_type = f"application/http; msgtype={http}" if kind in ("response", "request", "revisit") else "text/plain"
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + uri + date)}>\r\n"
        f"WARC-Date: {date}\r\nWARC-Target-URI: {uri}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK") -> bytes:
    """An HTTP/1.1 response message as a crawler stores it in a WARC response record."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def news_page(i: int) -> bytes:
    """A small HTML news page holding :func:`article` ``i``."""
    return f"<!DOCTYPE html><html><head><title>News {i}</title></head><body><p>{article(i)}</p></body></html>".encode()


def write_bad_inputs(folder: Path, *, huge_bytes: int = 50 * 1024 * 1024) -> dict[str, str]:
    """Write every bad-input kind into ``folder`` and return the expected outcome of each."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "whitespace.txt": b"   \n\t\n  \r\n ",
        "image.txt": _png(),
        "latin1.txt": article(1).replace("officials", "officials at the caf\u00e9").encode("latin-1"),
        "utf16_bom.txt": article(2).encode("utf-16"),  # Python writes the BOM
        "huge.txt": (article(3) * (huge_bytes // len(article(3)) + 1)).encode("utf-8"),
        "scripts_only.txt": b'<html><head><script>window.location="https://ads.example";</script>'
        b"<style>body{color:red}</style></head><body><script>track();</script></body></html>",
        "page_with_scripts.txt": (
            "<!DOCTYPE html><html><head><title>News</title><script>var x = 1;</script></head><body>"
            f"<p>{article(4)}</p><script>ads()</script></body></html>"
        ).encode(),
        "broken_line.jsonl": "\n".join(
            [
                json.dumps(_record(5, text=article(5))),
                '{"id": "bad-input-6", "text": "unterminated',
                json.dumps(_record(7, text=article(7))),
            ]
        ).encode("utf-8"),
        "missing_text.json": json.dumps(_record(8)).encode("utf-8"),
        "wrong_types.json": json.dumps(_record(9, text=12345, published=["yesterday"])).encode("utf-8"),
        "dup_a.json": json.dumps(_record(10, text=article(10))).encode("utf-8"),
        "dup_b.json": json.dumps(_record(11, text=article(10))).encode("utf-8"),
        "spanish.txt": SPANISH.encode("utf-8"),
        "nul_control.txt": article(12)
        .replace("council", "coun\x00cil")
        .replace("reporters", "reporters\x07\x1b")
        .encode("utf-8"),
        "truncated.jsonl.gz": gzip.compress(  # one line, a list of 20 records: the cut leaves none whole
            json.dumps([_record(20 + i, text=article(20 + i)) for i in range(20)]).encode("utf-8")
        )[:-40],
        "empty.jsonl": b"",
        "empty_list.json": b"[]",
        "UPPER.TXT.GZ": gzip.compress(article(30).encode("utf-8")),
        "table.csv": b"id,text\n1,hello\n",
        "page.xhtml": f'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>{article(31)}</p></body></html>'.encode(),
        "bigint.jsonl": b'{"id": "bad-input-32", "text": ' + b"9" * 5000 + b"}",
        "deep.json": b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "bomb.txt.gz": gzip.compress(b"\0" * (64 << 20)),  # 64 KB holding 64 MB
        "crawl.warc.gz": b"".join(
            gzip.compress(record)
            for record in (
                warc_record("request", "https://news.example/40", "2026-11-26T08:00:00Z", b"GET /40 HTTP/1.1\r\n\r\n", http="request"),
                warc_record("response", "https://news.example/40", "2026-11-26T08:00:01Z", http_response(news_page(40))),
                warc_record("response", "https://news.example/40.pdf", "2026-11-26T08:00:02Z", http_response(b"%PDF-1.7", "application/pdf")),
                warc_record("response", "https://news.example/41", "2026-11-26T08:00:03Z", http_response(news_page(41))),
                warc_record("response", "https://news.example/42", "2026-11-25T08:00:03Z", http_response(news_page(42))),
            )
        ),
        "broken.warc": b"".join(  # issue 19: a broken record costs itself only, never the pages after it
            (
                warc_record("response", "https://news.example/43", "2026-11-26T09:00:00Z", http_response(news_page(43))),
                warc_record(
                    "response",
                    "https://news.example/44?token=SECRET",
                    "2026-11-26T09:00:01Z",
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\n<p>x</p>\r\n0\r\n\r\n",
                ),
                b"junk junk\r\n\r\n",
                warc_record("response", "https://news.example/45", "2026-11-26T09:00:02Z", http_response(news_page(45))),
            )
        ),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder.parent / "outside.txt").write_text(article(33))
    (folder / "escape.md").symlink_to(folder.parent / "outside.txt")
    (folder / "dangling.md").symlink_to(folder / "gone.md")
    return {
        "empty.txt": "empty",
        "whitespace.txt": "blank",
        "image.txt": "binary",
        "latin1.txt": "clean",  # plain text that is not UTF-8 is read by detection
        "utf16_bom.txt": "clean",
        "huge.txt": "too_large",
        "scripts_only.txt": "no_text",
        "page_with_scripts.txt": "clean",
        "broken_line.jsonl#1": "clean",
        "broken_line.jsonl#2": "bad_json",
        "broken_line.jsonl#3": "clean",
        "missing_text.json": "bad_record",
        "wrong_types.json": "bad_record",
        "dup_a.json": "clean",  # of two records with the same text, the first by name is kept
        "dup_b.json": "duplicate",
        "spanish.txt": "language",
        "nul_control.txt": "clean",
        "truncated.jsonl.gz": "bad_archive",
        "empty.jsonl": "empty",
        "empty_list.json": "empty",
        "UPPER.TXT.GZ": "clean",
        "table.csv": "unsupported_format",
        "page.xhtml": "clean",
        "bigint.jsonl#1": "unreadable",
        "deep.json": "unreadable",
        "bomb.txt.gz": "too_large",
        "crawl.warc.gz#2": "clean",  # the request, the PDF and the other day's page are skipped (logged)
        "crawl.warc.gz#4": "clean",
        "broken.warc#1": "clean",
        "broken.warc#2": "bad_archive",  # its chunked body does not decode
        "broken.warc#3": "bad_archive",  # bytes that are no WARC record, up to the next one
        "broken.warc#4": "clean",
        "escape.md": "unreadable",
        "dangling.md": "unreadable",
    }
