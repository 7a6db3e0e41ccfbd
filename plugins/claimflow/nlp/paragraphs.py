"""Where a claim's content starts and ends: within its cue's paragraph.

Content never runs across a line break: PolNeAR's annotators end it at the paragraph (one
gold content piece in 23,289 of PolNeAR train crosses one), and the text across a break is a
heading, a dateline or the paragraph before, which the parse glued to the cue's sentence. A
quotation carried on into the next paragraph is a piece of its own (``quotes.py``), so it stays.
"""

from __future__ import annotations

import bisect

from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.spans import EDGE_PUNCT, END_PUNCT

LEAD = "".join(EDGE_PUNCT) + " \t\r"
TAIL = "".join(END_PUNCT) + " \t\r"


def within_paragraph(quotes: QuoteRegions, ranges: list[tuple[int, int]], cue: tuple[int, int]) -> list[tuple[int, int]]:
    """The content ranges cut at line breaks to the cue's paragraph (``cue``: its characters).

    A range that crosses a break keeps its lines in the cue's paragraph; one with no line there
    stays whole (the parse put it elsewhere, and which of its lines is meant cannot be told from
    where the cue is). Each kept line loses its edge punctuation, as content made of tokens does
    (``spans.py``). A paragraph that ends in a colon ("issued the following statement:")
    announces the next, so its content runs on. Paragraph ends come from ``quotes``' sorted
    line breaks, so a claim costs its content's length, not the article's.
    """
    text = quotes.text
    if not any("\n" in text[start:end] for start, end in ranges):
        return ranges
    k = bisect.bisect_left(quotes.newlines, cue[0])
    para_start = quotes.newlines[k - 1] + 1 if k else 0
    para_end = quotes.paragraph_end(cue[1])
    if text[para_start:para_end].rstrip().endswith(":"):
        return ranges
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if "\n" not in text[start:end]:
            out.append((start, end))
            continue
        lines = [_trimmed(text, s, e) for s, e in _lines(text, start, end)]
        near = [(s, e) for s, e in lines if e > s and s >= para_start and e <= para_end]
        out.extend(near or [(start, end)])
    return out


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of the lines of ``text[start:end]``."""
    out, pos = [], start
    for line in text[start:end].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The range without leading edge punctuation and trailing final punctuation or spaces."""
    while start < end and text[start] in LEAD:
        start += 1
    while end > start and text[end - 1] in TAIL:
        end -= 1
    return start, end
