"""What kind of source a claim has, and who it is: "he" -> "Ian Kelly", "Kelly" -> "Ian Kelly".

Resolution is deliberately simple and local: a pronoun or a role noun ("the spokesman") takes
the most recent fitting speaker or named person before it; a bare surname takes the fullest
earlier name that ends with it; "who" takes its antecedent. A source headed by a common noun is
an organisation when the noun names an institution ("the finance department") and anonymous
otherwise ("an Egyptian security official", "sources within Hamas").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claimflow.nlp.lexicon import Lexicon

PERSON_PRONOUNS = {"he", "she", "him", "her", "i", "me"}
GROUP_PRONOUNS = {"they", "them", "we", "us"}
ORG_LABELS = ("ORG", "GPE", "NORP", "FAC")


@dataclass(frozen=True)
class SourceResolution:
    """What a claim's source is: its kind (one of ``SOURCE_KINDS``), the named speaker it resolves
    to, and what the article discloses about an anonymous source."""

    kind: str
    speaker: str | None = None
    affiliation: str | None = None  # "Egyptian security"
    organisation: str | None = None  # "Hamas" of "sources within Hamas"
    anonymity_reason: str | None = None  # "not authorized to comment publicly"


def span_root(span: Span) -> Token:
    """The token of the span whose head lies outside it."""
    for tok in span:
        if tok.head.i < span.start or tok.head.i >= span.end or tok.head.i == tok.i:
            return tok
    return span[-1]


def _apposed_to(token: Token, root: Token) -> bool:
    """Whether ``token`` hangs off ``root`` through a chain of appositives."""
    while token.dep_ == "appos" and token.head != token:
        if token.head == root:
            return True
        token = token.head
    return False


class SpeakerTracker:
    """Walks one doc's claims in order, naming each source and remembering speakers."""

    def __init__(self, doc: Doc, titles: frozenset[str], organisations: frozenset[str] = frozenset()) -> None:
        self.doc = doc
        self.titles = titles
        self.organisations = organisations
        self.ents = tuple(doc.ents)  # made once: each ``Span.ents`` call rebuilds every entity of the doc
        self.people = [ent for ent in self.ents if ent.label_ == "PERSON"]
        self.surnames = {ent[-1].text for ent in self.people}
        self.last_person: str | None = None
        self.last_group: str | None = None

    def ents_in(self, span: Span) -> list[Span]:
        """The doc's entities inside ``span`` (what ``span.ents`` gives)."""
        return [e for e in self.ents if e.start >= span.start and e.end <= span.end]

    def entity_at(self, token: Token, span: Span) -> Span | None:
        """The entity inside ``span`` that holds ``token``, if any."""
        return next((e for e in self.ents_in(span) if e.start <= token.i < e.end), None)

    def remember(self, name: str) -> str:
        """Note a person speaker, so later pronouns and surnames resolve to them."""
        self.last_person = name
        self.surnames.add(name.split()[-1])
        return name

    def is_person_name(self, source: Span, root: Token) -> bool:
        """Whether a name the NER did not call a person still is one ("Albrecht said").

        It is when the article names a person with that surname, when a role noun is apposed
        or prefixed ("Carolina Reyes, a water engineer"; "Council member Marcus Bell"), or when
        a "who" clause follows.
        """
        if root.text in self.surnames:
            return True
        if any(t.lemma_.lower() in self.titles and t.i != root.i and t.pos_ == "NOUN" for t in source):
            return True
        return any(c.dep_ == "relcl" and c.left_edge.lower_ == "who" for c in root.children)

    def full_name(self, ent: Span) -> str:
        """The longest earlier-or-same PERSON name ending with this entity's last word."""
        name = " ".join(ent.text.split())
        last = ent[-1].text
        best = name
        for other in self.people:
            if other.start >= ent.end:
                break
            if other[-1].text == last and len(other.text) > len(best):
                best = " ".join(other.text.split())
        return best.removesuffix("’s").removesuffix("'s")

    def person_before(self, pos: int, title: str | None = None) -> str | None:
        """The latest PERSON named before token ``pos``, optionally introduced with ``title``."""
        for ent in reversed(self.people):
            if ent.end > pos:
                continue
            if title is None:
                return self.full_name(ent)
            window = self.doc[max(ent.start - 4, 0) : min(ent.end + 4, len(self.doc))]
            if any(t.lemma_.lower() == title for t in window):
                return self.full_name(ent)
        return None

    def resolve(self, source: Span | None) -> SourceResolution:
        """The source's kind and the speaker's name, if known; None means the text names none."""
        kind, speaker = self._kind_and_speaker(source)
        return SourceResolution(kind, speaker)

    def _kind_and_speaker(self, source: Span | None) -> tuple[str, str | None]:
        if source is None:
            return "none", None
        root = span_root(source)
        if root.tag_ in ("WP", "WDT") and root.head.dep_ in ("relcl", "acl") and root.head.head.i < root.i:
            antecedent = root.head.head  # "Ivanka Trump, who portrayed him as ..."
            return self._kind_and_speaker(source.doc[antecedent.left_edge.i : antecedent.i + 1])
        low = root.lower_
        if root.pos_ == "PRON":
            if low in PERSON_PRONOUNS:
                speaker = self.last_person or self.person_before(root.i)
            elif low in GROUP_PRONOUNS:
                speaker = self.last_group
            else:
                speaker = None
            return "pronoun", speaker
        if root.ent_type_ == "PERSON" or (root.is_title and self.is_person_name(source, root)):
            ent = self.entity_at(root, source)
            words = root.doc[root.left_edge.i : root.i + 1].text.split()
            name = self.full_name(ent) if ent is not None else " ".join(words)
            return "person", self.remember(name)
        proper = root.pos_ == "PROPN" and root.text[:1].isupper()  # the tagger calls "chamber" PROPN too
        if root.ent_type_ in ORG_LABELS and proper:
            ent = self.entity_at(root, source)
            name = " ".join((ent.text if ent is not None else root.text).split())
            self.last_group = name
            return "organisation", name
        if proper:
            return "person", self.remember(" ".join(source.text.split()))
        named = next((e for e in self.ents_in(source) if e.label_ == "PERSON" and _apposed_to(e[-1], root)), None)
        if named is not None:  # "the ministry's lawyer, Tom Brown"
            return "person", self.remember(self.full_name(named))
        lemma = root.lemma_.lower()
        if lemma in self.organisations:  # "the city's finance department"
            self.last_group = None
            return "organisation", None
        determiners = {c.lower_ for c in root.children if c.dep_ in ("det", "poss")}
        if lemma in self.titles and root.tag_ == "NN" and determiners & {"the", "his", "her", "its", "their"}:
            named = self.person_before(root.i, lemma)
            if named:
                return "person", self.remember(named)
        self.last_group = None  # "they" after "the officials" names nobody
        return "anonymous", None


def classify_sources(doc: Doc, spans: Iterable[tuple[int, int]], lexicon: Lexicon) -> list[SourceResolution]:
    """Resolve source phrases given as character offsets, in text order, as the claim component
    resolves its claims' sources (what ``claimflow evaluate --source-kinds`` scores)."""
    tracker = SpeakerTracker(doc, lexicon.titles, lexicon.organisations)
    resolved = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        resolved.append(tracker.resolve(span) if span is not None and len(span) else SourceResolution("none"))
    return resolved
