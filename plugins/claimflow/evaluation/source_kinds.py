"""``claimflow evaluate --source-kinds``: how often a claim's source gets the kind a reader gives it.

The gold is a JSONL file of source spans of a PolNeAR-format corpus, one per line:
``{"doc", "start", "end", "kind", "sha1"}`` (offsets into ``SPLIT/text/DOC.txt``, the kind a reader
gave the span, the SHA-1 of its text; no corpus text is stored). A row whose text no longer hashes
to its ``sha1`` (the corpus changed) is skipped and counted, not scored against the wrong words.

The classifier under test is a parameter, so the arithmetic can be checked with a fixed one while
the real one (``claimflow.nlp.speakers.classify_sources``) changes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.evaluation.brat import read_text, split_folder
from claimflow.evaluation.metrics import pct
from claimflow.models import SOURCE_KINDS, Claim
from claimflow.nlp.scoring import f1, ratio

if TYPE_CHECKING:  # spaCy loads only when something is parsed
    from spacy.tokens import Doc

GOLD_KINDS = tuple(k for k in SOURCE_KINDS if k != "none")
DEFAULT_GOLD_DIR = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "source_kinds"

# Kinds for the source spans of one parsed article, given as (start, end) in text order.
KindClassifier = Callable[["Doc", Sequence[tuple[int, int]]], list[str]]


@dataclass(frozen=True)
class GoldSpan:
    """One hand-labelled source span: where it is, its kind, and the hash of its text."""

    doc: str
    start: int
    end: int
    kind: str
    sha1: str


def span_sha1(text: str) -> str:
    """The SHA-1 of a span's UTF-8 text, as the gold files store it."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def read_gold(path: Path) -> list[GoldSpan]:
    """The gold rows of a JSONL file, checked: a bad row raises with its line number and reason."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                span = GoldSpan(row["doc"], int(row["start"]), int(row["end"]), row["kind"], row["sha1"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: expected a row with doc, start, end, kind, sha1 ({exc})") from exc
            if span.kind not in GOLD_KINDS:
                raise ValueError(f"{path}:{number}: kind {span.kind!r} is not one of {', '.join(GOLD_KINDS)}")
            if not 0 <= span.start < span.end:
                raise ValueError(f"{path}:{number}: expected 0 <= start < end, got {span.start}, {span.end}")
            rows.append(span)
    return rows


@dataclass
class KindScores:
    """Gold and predicted kinds of the scored spans; ``report`` turns them into the issue's numbers."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, gold: str, predicted: str) -> None:
        """Count one span's gold and predicted kind."""
        self.pairs.append((gold, predicted))

    def labels(self) -> list[str]:
        """The kinds that occur in the gold or the predictions, in ``SOURCE_KINDS`` order."""
        seen = {k for pair in self.pairs for k in pair}
        return [k for k in SOURCE_KINDS if k in seen]

    def confusion(self) -> dict[str, dict[str, int]]:
        """Counts of gold kind (rows) by predicted kind (columns), every cell present."""
        counts = Counter(self.pairs)
        labels = self.labels()
        return {g: {p: counts[(g, p)] for p in labels} for g in labels}

    def per_kind(self) -> dict[str, dict[str, float | int]]:
        """Precision, recall and F1 (percent) and gold support of each kind."""
        gold = Counter(g for g, _ in self.pairs)
        predicted = Counter(p for _, p in self.pairs)
        hits = Counter(g for g, p in self.pairs if g == p)
        out: dict[str, dict[str, float | int]] = {}
        for kind in self.labels():
            precision, recall = ratio(hits[kind], predicted[kind]), ratio(hits[kind], gold[kind])
            out[kind] = {
                "precision": pct(precision),
                "recall": pct(recall),
                "f1": pct(f1(precision, recall)),
                "support": gold[kind],
            }
        return out

    def report(self) -> dict[str, Any]:
        """``spans``, ``accuracy`` (percent), ``per_kind`` and ``confusion``."""
        correct = sum(g == p for g, p in self.pairs)
        return {
            "spans": len(self.pairs),
            "accuracy": pct(ratio(correct, len(self.pairs))),
            "per_kind": self.per_kind(),
            "confusion": self.confusion(),
        }


def pipeline_classifier(nlp) -> KindClassifier:
    """The claim component's own source resolution, with the component's lexicon."""
    from claimflow.nlp.claims import COMPONENT
    from claimflow.nlp.speakers import classify_sources

    lexicon = nlp.get_pipe(COMPONENT).lexicon

    def classify(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[str]:
        return [resolution.kind for resolution in classify_sources(doc, spans, lexicon)]

    return classify


def claim_for(span: GoldSpan, claims: Iterable[Claim]) -> Claim | None:
    """The predicted claim whose source overlaps the gold span the most, if any does."""
    best, best_overlap = None, 0
    for claim in claims:
        if claim.source is None:
            continue
        overlap = min(span.end, claim.source.end) - max(span.start, claim.source.start)
        if overlap > best_overlap:
            best, best_overlap = claim, overlap
    return best


@dataclass
class CheckedGold:
    """The gold spans still valid against the corpus, grouped by article, and what was skipped."""

    texts: dict[str, str] = field(default_factory=dict)
    spans: dict[str, list[GoldSpan]] = field(default_factory=dict)
    skipped_changed: int = 0
    skipped_missing: int = 0


def check_gold(base: Path, gold: Iterable[GoldSpan]) -> CheckedGold:
    """Each article's gold spans in text order, minus those whose text no longer hashes to ``sha1``
    (counted in ``skipped_changed``) or whose article is gone (``skipped_missing``)."""
    by_doc: dict[str, list[GoldSpan]] = defaultdict(list)
    for span in gold:
        by_doc[span.doc].append(span)
    checked = CheckedGold()
    for name, spans in sorted(by_doc.items()):
        path = base / "text" / f"{name}.txt"
        if not path.is_file():
            checked.skipped_missing += len(spans)
            continue
        text = read_text(path)
        kept = sorted(
            (s for s in spans if s.end <= len(text) and span_sha1(text[s.start : s.end]) == s.sha1),
            key=lambda s: (s.start, s.end),
        )
        checked.skipped_changed += len(spans) - len(kept)
        if kept:
            checked.texts[name], checked.spans[name] = text, kept
    return checked


def evaluate_source_kinds(
    nlp,
    corpus: Path,
    split: str,
    gold: Sequence[GoldSpan],
    classify: KindClassifier | None = None,
) -> dict[str, Any]:
    """Score a classifier's kinds against the gold spans of one split, and the pipeline's claims too.

    Args:
        nlp: the spaCy pipeline with the claim component; it parses each article once.
        corpus: the PolNeAR-format folder holding ``SPLIT/text``.
        split: the split the gold spans point into.
        gold: the gold spans of that split.
        classify: the classifier under test (default: the claim component's resolution).

    Returns:
        ``spans``, ``accuracy``, ``per_kind``, ``confusion`` (gold rows by predicted columns),
        ``articles``, ``skipped_changed`` (text no longer matches its sha1), ``skipped_missing``
        (no such article), and ``in_pipeline``: for the gold spans some predicted claim's source
        overlaps (``covered``, ``coverage`` in percent), the share whose claim has the gold kind.
    """
    classify = classify or pipeline_classifier(nlp)
    checked = check_gold(split_folder(corpus, split), gold)
    scores, covered, agreed = KindScores(), 0, 0
    articles = ((text, name) for name, text in checked.texts.items())
    for doc, name in nlp.pipe(articles, as_tuples=True, batch_size=16):
        spans = checked.spans[name]
        for span, kind in zip(spans, classify(doc, [(s.start, s.end) for s in spans]), strict=True):
            scores.add(span.kind, kind)
            claim = claim_for(span, doc._.claims)
            if claim is not None:
                covered += 1
                agreed += claim.source_kind == span.kind
    report = scores.report()
    report.update(
        articles=len(checked.texts),
        skipped_changed=checked.skipped_changed,
        skipped_missing=checked.skipped_missing,
        in_pipeline={
            "covered": covered,
            "coverage": pct(ratio(covered, len(scores.pairs))),
            "agreement": pct(ratio(agreed, covered)),
        },
    )
    return report


def print_report(report: dict[str, Any]) -> None:
    """Accuracy, the per-kind table and the confusion matrix, for a terminal."""
    print(
        f"source kinds: {report['spans']} spans in {report['articles']} articles; accuracy {report['accuracy']}%"
        f" (skipped: {report['skipped_changed']} changed text, {report['skipped_missing']} missing article)"
    )
    print()
    print(f"{'kind':<13}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for kind, row in report["per_kind"].items():
        print(f"{kind:<13}{row['precision']:>10}{row['recall']:>8}{row['f1']:>7}{row['support']:>9}")
    print()
    labels = list(report["confusion"])
    print("gold/predicted" + "".join(f"{k:>{len(k) + 2}}" for k in labels))
    for gold_kind, row in report["confusion"].items():
        print(f"{gold_kind:<14}" + "".join(f"{row[k]:>{len(k) + 2}}" for k in labels))
    pipeline = report["in_pipeline"]
    print()
    print(
        f"in-pipeline agreement: {pipeline['agreement']}% of the {pipeline['covered']} gold spans"
        f" a predicted claim's source overlaps (coverage {pipeline['coverage']}%)"
    )
