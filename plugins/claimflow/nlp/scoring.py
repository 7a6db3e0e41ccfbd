"""Matching predicted claims to gold ones on character offsets: what the component's scorer and
``claimflow evaluate`` both count.

It lives beside the component, as spaCy keeps its scorers, so that ``nlp.evaluate`` works in an
install without the evaluation tools. Every measure counts non-whitespace characters only, so a
span that differs from the gold one by a space or a line break scores the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from claimflow.models import Claim, Span

THRESHOLDS = (0.3, 0.8)


@dataclass(frozen=True)
class Attribution:
    """One attribution relation: source, cue and content, each a tuple of spans (may be empty)."""

    source: tuple[Span, ...]
    cue: tuple[Span, ...]
    content: tuple[Span, ...]


def chars(spans: Iterable[Span], text: str) -> frozenset[int]:
    """The offsets of the non-whitespace characters the spans cover."""
    return frozenset(i for s in spans for i in range(s.start, s.end) if not text[i].isspace())


def as_attribution(claim: Claim) -> Attribution:
    """A predicted claim in the gold record shape."""
    return Attribution((claim.source,) if claim.source else (), (claim.cue,), tuple(claim.content))


def ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def match(
    text: str, gold: list[Attribution], pred: list[Attribution], threshold: float
) -> list[tuple[Attribution, Attribution]]:
    """One-to-one pairs whose predicted content covers ``threshold`` of the gold content.

    Args:
        text: the article text.
        gold: the gold attributions.
        pred: the predicted attributions.
        threshold: the least share of the gold content's characters the prediction must cover.

    Returns:
        The matched (gold, predicted) pairs, picked greedily by best character Jaccard.
    """
    g_chars = [chars(a.content, text) for a in gold]
    p_chars = [chars(a.content, text) for a in pred]
    candidates = []
    for i, g in enumerate(g_chars):
        if not g:
            continue
        for j, p in enumerate(p_chars):
            both = len(g & p)
            if both and both >= threshold * len(g):
                candidates.append((both / len(g | p), i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((gold[i], pred[j]))
    return pairs
