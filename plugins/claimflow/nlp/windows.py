"""Parsing a long text in windows, so that memory follows the window, not the article.

spaCy's tagger, parser and NER hold about 3 KB of activations per character of the texts they
process at once: a 990,000-character article took 3.2 GB in spaCy alone. A text longer than
``WINDOW_CHARS`` is cut after a newline (else after a space) into pieces of at most that size,
each piece is parsed alone, and the pieces are joined back with ``Doc.from_docs`` into one doc
whose text is the article's exactly, so every character offset holds. The claim and entity
components then run on the joined doc: speakers and entities are resolved across the whole
article. A sentence or a name never spans a paragraph break, so the cut changes nothing but the
few tokens of context the model sees across it.
"""

from __future__ import annotations

from collections.abc import Collection

from spacy.language import Language
from spacy.tokens import Doc

WINDOW_CHARS = 100_000  # about 350 MB of spaCy activations; texts up to this size are parsed whole


def windows(text: str, size: int = WINDOW_CHARS) -> list[str]:
    """``text`` cut into consecutive pieces of at most ``size`` characters, each ending after a
    newline where one is in reach, else after a space, else at ``size``; they join back to ``text``."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = text.rfind("\n", start, end) + 1 or text.rfind(" ", start, end) + 1
        cut = cut if cut > start else end
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def parse_in_windows(nlp: Language, text: str, own: Collection[str], size: int = WINDOW_CHARS) -> Doc:
    """``text`` run through ``nlp``: its spaCy components window by window (:func:`windows`), then
    the components named in ``own`` (claimflow's, which need the whole article) on the joined doc."""
    parts = []
    for piece in windows(text, size):
        doc = nlp.make_doc(piece)
        for name, proc in nlp.pipeline:
            if name not in own:
                doc = proc(doc)
        parts.append(doc)
    doc = Doc.from_docs(parts, ensure_whitespace=False)
    for name, proc in nlp.pipeline:
        if name in own:
            doc = proc(doc)
    return doc
