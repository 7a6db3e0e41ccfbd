"""What an encoding label means to a browser: the WHATWG Encoding Standard's label table.

The table (``whatwg_encodings.json``: the standard's ``encodings.json``, 40 encodings and their
227 labels, with the Python codec claimflow decodes each with) is the one owner of the labels.
A label is looked up as the standard says (ASCII whitespace trimmed, case ignored) and means
only what it means there: ``ISO-8859-1``, ``latin1`` and ``ascii`` are windows-1252,
``Shift_JIS`` is windows-31j, ``GBK`` is GB18030, ``utf-16`` is UTF-16LE. Any other label,
even one Python knows (``cp037``, ``utf-7``, ``idna``, ``undefined``), is no label: a browser
ignores it, and so does :mod:`claimflow.ingest.decode`, which goes on to the next clue (the
``<meta>``, then detection).

Two entries differ from a browser, on purpose. The ``replacement`` labels (``iso-2022-kr``,
``hz-gb-2312``...) make a browser show one U+FFFD for the whole page, against script smuggled
through those encodings; an article pipeline runs no script, and a page shown as one U+FFFD would
be refused, so these labels are ignored like unknown ones and detection reads the page.
``x-user-defined`` maps bytes 0x80-0xFF to private-use characters, which no reader can read;
windows-1252 reads the same ASCII and gives letters for the rest.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from types import MappingProxyType

TABLE = Path(__file__).with_name("whatwg_encodings.json")
_SINGLE_BYTE = "Legacy single-byte encodings"  # the standard's heading of the one-byte-per-character encodings
_WHITESPACE = "\t\n\f\r "  # ASCII whitespace, which the standard trims from a label


def _load() -> tuple[MappingProxyType[str, str], frozenset[str]]:
    """Every label's codec (``replacement`` labels left out), and the codecs of single-byte encodings."""
    groups = json.loads(TABLE.read_text(encoding="utf-8"))
    labels = {
        label: encoding["codec"]
        for group in groups
        for encoding in group["encodings"]
        if encoding["codec"]
        for label in encoding["labels"]
    }
    single = frozenset(e["codec"] for group in groups if group["heading"] == _SINGLE_BYTE for e in group["encodings"])
    return MappingProxyType(labels), single


LABELS, SINGLE_BYTE_CODECS = _load()
WEB_CODECS = frozenset(LABELS.values())


def web_encoding(label: str | None) -> str | None:
    """The Python codec a browser's decoder for encoding ``label`` matches, or None when the
    label is none of the standard's (or a ``replacement`` one)."""
    if not label:
        return None
    return LABELS.get(label.strip(_WHITESPACE).strip("\"'").lower())


def web_codec(codec: str) -> str | None:
    """The web encoding a Python codec name (as charset-normalizer gives it) stands for, or None
    when no browser decodes with it (``cp037``, ``utf_32``)."""
    try:
        name = codecs.lookup(codec).name
    except LookupError:
        return None
    return name if name in WEB_CODECS else web_encoding(name) or web_encoding(name.replace("_", "-"))
