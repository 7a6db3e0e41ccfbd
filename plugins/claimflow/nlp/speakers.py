"""What kind of source a claim has, and who it is: "he" -> "Ian Kelly", "Kelly" -> "Ian Kelly".

Resolution is deliberately simple and local: a pronoun or a role noun ("the spokesman") takes
the most recent fitting speaker or named person before it; a bare surname takes the fullest
earlier name that ends with it.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

PERSON_PRONOUNS = {"he", "she", "him", "her", "i", "me"}
GROUP_PRONOUNS = {"they", "them", "we", "us"}
ORG_LABELS = ("ORG", "GPE", "NORP", "FAC")


def span_root(span: Span) -> Token:
    """The token of the span whose head lies outside it."""
    for tok in span:
        if tok.head.i < span.start or tok.head.i >= span.end or tok.head is tok:
            return tok
    return span[-1]


class SpeakerTracker:
    """Walks one doc's claims in order, naming each source and remembering speakers."""

    def __init__(self, doc: Doc, titles: frozenset[str]) -> None:
        self.doc = doc
        self.titles = titles
        self.people = [ent for ent in doc.ents if ent.label_ == "PERSON"]
        self.last_person: str | None = None
        self.last_group: str | None = None

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

    def resolve(self, source: Span | None) -> tuple[str, str | None]:
        """The source's kind (one of ``SOURCE_KINDS``) and the speaker's name, if known.

        Args:
            source: the source phrase, or None when the text names none.

        Returns:
            ``(source_kind, speaker)``.
        """
        if source is None:
            return "none", None
        root = span_root(source)
        low = root.lower_
        if root.pos_ == "PRON":
            if low in PERSON_PRONOUNS:
                speaker = self.last_person or self.person_before(root.i)
            elif low in GROUP_PRONOUNS:
                speaker = self.last_group
            else:
                speaker = None
            return "pronoun", speaker
        if root.ent_type_ == "PERSON":
            ent = next((e for e in source.ents if e.start <= root.i < e.end), None)
            name = self.full_name(ent) if ent is not None else root.text
            self.last_person = name
            return "person", name
        if root.ent_type_ in ORG_LABELS and root.pos_ == "PROPN":
            ent = next((e for e in source.ents if e.start <= root.i < e.end), None)
            name = " ".join((ent.text if ent is not None else root.text).split())
            self.last_group = name
            return "organisation", name
        if root.pos_ == "PROPN":
            name = " ".join(source.text.split())
            self.last_person = name
            return "person", name
        named = next((e for e in source.ents if e.label_ == "PERSON" and e[-1].dep_ == "appos" and e[-1].head == root), None)
        if named is not None:  # "the ministry's lawyer, Tom Brown"
            name = self.full_name(named)
            self.last_person = name
            return "person", name
        lemma = root.lemma_.lower()
        determiners = {c.lower_ for c in root.children if c.dep_ in ("det", "poss")}
        if lemma in self.titles and root.tag_ == "NN" and determiners & {"the", "his", "her", "its", "their"}:
            named = self.person_before(root.i, lemma)
            if named:
                self.last_person = named
                return "person", named
        self.last_group = None  # "they" after "the officials" names nobody
        return "anonymous", None
