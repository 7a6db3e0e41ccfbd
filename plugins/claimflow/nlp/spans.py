"""Token and character ranges shared by the cue constructions.

Cues and sources are token ranges ``[start, end)``; content is character ranges into the doc's
text, in text order, without edge punctuation (PolNeAR marks content that way).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Token

EDGE_PUNCT = set(",;:-–—()[]")
END_PUNCT = EDGE_PUNCT | {"."}  # a final stop is not part of reported content


def token_ranges(doc: Doc, indices: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous character ranges covering the given tokens, edge punctuation dropped."""
    ranges: list[tuple[int, int]] = []
    run: list[int] = []
    for i in sorted(set(indices)):
        if run and i != run[-1] + 1:
            ranges.extend(_trim_run(doc, run))
            run = []
        run.append(i)
    if run:
        ranges.extend(_trim_run(doc, run))
    return ranges


def _trim_run(doc: Doc, run: list[int]) -> list[tuple[int, int]]:
    """The character range of a run of tokens without its leading/trailing punctuation."""
    lo, hi = 0, len(run)
    while lo < hi and (doc[run[lo]].text in EDGE_PUNCT or doc[run[lo]].is_space):
        lo += 1
    while hi > lo and (doc[run[hi - 1]].text in END_PUNCT or doc[run[hi - 1]].is_space):
        hi -= 1
    if hi - lo == 0 or all(doc[i].is_punct for i in run[lo:hi]):
        return []
    first, last = doc[run[lo]], doc[run[hi - 1]]
    return [(first.idx, last.idx + len(last.text))]


def subtree_ids(token: Token) -> set[int]:
    """The indices of the token's subtree."""
    return {t.i for t in token.subtree}


def sentence_ends(doc: Doc) -> list[int]:
    """For each token, the index just past its sentence (``Token.sent`` rescans the doc each call)."""
    ends = [len(doc)] * len(doc)
    for sent in doc.sents:
        ends[sent.start : sent.end] = [sent.end] * (sent.end - sent.start)
    return ends
