"""All candidate attributions of a doc: every cue construction run over the parse.

Each candidate records which construction produced it ("ccomp", "inverted", "according", ...)
and a bag of string features, so a small linear scorer (see ``scorer.py``) decides which
candidates are claims. Generation is deliberately generous; precision comes from the scorer.

Where each construction lives: verbs in ``verb_cues.py``; adjectives, "according to", colons,
"there were reports" and reporting nouns in ``phrase_cues.py``; the source of a cue in
``source_finding.py``; the cue's extent in ``cue_bounds.py``; features in ``features.py``.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from claimflow.nlp.candidates import Candidate
from claimflow.nlp.features import add_features
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.phrase_cues import (
    according_candidates,
    adjective_candidates,
    colon_candidates,
    existential_candidates,
    noun_candidates,
)
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.spans import sentence_ends
from claimflow.nlp.verb_cues import verb_candidates


def candidates(doc: Doc, lexicon: Lexicon, quotes: QuoteRegions) -> list[Candidate]:
    """All candidate attributions of a parsed doc, with their scorer features filled in.

    Args:
        doc: a doc parsed by a pipeline with a dependency parser and NER.
        lexicon: cue words and their classes.
        quotes: the doc's quotation regions.

    Returns:
        Candidates in cue order; several may share content (nested attributions).
    """
    ends = sentence_ends(doc)
    by_pos: dict[str, list[Token]] = {"VERB": [], "NOUN": [], "ADJ": [], "PUNCT": [], "according": []}
    for tok in doc:  # one pass: making Token objects is the component's main cost
        pos = "according" if tok.lower_ == "according" else "VERB" if tok.pos_ == "AUX" else tok.pos_
        if pos in by_pos:
            by_pos[pos].append(tok)
    found = (
        verb_candidates(doc, by_pos["VERB"], lexicon, quotes, ends)
        + according_candidates(doc, by_pos["according"], ends)
        + noun_candidates(doc, by_pos["NOUN"], lexicon)
        + adjective_candidates(doc, by_pos["ADJ"], lexicon)
        + colon_candidates(doc, by_pos["PUNCT"], quotes, ends)
        + existential_candidates(doc, by_pos["NOUN"], lexicon, ends)
    )
    found.sort(key=lambda c: c.cue)
    add_features(doc, found, lexicon, quotes)
    return found
