"""One doc's entities, people, sentences and nouns, indexed once so that each claim looks them up.

The speaker tracker asks, for every claim, which entities lie inside the source, which person or
organisation was named before it, and where its sentence starts. Asked by scanning ``doc.ents`` or
the tokens, that made extraction quadratic in an article's length (990,000 characters took 8 min
38 s). ``doc.ents`` is sorted and its entities never overlap, so their starts and ends are both
sorted and a range of them is two bisections; people are kept by their last word, nouns by lemma.
"""

from __future__ import annotations

import bisect
import functools

import numpy
from spacy.symbols import LEMMA, NOUN, POS
from spacy.tokens import Doc, Span

PERSON = "PERSON"
TITLE_WINDOW = 4  # tokens either side of a name where the title that introduced it may stand


def normalized(text: str) -> str:
    """The text with its runs of whitespace made single spaces."""
    return " ".join(text.split())


class DocIndex:
    """Positions of one doc's entities and people, its sentence starts and its nouns by lemma."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.ents = tuple(doc.ents)  # made once: each ``Doc.ents`` or ``Span.ents`` call rebuilds every entity
        self.starts = [e.start for e in self.ents]
        self.ends = [e.end for e in self.ents]
        self.people = [e for e in self.ents if e.label_ == PERSON]
        self.people_ends = [e.end for e in self.people]

    def ents_between(self, start: int, end: int) -> tuple[Span, ...]:
        """The entities that lie within tokens ``[start, end)``, in text order (what ``Span.ents`` gives)."""
        return self.ents[bisect.bisect_left(self.starts, start) : bisect.bisect_right(self.ends, end)]

    def ent_at(self, i: int) -> Span | None:
        """The entity holding token ``i``, if any."""
        k = bisect.bisect_right(self.starts, i) - 1
        return self.ents[k] if k >= 0 and i < self.ends[k] else None

    def last_person(self, end: int) -> Span | None:
        """The latest PERSON entity that ends at or before token ``end``."""
        k = bisect.bisect_right(self.people_ends, end)
        return self.people[k - 1] if k else None

    def last_person_near(self, word: str, end: int) -> Span | None:
        """The latest PERSON entity ending at or before token ``end`` that has the lower-case lemma
        ``word`` within ``TITLE_WINDOW`` tokens of it and is not a possessive ("Clinton's aides")."""
        ends, people = self._people_near.get(word, ((), ()))
        k = bisect.bisect_right(ends, end)
        return people[k - 1] if k else None

    def longest_name(self, last: str, end: int) -> str | None:
        """The longest PERSON name (whitespace normalized; the first of equal length) whose last word is
        ``last``, among the people starting before token ``end``."""
        starts, best = self._people_by_last.get(last, ((), ()))
        k = bisect.bisect_left(starts, end)
        return best[k - 1] if k else None

    def nouns(self, lemma: int) -> list[int]:
        """The indices of the tokens tagged NOUN whose lemma is ``lemma`` (a string id), in text order."""
        return self._nouns.get(lemma, [])

    @functools.cached_property
    def sent_starts(self) -> list[int]:
        """The first token of each sentence."""
        return [s.start for s in self.doc.sents]

    def sentence_start(self, i: int, back: int = 0) -> int:
        """The first token of the sentence holding token ``i``, or of the ``back``-th sentence before it."""
        k = bisect.bisect_right(self.sent_starts, i)
        return self.sent_starts[max(k - 1 - back, 0)] if k else 0

    @functools.cached_property
    def _people_by_last(self) -> dict[str, tuple[list[int], list[str]]]:
        """Last word -> the starts of the people ending with it, and the longest name up to each."""
        index: dict[str, tuple[list[int], list[str]]] = {}
        for person in self.people:
            starts, best = index.setdefault(person[-1].text, ([], []))
            name = normalized(person.text)
            starts.append(person.start)
            best.append(name if not best or len(name) > len(best[-1]) else best[-1])
        return index

    @functools.cached_property
    def _people_near(self) -> dict[str, tuple[list[int], list[Span]]]:
        """Lower-case lemma -> the ends of the people (not possessives) with that word within
        ``TITLE_WINDOW`` tokens, and those people."""
        doc, index = self.doc, {}
        for person in self.people:
            if person[-1].dep_ == "poss":
                continue
            window = doc[max(person.start - TITLE_WINDOW, 0) : min(person.end + TITLE_WINDOW, len(doc))]
            for word in {t.lemma_.lower() for t in window}:
                ends, people = index.setdefault(word, ([], []))
                ends.append(person.end)
                people.append(person)
        return index

    @functools.cached_property
    def _nouns(self) -> dict[int, list[int]]:
        tags = self.doc.to_array([POS, LEMMA])
        nouns = numpy.flatnonzero(tags[:, 0] == NOUN)
        index: dict[int, list[int]] = {}
        for i, lemma in zip(nouns.tolist(), tags[nouns, 1].tolist(), strict=True):
            index.setdefault(lemma, []).append(i)
        return index
