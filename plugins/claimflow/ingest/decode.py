"""Raw bytes of one input record to clean text, or a refusal with a machine-readable reason.

Feeds break in many ways (empty pages, PNGs renamed .txt, Latin-1 bytes, UTF-16 exports,
HTML pages with scripts, NUL bytes); each is either repaired into an article or refused with
``RejectedInput(reason, detail)`` so the record lands in quarantine and the batch goes on.
Reasons: ``empty``, ``blank``, ``too_large``, ``binary``, ``invalid_encoding``,
``control_chars``, ``no_text``. Language is only detected here; the quality suite decides.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser

from claimflow.exceptions import RejectedInput

DEFAULT_MAX_BYTES = 2_000_000  # at most as many characters as the articles suite's too_large allows
MAX_NUL_SHARE = 0.1  # more NUL bytes than this in the head of a file without BOM: binary
MAX_CONTROL_SHARE = 0.3  # more control characters than this in decoded text: refused, not repaired

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


def _decode(raw: bytes, name: str) -> str:
    """Strict decoding: a BOM picks UTF-8/16/32, no BOM means UTF-8 after a binary check."""
    bom, encoding = next(((bom, enc) for bom, enc in _BOMS if raw.startswith(bom)), (b"", "utf-8"))
    if not bom and (kind := _binary_kind(raw)):
        raise RejectedInput("binary", f"{name}: {kind}")
    try:
        return raw[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        raise RejectedInput(
            "invalid_encoding", f"{name}: not valid {encoding} at byte {exc.start + len(bom)}: {exc.reason}"
        ) from None


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page, one line per block element."""

    SKIP = frozenset("script style noscript template head svg iframe object".split())
    BLOCK = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre hr figcaption "
        "main".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skipping.clear()  # an unclosed <head> must not swallow the page
        elif tag in self.SKIP:
            self.skipping[tag] += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping[tag] > 0:
            self.skipping[tag] -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not any(self.skipping.values()):
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page: no tags, scripts or styles; paragraphs on their own lines."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _looks_like_html(text: str) -> bool:
    head = text[:65536]
    return bool(_HTML.search(head)) or (bool(_HTML_START.match(head)) and head.count("</") >= 2)


def decode_text(raw: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of one input record, repaired where that is safe.

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
    if not raw:
        raise RejectedInput("empty", f"{name}: 0 bytes")
    if len(raw) > max_bytes:
        raise RejectedInput("too_large", f"{name}: {len(raw):,} bytes, limit {max_bytes:,}")
    text = _decode(raw, name)
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        raise RejectedInput("control_chars", f"{name}: {controls} of {len(text)} characters are control characters")
    text = _PAGE_BREAK.sub("\n", _CONTROL.sub("", text))
    if _looks_like_html(text):
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
