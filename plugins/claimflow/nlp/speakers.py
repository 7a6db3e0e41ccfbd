"""What kind of source a claim has, and who it is: "he" -> "Ian Kelly", "Kelly" -> "Ian Kelly".

Resolution is deliberately simple and local, and comes before the kind is decided: "who" and
"which" take their antecedent; a pronoun takes the most recent fitting speaker or named person
before it; a definite description ("the spokesman", "The Republican nominee", "the network")
takes the named person or organisation the article introduced with it; a bare surname takes the
fullest earlier name that ends with it. What is left is decided by the head word
(``source_kinds.py``): a document, an organisation, a generic group, or unnamed people, who are
``anonymous``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claimflow.nlp.doc_index import DocIndex, normalized
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.source_kinds import disclose, is_plural, listed_lemma, noun_kind

PERSON_PRONOUNS = {"he", "she", "him", "her", "i", "me", "his", "hers", "himself", "herself", "myself"}
GROUP_PRONOUNS = {"they", "them", "their", "themselves"}  # "we" is mostly the writer's or anyone's: left a pronoun
THING_PRONOUNS = {"it", "its", "itself"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom", "whose"}
ORG_LABELS = ("ORG", "GPE", "FAC")
NOUNS = ("NOUN", "PROPN")
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART")
NOMINAL = ("NOUN", "PROPN", "PRON", "NUM")
NEAR = 150  # tokens, a few sentences: how far back "the network" looks for the network named
DEFINITE = frozenset({"the", "this", "that", "his", "her", "its", "their"})


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
    """The word that heads the span: of its words whose head lies outside it, a subject, else the
    first noun (the last of a compound the parser joined to the next word: "law enforcement -
    technology companies"); where the parse strays ("-One poll", "Current and former officials"),
    the first noun whose head is no noun."""
    outside = [t for t in span if t.head.i < span.start or t.head.i >= span.end or t.head.i == t.i]
    nominal = [t for t in outside if t.pos_ in NOMINAL]
    subject = next((t for t in nominal if t.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None:
        return subject
    if nominal:
        return nominal[-1] if nominal[0].dep_ == "compound" else nominal[0]
    inner = next((t for t in span if t.pos_ in NOMINAL and t.head.pos_ not in NOMINAL), None)
    return inner or (outside[0] if outside else span[-1])


def _apposed_to(token: Token, root: Token) -> bool:
    """Whether ``token`` hangs off ``root`` through a chain of appositives."""
    while token.dep_ == "appos" and token.head != token:
        if token.head == root:
            return True
        token = token.head
    return False


def antecedent(pronoun: Token) -> Token | None:
    """What a relative pronoun stands for: the noun its clause hangs on ("Ivanka Trump, who said"),
    or when the parse misses the clause, the nearest noun before it in the sentence."""
    if pronoun.head.dep_ in ("relcl", "acl") and pronoun.head.head.i < pronoun.i:
        return pronoun.head.head
    for tok in reversed(pronoun.doc[pronoun.sent.start : pronoun.i]):
        if tok.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok
        if tok.pos_ not in ("PUNCT", "ADV"):
            return None
    return None


class SpeakerTracker:
    """Walks one doc's claims in order, naming each source and remembering speakers."""

    def __init__(self, doc: Doc, lexicon: Lexicon) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.titles = lexicon.titles
        self.index = DocIndex(doc)  # every lookup per claim goes through it: no scan of the doc
        self.surnames = {ent[-1].text for ent in self.index.people}
        self.last_person: str | None = None
        self.last_group: SourceResolution | None = None  # what "they" stands for
        self.after_unnamed = False  # whether the previous source was anonymous
        self._unnamed: dict[int, tuple[list[int], list[bool]]] = {}  # see ``introduced_unnamed``

    def ents_in(self, span: Span) -> tuple[Span, ...]:
        """The doc's entities inside ``span`` (what ``span.ents`` gives)."""
        return self.index.ents_between(span.start, span.end)

    def entity_at(self, token: Token, span: Span) -> Span | None:
        """The entity inside ``span`` that holds ``token``, if any."""
        ent = self.index.ent_at(token.i)
        return ent if ent is not None and ent.start >= span.start and ent.end <= span.end else None

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

    def is_masthead(self, source: Span, root: Token) -> bool:
        """Whether the source is "the" and a capitalised name no entity calls a person ("the Sioux
        Falls Argus Leader", "The Verge"): people's names take no article, publications and firms
        do. An office stays a person ("the Senate Majority Leader": a title after an organisation)."""
        words = source[1:]
        if source[0].lower_ != "the" or not len(words) or root.pos_ != "PROPN" or root.i != source.end - 1:
            return False
        if any(t.ent_type_ == "PERSON" or not t.is_title for t in words):
            return False
        return not (root.lower_ in self.titles and any(t.ent_type_ in ("ORG", "GPE", "NORP") for t in words))

    def full_name(self, ent: Span) -> str:
        """The longest earlier-or-same PERSON name ending with this entity's last word."""
        name = normalized(ent.text)
        longest = self.index.longest_name(ent[-1].text, ent.end)
        best = longest if longest is not None and len(longest) > len(name) else name
        return best.removesuffix("’s").removesuffix("'s")

    def person_before(self, pos: int, title: str | None = None) -> str | None:
        """The latest PERSON named before token ``pos``, optionally introduced with ``title`` (then
        not as a possessive: "Clinton's top aides" are not Clinton)."""
        ent = self.index.last_person(pos) if title is None else self.index.last_person_near(title, pos)
        return self.full_name(ent) if ent is not None else None

    def org_before(self, root: Token) -> str | None:
        """The organisation a definite description stands for: the latest one named before it whose
        name holds the noun ("the department" -> "the State Department"), else for a bare noun
        ("the network") the latest organisation named, within ``NEAR`` tokens."""
        named = [  # a name, not a description the NER took for one ("the county council")
            e for e in self.index.ents_between(root.i - NEAR, root.i)
            if e.label_ == "ORG" and any(t.text[:1].isupper() for t in e if t.pos_ != "DET")
        ]
        noun = root.lower_
        found = next((e for e in reversed(named) if noun in e.text.lower()), None)
        if found is None and named and not any(c.dep_ in ("compound", "amod", "poss") for c in root.children):
            found = named[-1]
        return " ".join(found.text.split()) if found is not None else None

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Capitalised words the article uses as names: inside an entity or capitalised mid-sentence,
        so "Hannity" the tagger took for a common noun at a sentence's start is still a name."""
        return frozenset(
            t.text
            for t in self.doc
            if t.is_title and t.pos_ in NOUNS and (t.ent_type_ in NAME_LABELS or (not t.ent_type_ and not t.is_sent_start))
        )

    def listed_word(self, root: Token, *, entity: bool = False) -> bool:
        """Whether a capitalised word is a common noun of the word lists: "Aides" opening a sentence
        (which the NER may call a person), "Exit Polls" in a headline (the tagger calls "chamber"
        PROPN too); only a word outside any entity unless ``entity``."""
        if root.ent_type_ and not entity:
            return False
        return listed_lemma(root, self.lexicon) is not None

    def antecedent_of(self, pronoun: Token, plural: bool) -> SourceResolution | None:
        """What "they" or "it" stands for: the latest subject before it, in its sentence or the one
        before, that is plural (for "they") or an organisation or document (for "it")."""
        start = self.index.sentence_start(pronoun.i, back=1)
        for tok in reversed(self.doc[start : pronoun.i]):
            if tok.dep_ not in ("nsubj", "nsubjpass") or tok.pos_ not in ("NOUN", "PROPN"):
                continue
            if plural != is_plural(tok):
                continue
            resolved = self._resolve(self.doc[tok.left_edge.i : tok.i + 1])
            if plural or resolved.kind in ("organisation", "document"):
                return resolved
            if tok.pos_ == "PROPN" and tok.ent_type_ != "PERSON":  # a name "it" stands for is no person's
                return SourceResolution("organisation", " ".join(self.doc[tok.left_edge.i : tok.i + 1].text.split()))
        return None

    def introduced_unnamed(self, root: Token) -> bool:
        """Whether the article last brought in this role unnamed, with "a" or "an" ("an aide ... The
        aide declined"), rather than beside a person's name ("spokesman Ian Kelly")."""
        if root.lemma not in self._unnamed:  # the nouns of this lemma that tell, with what they tell
            told = [(i, told) for i in self.index.nouns(root.lemma) if (told := self._told_unnamed(self.doc[i])) is not None]
            self._unnamed[root.lemma] = ([i for i, _ in told], [t for _, t in told])
        where, told = self._unnamed[root.lemma]
        k = bisect.bisect_left(where, root.i)
        return told[k - 1] if k else False

    def _told_unnamed(self, tok: Token) -> bool | None:
        """True when the role noun ``tok`` brings someone in unnamed ("an aide"), False when beside a
        person's name, None when it does not tell."""
        if any(c.lower_ in ("a", "an") for c in tok.children):
            return True
        window = self.doc[max(tok.i - 4, 0) : tok.i + 5]
        if any(t.ent_type_ == "PERSON" and t.dep_ != "poss" for t in window):
            return False
        return None

    def resolve(self, source: Span | None) -> SourceResolution:
        """The source's kind, the speaker's name if known, and for an anonymous source what the
        article discloses about it; None means the text names no source."""
        if source is None:
            return SourceResolution("none")
        resolved = self._resolve(source)
        self.after_unnamed = resolved.kind == "anonymous"
        if resolved.kind in ("group", "anonymous", "organisation"):
            self.last_group = resolved
        return resolved

    def _resolve(self, source: Span) -> SourceResolution:
        root = span_root(source)
        low = root.lower_
        if low in RELATIVE_PRONOUNS and root.tag_ in ("WP", "WDT", "WP$"):
            found = antecedent(root)
            if found is not None and found.i != root.i:  # "Ivanka Trump, who portrayed him as ..."
                return self._resolve(source.doc[found.left_edge.i : found.i + 1])
            return SourceResolution("pronoun")
        if root.pos_ == "PRON":
            return self._pronoun(root, low)
        if self.is_masthead(source, root):  # "according to the Argus Leader": the paper, not a person
            return SourceResolution("organisation", " ".join(source.text.split()))
        listed = self.listed_word(root, entity=root.pos_ == "NOUN")
        proper = root.text[:1].isupper() and not listed and (root.pos_ == "PROPN" or root.text in self.names)
        if (
            (root.ent_type_ == "PERSON" and not listed)
            or (proper and root.is_title and self.is_person_name(source, root))
            or (root.ent_type_ in ("ORG", "NORP") and root.text in self.surnames)  # "Reynolds" the NER took for a firm
        ):
            ent = self.entity_at(root, source)
            words = root.doc[root.left_edge.i : root.i + 1].text.split()
            name = self.full_name(ent) if ent is not None else " ".join(words)
            return SourceResolution("person", self.remember(name))
        if root.ent_type_ == "NORP" and is_plural(root):
            return SourceResolution("group")  # "Democrats", "Palestinians"
        if root.ent_type_ in ORG_LABELS and proper:
            ent = self.entity_at(root, source)
            return SourceResolution("organisation", " ".join((ent.text if ent is not None else root.text).split()))
        if proper and root.lower_ not in self.lexicon.organisations:  # "The Super PAC" is no one's name
            return SourceResolution("person", self.remember(" ".join(source.text.split())))
        named = next((e for e in self.ents_in(source) if e.label_ == "PERSON" and _apposed_to(e[-1], root)), None)
        opening = self.entity_at(source[0], source)
        if (
            named is None
            and opening is not None
            and opening.label_ == "PERSON"
            and opening.start == source.start
            and opening[-1].dep_ not in ("poss", "compound")  # "Clinton's campaign", "Clinton advisers"
            and any(t.pos_ == "PROPN" for t in opening)  # "Aides" the NER took for a name
        ):
            named = opening  # "Deborah Reynolds - Santilli's girlfriend -", parsed around the dash
        if named is not None:  # "the ministry's lawyer, Tom Brown"
            return SourceResolution("person", self.remember(self.full_name(named)))
        return self._described(source, root)

    def _pronoun(self, root: Token, low: str) -> SourceResolution:
        """A personal pronoun takes the latest fitting speaker; without one it stays a pronoun."""
        if low in PERSON_PRONOUNS:
            speaker = self.last_person or self.person_before(root.i)
            return SourceResolution("person", speaker) if speaker else SourceResolution("pronoun")
        if low in GROUP_PRONOUNS:
            found = self.antecedent_of(root, plural=True) or self.last_group
            if found is not None:
                return found
        if low in THING_PRONOUNS:
            found = self.antecedent_of(root, plural=False)
            if found is not None:
                return found
            near = [e for e in self.index.ents_between(root.i - NEAR, root.i) if e.label_ in ORG_LABELS]
            if near:  # "Facebook closed the page on Thursday. It said ..."
                return SourceResolution("organisation", " ".join(near[-1].text.split()))
        if low in self.lexicon.groups:  # "many", "some", "others"
            return SourceResolution("group")
        return SourceResolution("pronoun")

    def _described(self, source: Span, root: Token) -> SourceResolution:
        """A phrase headed by a common noun: a definite description of someone named before, or
        what its head word says (document, organisation, group, unnamed people)."""
        kind = noun_kind(source, root, self.lexicon)
        definite = any(c.lower_ in DEFINITE or c.dep_ == "poss" for c in root.children if c.dep_ in ("det", "poss"))
        if kind == "organisation":
            speaker = self.org_before(root) if definite and not is_plural(root) else None
            return SourceResolution("organisation", speaker)
        if kind != "people":
            return SourceResolution(kind)
        lemma = root.lemma_.lower()
        if definite and not is_plural(root) and not self.introduced_unnamed(root):
            named = self.person_before(root.i, lemma)
            if named is None and not (self.after_unnamed and lemma in self.lexicon.insiders):
                named = self.last_person or self.person_before(root.i)  # "The new speaker" named before
            if named:  # "The Republican nominee" -> the nominee the article named
                return SourceResolution("person", self.remember(named))
        found = disclose(source, root, self.lexicon, self.ents_in(source))
        return SourceResolution("anonymous", None, found.affiliation, found.organisation, found.reason)


def classify_sources(doc: Doc, spans: Iterable[tuple[int, int]], lexicon: Lexicon) -> list[SourceResolution]:
    """Resolve source phrases given as character offsets, in text order, as the claim component
    resolves its claims' sources (what ``claimflow evaluate --source-kinds`` scores)."""
    tracker = SpeakerTracker(doc, lexicon)
    resolved = []
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        resolved.append(tracker.resolve(span) if span is not None and len(span) else SourceResolution("none"))
    return resolved
