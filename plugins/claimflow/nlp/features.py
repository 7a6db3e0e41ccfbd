"""The scorer's view of a candidate: string features for the linear scorer (``scorer.py``).

Training (``claimflow train``) and extraction featurize candidates here alike, so a feature
added here is learned by the next training run and read by the component.
"""

from __future__ import annotations

import heapq
from collections import Counter

from spacy.tokens import Doc

from claimflow.nlp.candidates import Candidate
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions

OUTER_KINDS = ("ccomp", "inverted", "postposed", "detached", "parenthetical", "adjacent_quote")  # report whole clauses
COLON_OUTER_KINDS = ("colon_clause",)  # hold what follows the colon whatever the verb ("iterated ...:")


def add_features(doc: Doc, found: list[Candidate], lexicon: Lexicon, quotes: QuoteRegions) -> None:
    """Fill in each candidate's features, marking those nested in another candidate's content.

    A cue inside the content of a whole-clause reading of a likely cue ("officials said Hamas
    claimed X") is nested: PolNeAR folds it into the outer attribution.
    """
    outer = [
        c
        for c in found
        if c.kind in COLON_OUTER_KINDS
        or (c.kind in OUTER_KINDS and lexicon.prior_bucket(doc[c.head].lemma_.lower()) == "hi")
    ]
    nested = _nested(doc, found, outer)
    for k, cand in enumerate(found):
        cand.features = features(doc, cand, lexicon, quotes)
        if k in nested:
            cand.features += ["nested", f"nested|kind={cand.kind}"]


def _nested(doc: Doc, found: list[Candidate], outer: list[Candidate]) -> set[int]:
    """The positions in ``found`` of the candidates whose cue starts inside the content of an
    ``outer`` candidate with another head.

    One sweep over the cues and content ranges in text order (a heap of the ranges open at each
    cue, with a count of their heads), not a scan of every outer candidate per candidate: that
    was quadratic in the article's length.
    """
    ranges = sorted((s, e, o.head) for o in outer for s, e in o.content)
    cues = sorted((doc[cand.cue[0]].idx, k) for k, cand in enumerate(found))
    open_ranges: list[tuple[int, int]] = []  # (end, head) of the ranges begun at or before the cue
    heads: Counter[int] = Counter()  # the heads of the ranges in ``open_ranges``
    nested: set[int] = set()
    r = 0
    for start, k in cues:
        while r < len(ranges) and ranges[r][0] <= start:
            heapq.heappush(open_ranges, (ranges[r][1], ranges[r][2]))
            heads[ranges[r][2]] += 1
            r += 1
        while open_ranges and open_ranges[0][0] <= start:  # ended before the cue
            _, head = heapq.heappop(open_ranges)
            heads[head] -= 1
            if not heads[head]:
                del heads[head]
        if len(heads) > 1 or (heads and found[k].head not in heads):
            nested.add(k)
    return nested


def features(doc: Doc, cand: Candidate, lexicon: Lexicon, quotes: QuoteRegions) -> list[str]:
    """String features of a candidate for the linear scorer."""
    head = doc[cand.head]
    lemma = head.lemma_.lower() if cand.kind != "according" else "according to"
    known = lemma in lexicon.verbs or lemma in lexicon.nouns or lemma in lexicon.adjectives or cand.kind == "according"
    lem = lemma if known else "<unk>"
    n_chars = sum(e - s for s, e in cand.content)
    size = "xs" if n_chars < 15 else "s" if n_chars < 40 else "m" if n_chars < 120 else "l"
    src = doc[cand.source[1] - 1] if cand.source else None
    src_type = "none"
    if src is not None:
        src_type = "pron" if src.pos_ == "PRON" else (src.ent_type_ or src.pos_)
        if src.lower_ in ("it", "this", "that", "which", "what"):
            src_type = "it"
    cue_tok = doc[cand.cue[0]]
    in_quote = quotes.inside(cue_tok.idx)
    neg = any(c.dep_ == "neg" for c in head.children)
    src_side = "none" if cand.source is None else "after" if cand.source[0] > cand.head else "before"
    kind = "ccomp" if cand.kind in ("postposed", "detached") else cand.kind  # a clause, then its cue
    feats = [
        "bias",
        f"srcside={src_side}",
        f"kind|srcside={kind}|{src_side}",
        f"kind={kind}",
        f"lemma={lem}",
        f"lemma|kind={lem}|{kind}",
        f"dep={head.dep_}",
        f"tag={head.tag_}",
        f"size={size}",
        f"kind|size={kind}|{size}",
        f"src={src_type}",
        f"kind|src={kind}|{src_type}",
        f"lemma|src={lem}|{src_type != 'none'}",
        f"inquote={in_quote}",
        f"neg={neg}",
        f"prior={lexicon.prior_bucket(lemma)}",
        f"prior|kind={lexicon.prior_bucket(lemma)}|{kind}",
        f"quotecontent={quotes.kind(cand.content)}",
    ]
    if head.dep_ in ("amod", "acl", "relcl", "advcl", "xcomp", "pcomp"):
        feats.append(f"lemma|dep={lem}|{head.dep_}")
    if cand.kind != "passive_subject" and any(c.dep_ == "auxpass" for c in head.children):
        feats.append("passive")  # every passive_subject reading is passive: its kind says so
        if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in head.children):
            feats.append(f"passive_it|kind={kind}")  # "it was reported that": the classic sourceless form
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "could", "might", "may", "should") for c in head.children):
        feats.append("modal")
    if head.i > 0 and doc[head.i - 1].lower_ == "to":
        feats.append("infinitive")
    if cand.source is not None:
        first = doc[cand.source[0]]
        at_para_start = first.i == 0 or "\n" in doc[first.i - 1].text_with_ws
        feats.append(f"kind|parastart={kind}|{at_para_start}")
    return feats
