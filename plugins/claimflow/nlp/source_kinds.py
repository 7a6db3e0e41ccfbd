"""What a source phrase headed by a common noun is, and what the article discloses about an unnamed one.

The head word is read against the word lists of ``sources.json``: a document or data ("the
report", "a poll", "numbers"), an institution ("the ministry"), a generic collective ("voters",
"41 percent of respondents", "the public") or people ("an official", "aides", "a bartender").
Which people are a named speaker, and which stay anonymous, is the speaker tracker's call
(``speakers.py``): it knows what the article said before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from claimflow.nlp.lexicon import Lexicon

# agent nouns the lists do not hold are still people: "a bartender", "the protester", "a historian"
PERSON_SUFFIXES = ("er", "or", "ist", "ian", "ant")
NOT_PEOPLE = ("ment", "ness", "tion", "sion", "ance", "ence")  # "-ment" ends "statement", not a person
AFFILIATION_DEPS = ("amod", "compound", "nmod", "npadvmod", "poss")
ORG_LABELS = ("ORG", "GPE", "FAC")
# a share or count of something has that something's kind: "41 percent of respondents", "a group of rabbis"
PARTITIVES = frozenset(
    "number percent share majority minority half third quarter dozen lot group average most many some few all none"
    " one handful".split()
)
QUANTIFIERS = frozenset({"some", "many", "most", "any", "all", "few", "other", "both"})
REASON_MARKS = ("because", "since", "as", "to")
CLAUSE_ENDS = frozenset(",;:.()—–\"“”")


@dataclass(frozen=True)
class Disclosure:
    """What the article says about an unnamed source: whose side it is on and why it is unnamed."""

    affiliation: str | None = None  # "Egyptian security" of "an Egyptian security official"
    organisation: str | None = None  # "Hamas" of "sources within Hamas"
    reason: str | None = None  # "not authorized to speak publicly"


def is_plural(token: Token) -> bool:
    return token.tag_ in ("NNS", "NNPS") or "Plur" in token.morph.get("Number")


def noun_kind(source: Span, root: Token, lexicon: Lexicon) -> str:
    """``document``, ``organisation``, ``group``, ``people`` or ``other`` for a common-noun head.

    A phrase that marks its source as kept unnamed ("people familiar with the talks") is people
    whatever its head; a number or share of something is a collective ("41 percent", "two out of
    three Americans").
    """
    lemma = head_lemma(root, lexicon)
    if marks_unnamed(source, lexicon):
        return "people"
    of = next((obj for prep in root.rights if prep.lower_ == "of" for obj in prep.children if obj.dep_ == "pobj"), None)
    if lemma in PARTITIVES and of is not None and of.pos_ in ("NOUN", "PROPN"):
        kind = noun_kind(source, of, lexicon)  # "significant numbers of Republican voters"
        return "group" if kind == "other" and is_plural(of) else kind
    if root.ent_type_ == "NORP" and not is_plural(root):
        return "people"  # "the Republican"
    if lemma in lexicon.documents:
        return "document"
    plural = is_plural(root)
    if lemma in lexicon.organisations:
        return "group" if plural else "organisation"  # "technology companies" are no one to ask
    if plural and generic(root, lexicon):
        return "group"  # "some strategists think", "party leaders want", "Republican legislators"
    if lemma in lexicon.titles:
        return "people"
    agent = lemma.endswith(PERSON_SUFFIXES) and not lemma.endswith(NOT_PEOPLE) and root.pos_ == "NOUN"
    if lemma in lexicon.groups and not plural and agent:
        return "people"  # "the investor", "a voter"; but "the public", "a generation"
    if lemma in lexicon.groups or root.ent_type_ in ("PERCENT", "CARDINAL"):
        return "group"
    if agent:
        return "group" if plural else "people"
    return "other"


def listed_lemma(token: Token, lexicon: Lexicon) -> str | None:
    """The token's word as the lists spell it, if they hold it: "Records" opening a sentence, which
    the tagger may take for a name with the lemma "Records", is "record"."""
    lemma, low = token.lemma_.lower(), token.lower_
    lists = (lexicon.documents, lexicon.organisations, lexicon.titles, lexicon.groups)
    return next((w for w in (lemma, low, low.removesuffix("s")) if any(w in words for words in lists)), None)


def head_lemma(root: Token, lexicon: Lexicon) -> str:
    return listed_lemma(root, lexicon) or root.lemma_.lower()


def generic(root: Token, lexicon: Lexicon) -> bool:
    """Whether plural people are a class voicing a view rather than sources reporting what they
    know: a role that is no insider's ("legislators", "voters"), a quantifier ("some", "most",
    "any"), or a cue of belief ("officials fear")."""
    lemma = head_lemma(root, lexicon)
    if lemma in lexicon.groups or (lemma in lexicon.titles and lemma not in lexicon.insiders):
        return True
    if any(c.lower_ in QUANTIFIERS for c in root.children if c.dep_ in ("det", "amod", "advmod")):
        return True
    return root.dep_ in ("nsubj", "nsubjpass") and lexicon.stance(root.head.lemma_.lower()) == "internal_state"


def marks_unnamed(source: Span, lexicon: Lexicon) -> bool:
    """Whether the phrase says its people are kept unnamed ("an official familiar with the matter")."""
    words = f" {' '.join(t.lower_ for t in source)} "
    return any(f" {phrase} " in words for phrase in lexicon.unnamed)


def disclose(source: Span, root: Token, lexicon: Lexicon, ents: Sequence[Span]) -> Disclosure:
    """The affiliation, organisation and reason for anonymity the article gives for an unnamed source
    whose phrase holds the entities ``ents``."""
    return Disclosure(
        affiliation(root, lexicon), organisation(root, lexicon, ents), anonymity_reason(source, lexicon)
    )


def affiliation(root: Token, lexicon: Lexicon) -> str | None:
    """The words before the head that say whose people they are: "Egyptian security" official,
    "Clinton" aides, "military" officials; ranks, counts and the like ("senior", "two", "female",
    the ``ranks`` list) say nothing of that."""
    kept = [
        child
        for child in root.lefts
        if child.dep_ in AFFILIATION_DEPS
        and child.lower_ not in lexicon.ranks
        and not child.like_num
        and child.pos_ not in ("PRON", "VERB")  # "informed" officials
    ]
    if not kept:
        return None
    words = [t for child in kept for t in child.subtree if t.dep_ not in ("det", "case") and t.lower_ not in lexicon.ranks]
    return " ".join(t.text for t in words) or None


def organisation(root: Token, lexicon: Lexicon, ents: Sequence[Span]) -> str | None:
    """The organisation the phrase headed by ``root`` and holding the entities ``ents`` places its
    source in: a named one ("sources within Hamas", "a Coca-Cola spokesman") or an institution noun
    after a preposition ("officials at the ministry"). ``ents`` is passed rather than read from
    ``Span.ents``, which rebuilds every entity of the doc on each call."""
    named = [e for e in ents if e.label_ in ORG_LABELS and not e.start <= root.i < e.end]
    if named:
        return " ".join(named[0].text.split())
    for prep in (c for c in root.rights if c.dep_ == "prep"):
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            if obj.lemma_.lower() in lexicon.organisations:
                words = [t for t in obj.subtree if t.dep_ != "det"]
                return " ".join(t.text for t in words)
    return None


def anonymity_reason(source: Span, lexicon: Lexicon) -> str | None:
    """Why the source's sentence says it is unnamed, from the phrase that says so to the end of its
    clause: "not authorized to speak publicly"; after "condition of anonymity because" (or "to") the
    reason is what follows."""
    sentence = source.sent
    words = [t.lower_ for t in sentence]
    found: list[tuple[int, int]] = []
    for phrase in lexicon.anonymity:
        parts = phrase.split()
        for i in range(len(words) - len(parts) + 1):
            if words[i : i + len(parts)] == parts:
                found.append((i, i + len(parts)))
    if not found:
        return None
    start, end = min(found)
    if "anonymity" in words[start:end] and end < len(words) and words[end] in REASON_MARKS:
        start = end + (words[end] != "to")  # "anonymity because the talks are private": the talks are
    stop = next((i for i in range(start + 1, len(words)) if sentence[i].text in CLAUSE_ENDS), len(words))
    return sentence[start:stop].text or None
