"""Rebuild the mined lexicon and the scorer weights from brat-annotated articles.

Two steps over the same parsed docs: count how often each verb/noun lemma lies inside a gold
cue (``cues.jsonl``: lemma, part of speech, counts, prior), then label every candidate the
component generates (1 when it matches a gold attribution: overlapping cue and content covering
at least ``coverage`` of the gold content) and fit the logistic scorer (``scorer.json``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.tokens import Doc

from claimflow.evaluation.brat import Article
from claimflow.nlp.claims import ClaimExtractor
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.scorer import WEIGHTS_FILE, Scorer, fit
from claimflow.nlp.scoring import chars

CUE_POS = ("VERB", "NOUN", "ADJ")


def mine_cues(pairs: Iterable[tuple[Article, Doc]], min_count: int = 3, min_prior: float = 0.05) -> list[dict]:
    """Lemmas that head gold cues often enough, with the share of their uses that are cues.

    Args:
        pairs: annotated articles with their parsed docs.
        min_count: the least number of gold cues a lemma must head.
        min_prior: the least share of the lemma's uses that must be cues.

    Returns:
        Rows ``{"lemma", "pos", "cues", "uses", "prior"}`` sorted by lemma.
    """
    cue: Counter[tuple[str, str]] = Counter()
    uses: Counter[tuple[str, str]] = Counter()
    for article, doc in pairs:
        cue_chars = {i for a in article.attributions for s in a.cue for i in range(s.start, s.end)}
        for tok in doc:
            if tok.pos_ not in CUE_POS:
                continue
            key = (tok.lemma_.lower(), tok.pos_)
            uses[key] += 1
            if tok.idx in cue_chars:
                cue[key] += 1
    rows = []
    for (lemma, pos), n in sorted(cue.items()):
        prior = n / uses[(lemma, pos)]
        if n >= min_count and prior >= min_prior and lemma.isalpha():
            rows.append({"lemma": lemma, "pos": pos, "cues": n, "uses": uses[(lemma, pos)], "prior": round(prior, 3)})
    return rows


def label_candidates(
    extractor: ClaimExtractor, pairs: Iterable[tuple[Article, Doc]], coverage: float = 0.3
) -> tuple[list[list[str]], list[int]]:
    """Features and 0/1 labels of every candidate the extractor generates on the articles."""
    rows: list[list[str]] = []
    labels: list[int] = []
    for article, doc in pairs:
        text = doc.text
        gold = [(chars(a.content, text), chars(a.cue, text)) for a in article.attributions]
        for _, cand in extractor.scored(doc, QuoteRegions(text)):
            content = {i for s, e in cand.content for i in range(s, e) if not text[i].isspace()}
            cue = set(range(doc[cand.cue[0]].idx, doc[cand.cue[1] - 1].idx + len(doc[cand.cue[1] - 1])))
            hit = any(
                g_cue & cue and len(g_content & content) >= coverage * len(g_content)
                for g_content, g_cue in gold
                if g_content
            )
            rows.append(cand.features)
            labels.append(int(hit))
    return rows, labels


def train(
    pairs: Sequence[tuple[Article, Doc]],
    base: Lexicon,
    out_dir: str | Path,
    *,
    l2: float = 3.0,
    min_count: int = 1,
    source: str = "",
) -> dict[str, int]:
    """Mine the cue lexicon, fit the scorer and write both into ``out_dir``.

    Args:
        pairs: annotated training articles with their parsed docs.
        base: the lexicon whose hand-written parts (stances, hedges, source nouns) are kept.
        out_dir: where ``cues.jsonl`` and ``scorer.json`` (and the kept files) are written.
        l2: the scorer's L2 penalty.
        min_count: the least number of gold cues for a lemma to enter the lexicon.
        source: the corpus the weights come from, recorded in ``scorer.json``.

    Returns:
        Counts for the log: articles, lexicon rows, candidates, positives, weights.
    """
    rows = mine_cues(pairs, min_count=min_count)
    lexicon = dataclasses.replace(  # the hand-written lists (stances, hedges, source words) kept as they are
        base,
        verbs={r["lemma"]: r["prior"] for r in rows if r["pos"] == "VERB"},
        nouns={r["lemma"]: r["prior"] for r in rows if r["pos"] == "NOUN"},
        adjectives={r["lemma"]: r["prior"] for r in rows if r["pos"] == "ADJ"},
        cue_rows=rows,
    )
    extractor = ClaimExtractor(None, lexicon=lexicon, scorer=Scorer({}))
    feats, labels = label_candidates(extractor, pairs)
    scorer = fit(feats, labels, l2=l2)
    out = Path(out_dir)
    lexicon.to_dir(out)
    stats = {
        "articles": len(pairs),
        "lexicon_rows": len(rows),
        "candidates": len(labels),
        "positives": sum(labels),
    }
    scorer.meta.update(source=source, trained_by="claimflow train", **stats)
    scorer.to_file(out / WEIGHTS_FILE)
    stats["weights"] = len(scorer.weights)
    return stats
