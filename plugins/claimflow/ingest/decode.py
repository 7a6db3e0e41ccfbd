"""Raw bytes of one input record to clean text, or a refusal with a machine-readable reason.

Feeds break in many ways (empty pages, PNGs renamed .txt, Latin-1 bytes, UTF-16 exports,
HTML pages with scripts, NUL bytes); each is either repaired into an article or refused with
``RejectedInput(reason, detail)`` so the record lands in quarantine and the batch goes on.
Reasons: ``empty``, ``blank``, ``too_large``, ``binary``, ``invalid_encoding``,
``control_chars``, ``no_text``. Language is only detected here; the quality suite decides.

The encoding is decided as browsers decide it (WHATWG "encoding sniffing"): a BOM, then the
HTTP ``Content-Type`` charset, then a ``<meta>`` charset in the first 1024 bytes of a page,
then detection; labels mean what they mean to a browser (``ISO-8859-1`` is windows-1252) and a
label no browser knows (``cp037``, ``idna``, ``undefined``) is ignored, as a browser ignores it
(the table: :mod:`claimflow.ingest.encodings`).
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections import Counter

import lxml.html
from lxml import etree

from claimflow.exceptions import RejectedInput
from claimflow.ingest.encodings import SINGLE_BYTE_CODECS, web_codec, web_encoding
from claimflow.ingest.flatten import flattened

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20_000_000  # raw bytes of one input before decoding; the article's text has its own limit
MAX_NUL_SHARE = 0.1  # more NUL bytes than this in the head of a file without BOM: binary
MAX_CONTROL_SHARE = 0.3  # more control characters than this in decoded text: refused, not repaired
DETECT_BYTES = 262_144  # charset detection looks at this much of the input at most
META_PRESCAN_BYTES = 1024  # where a browser looks for <meta charset>
FLAT_DEPTH = 128  # elements open at once in a page flattened for libxml2, whose limit is 256

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (also docx, xlsx, epub)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
)
# C0 controls but tab, newline, carriage return; DEL; C1 controls. VT and FF become newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_PAGE_BREAK = re.compile(r"[\x0b\x0c]")
_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|script|style)\b", re.IGNORECASE)
_HTML_START = re.compile(r"\s*<\s*(?:[a-z][a-z0-9]*|!--|!doctype)\b", re.IGNORECASE)


def _binary_kind(raw: bytes) -> str | None:
    """What binary format ``raw`` is (by magic number or NUL density), or None for text."""
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    head = raw[:8192]
    if head.count(0) > MAX_NUL_SHARE * len(head):
        return f"{head.count(0)} NUL bytes in the first {len(head)}"
    return None


_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
MAX_REPLACED_SHARE = 0.001  # undecodable bytes a declared encoding may have before detection is asked


def declared_encoding(raw: bytes, content_type: str | None) -> str | None:
    """The codec a page's HTTP ``Content-Type`` names, else the first ``<meta>`` in the first
    1024 bytes whose label a browser knows (one it does not is passed over, as the standard's
    prescan does); a ``<meta>`` naming UTF-16 means UTF-8 (its own bytes are ASCII), as in browsers."""
    if content_type and (match := _CHARSET_PARAM.search(content_type)) and (codec := web_encoding(match[1])):
        return codec
    for match in _META_CHARSET.finditer(raw[:META_PRESCAN_BYTES]):
        if codec := web_encoding(match[1].decode("ascii")):
            return "utf-8" if codec.startswith("utf-16") else codec
    return None


def detected_encoding(raw: bytes, *, html: bool = True) -> str | None:
    """The encoding charset-normalizer finds most likely for ``raw`` (first DETECT_BYTES), as the
    web encoding it stands for; for plain text (``html`` False) any other text codec too (a DOS
    file in cp850), for a page only what a browser could decode with (never EBCDIC); or None."""
    from charset_normalizer import from_bytes

    head = raw[:DETECT_BYTES]
    if len(raw) > DETECT_BYTES and (cut := head.rfind(b"\n")) > DETECT_BYTES // 2:
        head = head[: cut + 1]  # do not end the sample inside a multi-byte character
    best = from_bytes(head).best()
    if best is None:
        return None
    return web_codec(best.encoding) or (None if html else best.encoding)


def _replaced_few(text: str) -> bool:
    return text.count("\ufffd") <= MAX_REPLACED_SHARE * len(text)


def _decode(raw: bytes, name: str, *, content_type: str | None = None, html: bool = False) -> str:
    """``raw`` decoded as a browser would (BOM, header, ``<meta>``, detection) for HTML; strict
    UTF-8 then detection for plain text, which is refused when neither reads it."""
    bom, encoding = next(((bom, enc) for bom, enc in _BOMS if raw.startswith(bom)), (b"", None))
    if encoding:
        try:
            return raw[len(bom) :].decode(encoding, "replace" if html else "strict")
        except UnicodeDecodeError as exc:
            raise RejectedInput(
                "invalid_encoding", f"{name}: not valid {encoding} at byte {exc.start + len(bom)}: {exc.reason}"
            ) from None
    if kind := _binary_kind(raw):
        raise RejectedInput("binary", f"{name}: {kind}")
    declared = declared_encoding(raw, content_type) if html else None
    if declared in SINGLE_BYTE_CODECS and not raw.isascii():
        # a server labelling UTF-8 pages ISO-8859-1 is common; real windows-1252 text with
        # non-ASCII letters is almost never also valid UTF-8, so those bytes are UTF-8
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared:
        text = raw.decode(declared, "replace")
        if _replaced_few(text):
            return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = f"not valid UTF-8 at byte {exc.start}: {exc.reason}"
    if detected := detected_encoding(raw, html=html):
        return raw.decode(detected, "replace")
    if html:  # what a browser shows when nothing is declared or detected
        return raw.decode(declared or "cp1252", "replace")
    raise RejectedInput("invalid_encoding", f"{name}: {error}, and no other encoding fits")


_SKIP = frozenset("script style noscript template head title iframe object embed select option".split())
_SVG_TEXT = frozenset("text tspan textpath title desc metadata".split())  # inside <svg>: drawing labels
_BLOCK = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table section article header footer nav aside "
    "blockquote pre hr figure figcaption main form address details summary".split()
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_UNCLOSED_END_TAG = re.compile(r"</(script|style)(?=<)", re.IGNORECASE)


def _parsed(html: str) -> tuple[etree._Element | None, bool]:
    """libxml2's tree of ``html``, and whether it stopped at its depth limit (the rest lost)."""
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None, False
    return root, any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "depth" in e.message for e in parser.error_log)


def parse_html(html: str, *, name: str = "") -> etree._Element | None:
    """The lxml tree of a page (libxml2's HTML parser: linear time, recovers from broken markup),
    or None when there is no document. ``</script<`` is closed first: a browser would read the
    rest of the page as script. A page nested deeper than libxml2 goes is parsed again
    flattened (:mod:`claimflow.ingest.flatten`), and with no markup at all if even that is too
    deep: its text is never cut at the depth limit."""
    html = _UNCLOSED_END_TAG.sub(r"</\1>", _XML_DECLARATION.sub("", html, count=1))
    root, too_deep = _parsed(html)
    for depth in (FLAT_DEPTH, 0):
        if not too_deep:
            break
        log.warning("markup nested too deep page=%s: flattened to %d levels", name or "-", depth)
        root, too_deep = _parsed(flattened(html, depth, hidden=_SKIP))
    return root


def visible_text(root: etree._Element) -> str:
    """The text a reader sees in a parsed page: no scripts, styles or drawing labels; one line per
    block element. An unclosed ``<svg>`` keeps the page after it, since only SVG's own text
    elements are left out."""
    parts: list[str] = []
    skipping = 0
    in_svg = 0

    def hidden(tag: str) -> bool:
        return tag in _SKIP or (in_svg > 0 and tag in _SVG_TEXT)

    # comments and processing instructions come as one event each: only their tail is text
    for event, element in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            in_svg += tag == "svg"
            if hidden(tag):
                skipping += 1
            elif not skipping and element.text:
                parts.append(element.text)
            if tag in _BLOCK:
                parts.append("\n")
            continue
        if event == "end":
            if hidden(tag):
                skipping -= 1
            in_svg -= tag == "svg"
            if tag in _BLOCK:
                parts.append("\n")
        if not skipping and element.tail:
            parts.append(element.tail)
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """The visible text of an HTML page or fragment: no tags, scripts or styles; paragraphs on their own lines."""
    root = parse_html(_CONTROL.sub("", html))
    return visible_text(root) if root is not None else ""


def looks_like_html(text: str) -> bool:
    """Whether decoded ``text`` (its first 64 KB) is an HTML document rather than prose mentioning tags."""
    head = text[:65536]
    return bool(_HTML.search(head)) or (bool(_HTML_START.match(head)) and head.count("</") >= 2)


def decode_bytes(
    raw: bytes, *, name: str, content_type: str | None = None, html: bool = False, max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """The characters of one input, without control characters; HTML is decoded as a browser
    would and never refused for its encoding.

    Raises:
        RejectedInput: ``empty``, ``too_large`` (over ``max_bytes``), ``binary``,
            ``invalid_encoding`` (plain text only) or ``control_chars``.
    """
    if not raw:
        raise RejectedInput("empty", f"{name}: 0 bytes")
    if len(raw) > max_bytes:
        raise RejectedInput("too_large", f"{name}: {len(raw):,} bytes, limit {max_bytes:,}")
    text = _decode(raw, name, content_type=content_type, html=html)
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        raise RejectedInput("control_chars", f"{name}: {controls} of {len(text)} characters are control characters")
    return _PAGE_BREAK.sub("\n", _CONTROL.sub("", text))


def decode_text(raw: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of one plain-text input record, repaired where that is safe.

    Args:
        raw: the record's bytes (a whole .txt file, or one record's text field encoded).
        name: where the bytes came from, quoted in every refusal.
        max_bytes: the size limit; larger inputs are refused before any decoding.

    Returns:
        The decoded text, without control characters, HTML reduced to its visible text.

    Raises:
        RejectedInput: with reason ``empty``, ``too_large``, ``binary``, ``invalid_encoding``,
            ``control_chars``, ``no_text`` or ``blank``.
    """
    text = decode_bytes(raw, name=name, max_bytes=max_bytes)
    if looks_like_html(text):
        text = html_to_text(text)
        if not text:
            raise RejectedInput("no_text", f"{name}: HTML without visible text")
    if not text.strip():
        raise RejectedInput("blank", f"{name}: only whitespace")
    return text


def normalize_text(text: str) -> str:
    """NFC, ``\\n`` newlines, no trailing spaces, at most two blank lines in a row.

    Offsets into the result differ from offsets into the input, so ingest normalizes before
    extraction and stores only the normalized text.
    """
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)
    text = re.sub(r"[^\S\n]+$", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{4,}", "\n\n\n", text).strip("\n")


_STOPWORDS = {
    "en": "the and of to in is that it was for on with as by he she they his her at from this have has had "
    "are were be been said not but which will would an or their who there",
    "es": "el la los las de del que y en un una por con para es no se su al lo como más pero sus le ya fue "
    "este ha porque esta entre cuando muy sin sobre también dijo según",
    "fr": "le la les de des du et est un une en que qui dans pour pas au aux sur avec ce il elle ne se sont "
    "par plus mais ont été cette leur nous vous selon déclaré",
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an als nach wie "
    "aus bei sie er wird wurde hat haben oder aber noch sagte laut",
    "it": "il lo la gli le di del della che e è un una per con non sono da nel nella si ha al alla anche "
    "come più ma dei delle stato secondo detto",
    "pt": "o a os as de do da dos das que e é um uma em no na para com não por se ao mais foi pelo pela seu "
    "sua também são disse segundo",
    "nl": "de het een en van is dat die in op te met voor niet zijn er aan ook als door maar om bij nog werd "
    "heeft naar wordt deze zei volgens",
}
_PROFILES = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")
MIN_HITS = 4  # stopwords the winner must match at least
MIN_MARGIN = 1.25  # and by how much it must beat the runner-up


def detect_language(text: str, *, max_words: int = 2000) -> str | None:
    """The ISO 639-1 code (en, es, fr, de, it, pt, nl) whose stopwords ``text`` uses most, or None.

    Stopword profiles need no model download and take microseconds; they are unsure on very
    short texts and on other languages, and then say None rather than guess.
    """
    words = [w.lower() for w in _WORD.findall(text[: max_words * 12])][:max_words]
    hits = Counter({lang: sum(w in profile for w in words) for lang, profile in _PROFILES.items()})
    (best, best_hits), (_, second_hits) = hits.most_common(2)
    if best_hits < MIN_HITS or best_hits < MIN_MARGIN * second_hits:
        return None
    return best
