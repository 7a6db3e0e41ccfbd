"""The scores of issue 3, computed on character offsets: matched claims and per-role overlap.

Claims are paired as the component's scorer pairs them (:mod:`claimflow.nlp.scoring`). The
overlap measures count non-whitespace characters only, so a span that differs from the gold one
by a space or a line break scores the same. Counts are summed over a whole split before dividing.

The exact-span scores per role count spans as CofeNet (COLING 2022) counts them on PolNeAR: every
distinct span of a role in an article, whichever attribution it belongs to and each piece of a
discontinuous span on its own, is one item; a predicted span is right only when both of its ends
are the gold span's, once whitespace and quote marks around it are cut (issue 23). Punctuation
is not cut: a content span that keeps or drops the gold's final stop is a different span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from claimflow.models import Span
from claimflow.nlp.scoring import THRESHOLDS, Attribution, chars, f1, match, ratio

ROLES = ("source", "cue", "content")
QUOTES = " \t\r\n\"'“”‘’«»‹›„‟`"
TRIM = QUOTES + ",.;:!?-–—()[]"


def trimmed(span: Span, text: str, cut: str = TRIM) -> tuple[int, int]:
    """The span's offsets with the characters of ``cut`` (by default whitespace, quote marks and
    edge punctuation) cut off both ends."""
    start, end = span.start, span.end
    while start < end and text[start] in cut:
        start += 1
    while end > start and text[end - 1] in cut:
        end -= 1
    return start, end


@dataclass
class Counts:
    """Running totals over a split; ``report`` turns them into percentages."""

    gold: int = 0
    pred: int = 0
    matched: dict[float, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    source_ok: dict[float, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    cue_ok: dict[float, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    overlap: dict[str, list[int]] = field(default_factory=lambda: {r: [0, 0, 0] for r in ROLES})
    exact: dict[str, list[int]] = field(default_factory=lambda: {r: [0, 0, 0] for r in ROLES})

    def add(self, text: str, gold: Iterable[Attribution], pred: Iterable[Attribution]) -> None:
        """Add one article's gold and predicted attributions to the totals."""
        gold, pred = list(gold), list(pred)
        self.gold += len(gold)
        self.pred += len(pred)
        for threshold in THRESHOLDS:
            for g, p in match(text, gold, pred, threshold):
                self.matched[threshold] += 1
                self.source_ok[threshold] += source_agrees(text, g, p)
                self.cue_ok[threshold] += bool(chars(g.cue, text) & chars(p.cue, text))
        for role in ROLES:
            g_spans = [s for a in gold for s in getattr(a, role)]
            p_spans = [s for a in pred for s in getattr(a, role)]
            g_chars, p_chars = chars(g_spans, text), chars(p_spans, text)
            totals = self.overlap[role]
            totals[0] += len(g_chars & p_chars)
            totals[1] += len(p_chars)
            totals[2] += len(g_chars)
            g_exact = exact_spans(g_spans, text)
            p_exact = exact_spans(p_spans, text)
            exact = self.exact[role]
            exact[0] += len(g_exact & p_exact)
            exact[1] += len(p_exact)
            exact[2] += len(g_exact)

    def report(self) -> dict[str, float | int]:
        """Percentages (one decimal) keyed by metric name, plus the claim counts."""
        out: dict[str, float | int] = {"gold_claims": self.gold, "predicted_claims": self.pred}
        for t in THRESHOLDS:
            m = self.matched[t]
            p, r = ratio(m, self.pred), ratio(m, self.gold)
            out[f"claims@{t}_precision"] = pct(p)
            out[f"claims@{t}_recall"] = pct(r)
            out[f"claims@{t}_f1"] = pct(f1(p, r))
            out[f"claims@{t}_source_accuracy"] = pct(ratio(self.source_ok[t], m))
            out[f"claims@{t}_cue_accuracy"] = pct(ratio(self.cue_ok[t], m))
        for role in ROLES:
            both, n_pred, n_gold = self.overlap[role]
            p, r = ratio(both, n_pred), ratio(both, n_gold)
            out[f"{role}_overlap_precision"] = pct(p)
            out[f"{role}_overlap_recall"] = pct(r)
            out[f"{role}_overlap_f1"] = pct(f1(p, r))
            hit, n_pred, n_gold = self.exact[role]
            p, r = ratio(hit, n_pred), ratio(hit, n_gold)
            out[f"{role}_exact_precision"] = pct(p)
            out[f"{role}_exact_recall"] = pct(r)
            out[f"{role}_exact_f1"] = pct(f1(p, r))
        return out


def exact_spans(spans: Iterable[Span], text: str) -> set[tuple[int, int]]:
    """The distinct non-empty offsets of the spans, cut of whitespace and quote marks only."""
    return {t for t in (trimmed(s, text, QUOTES) for s in spans) if t[0] < t[1]}


def pct(x: float) -> float:
    return round(100 * x, 1)


def source_agrees(text: str, gold: Attribution, pred: Attribution) -> bool:
    """Sources agree when their characters overlap, or when neither names a source."""
    if not gold.source:
        return not pred.source
    return bool(chars(gold.source, text) & chars(pred.source, text))
