"""Entities of an article: spaCy's NER made into canonical entities that dashboards can count.

``raw_entities`` is spaCy's output grouped by exact string and label within one article: the
baseline the canonical layer is measured against.

``canonical_entities`` makes one entity per real-world name of the article, in one pass over
``doc.ents`` and a few dicts:

- a mention is the name alone: no leading "the", no possessive ("Kelly's" -> "Kelly"), no title
  before a person ("Sen. John Kerry" -> "John Kerry"), no lower-case words after it; dates,
  numbers, money and the like, common nouns, names without a capital letter, and the dateline
  ("JERUSALEM –" opening the text) are left out; a name the model found once is found again
  where it recurs untagged ("Kettering" after "Dolores Kettering"), in one regex pass;
- forms merge into one name: the aliases file ("U.N." -> "United Nations"), an acronym the article
  defines ("the United Nations (U.N.)") or whose letters are the initials of a name it gives, a
  surname (or any last words) into the person named in full most recently before it, and a first
  name only one person has;
- the label is the majority of the mentions' labels (a surname merged into a person votes PERSON,
  a "person" in a place's position votes GPE), then repaired by the claims: a name that is a
  claim's source is a person or an organisation, as the claim's source kind says;
- ``entity_id`` derives from the canonical name and label alone (:func:`entity_id`).

``link_claims`` gives each claim its source's entity and the entities its content mentions.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from claimflow.models import ENTITY_LABELS, Claim, Entity, Mention, Span, entity_id
from claimflow.nlp.aliases import Aliases, name_key

PERSON, ORG = "PERSON", "ORG"
KEPT_LABELS = frozenset(ENTITY_LABELS)  # DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL are not entities
SPEAKER_LABELS = (PERSON, ORG)
NAMED_KINDS = ("person", "organisation", "pronoun")  # source kinds whose speaker is someone an entity can be
# "JERUSALEM –", "PORT HALVERSEN —", "WASHINGTON, D.C. (Reuters) -": upper-case place words opening the
# text, then a dash; a heading such as "SERVICE NOTICE:" is no entity of the story either
DATELINE = re.compile(
    r"\A\s*[A-Z][A-Z'’.\-]*(?:[ \t]+[A-Z][A-Z'’.\-]*)*(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[A-Z][\w.]*)*)?"
    r"[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?(?:[–—-]+|:)\s"
)
ARTICLE = re.compile(r"(?:the|The|THE)\s+")
POSSESSIVE = re.compile(r"(?:['’][sS]|(?<=[sS])['’])\Z")
ACRONYM_DEFINED = re.compile(r"\s*\(\s*([A-Z](?:\.?[A-Z&]){1,7}\.?)\s*\)")
WORD = re.compile(r"\S+")
CAPITALIZED = re.compile(r"(?<![\w’'-])[A-Z][\w.&]*")  # a word that may open a name, and how far it goes
NAME_GOES_ON = re.compile(r"[\w-]")
PRECEDING_WORD = re.compile(r"([A-Z][\w.'’-]*) \Z")
FOLLOWING_NAME = re.compile(r" [A-Z]")
PARTICLES = frozenset({"al", "el", "de", "da", "di", "du", "del", "della", "der", "van", "von", "bin", "ibn", "le", "la"})
# a PERSON after these ("in Caddon", "the village of Amblestow") is a place the model took for a person
LOCATIVE = frozenset({"in", "at", "near", "across", "throughout", "outside", "inside"})
PLACE_NOUNS = frozenset({"village", "town", "city", "island", "islands", "region", "district", "county", "province",
                         "state", "country", "republic", "port", "kingdom", "capital", "municipality"})
INITIALS_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "du", "des", "la", "le"})



def raw_entities(doc: Doc) -> tuple[Entity, ...]:
    """Named entities grouped by (normalized name, label), mentions in text order."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for ent in doc.ents:
        name = " ".join(ent.text.split())
        groups.setdefault((name, ent.label_), []).append(Mention(ent.start_char, ent.end_char, ent.text, ent.label_))
    return tuple(Entity(name, label, tuple(mentions)) for (name, label), mentions in groups.items())


def dateline_end(text: str) -> int:
    """Where the dateline opening ``text`` ends (0 when there is none)."""
    match = DATELINE.match(text)
    return match.end() if match else 0


def clean_name(text: str, start: int, end: int, *, person: bool, aliases: Aliases) -> tuple[int, int]:
    """``[start, end)`` narrowed to the name: no "the", no possessive, no lower-case words after it
    ("Civic Renewal party") and, for a person, no title or lower-case role words before it
    ("State Department spokesman Ian Kelly" keeps "Ian Kelly" when the model made it one span)."""
    if match := ARTICLE.match(text, start, end):
        start = match.end()
    if match := POSSESSIVE.search(text, start, end):
        end = match.start()
    words = [(m.start(), m.group()) for m in WORD.finditer(text, start, end)]
    while len(words) > 1 and words[-1][1].islower():
        words.pop()
        end = words[-1][0] + len(words[-1][1])
    if person:
        skip = _title_words(words, aliases)
        if skip < len(words):
            start = words[skip][0]
    return start, end


def _title_words(words: list[tuple[int, str]], aliases: Aliases) -> int:
    """How many of ``words`` (a person's name with its offsets) are titles or role words before the name."""
    i = 0
    while i < len(words) - 1:
        if words[i][1].islower() and words[i][1] not in PARTICLES:  # "spokesman Ian Kelly", not "de Gaulle"
            i += 1
            continue
        size = next((n for n in range(min(aliases.max_title_words, len(words) - 1 - i), 0, -1)
                     if " ".join(w for _, w in words[i:i + n]).casefold() in aliases.titles), 0)
        if not size:
            break
        i += size
    return i


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("&", "")
    return 1 < len(letters) <= 8 and letters.isalpha() and letters.isupper()


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.casefold() not in INITIALS_SKIP).upper()


@dataclass
class _Group:
    """The mentions of one name while an article is read: its forms, and its label votes."""

    name: str  # the canonical name so far
    fixed: bool  # the name comes from the aliases file or an acronym's definition
    mentions: list[Mention] = field(default_factory=list)
    votes: Counter = field(default_factory=Counter)
    spacy_votes: Counter = field(default_factory=Counter)

    def add(self, mention: Mention, name: str, vote: str | None) -> None:
        """Add ``mention`` (named ``name``); ``vote`` None for a mention the model did not find."""
        self.mentions.append(mention)
        if vote is not None:
            self.votes[vote] += 1
            self.spacy_votes[mention.label] += 1
        if not self.fixed and _fuller(name, self.name):
            self.name = name

    def label(self) -> str:
        """The majority of the votes; a lone word the model also calls a place is no person ("Kaldmark")."""
        votes = self.votes
        if len(self.name.split()) == 1 and PERSON in votes and (votes["GPE"] or votes["LOC"]):
            votes = Counter({label: n for label, n in votes.items() if label != PERSON})
        return _majority(votes or Counter(m.label for m in self.mentions), (m.label for m in self.mentions))


def _fuller(name: str, than: str) -> bool:
    """Whether ``name`` is the better canonical form: more words, then not all upper case."""
    return (len(name.split()), not name.isupper()) > (len(than.split()), not than.isupper())


def _majority(votes: Counter, order: Iterable[str]) -> str:
    """The label with most votes; a tie goes to the one whose mention came first. ``order`` (the
    mentions' labels) is read only for a tie: a person's label is asked once per surname merged
    into it, and reading every mention each time was quadratic in the article's length."""
    top = max(votes.values())
    tied = [label for label, n in votes.items() if n == top]
    if len(tied) == 1:
        return tied[0]
    order = list(order)
    first = {label: -i for i, label in reversed(list(enumerate(order)))}
    return max(votes, key=lambda label: (votes[label], first.get(label, -len(order))))


def _mentions(doc: Doc, text: str, aliases: Aliases) -> Iterator[tuple[Mention, str, str | None]]:
    """Each kept mention of ``doc`` (whose text is ``text``) with its name and its label vote, in text order."""
    skip_until = dateline_end(text)
    for ent in doc.ents:
        label = ent.label_
        if label not in KEPT_LABELS or ent.end_char <= skip_until:
            continue
        if all(token.pos_ == "NOUN" for token in ent):  # "Farmers", "Weather" opening a sentence: no name
            continue
        start, end = clean_name(text, ent.start_char, ent.end_char, person=label == PERSON, aliases=aliases)
        name = " ".join(text[start:end].split())
        if name and any(c.isupper() for c in name):
            yield Mention(start, end, text[start:end], label), name, _vote(ent, label)


def _vote(ent, label: str) -> str:
    """The label a mention votes for: its own, but a place for a "person" in a place's position."""
    if label != PERSON or ent.root.dep_ != "pobj":
        return label
    prep = ent.root.head
    return "GPE" if prep.lower_ in LOCATIVE or (prep.lower_ == "of" and prep.head.lower_ in PLACE_NOUNS) else label


def _repeats(text: str, found: list[tuple[Mention, str, str | None]], start_at: int, aliases: Aliases):
    """Mentions the model missed of names it found elsewhere in the article ("Kettering" after "Dolores
    Kettering"): one pass over the capitalized words of the text; they do not vote on labels."""
    forms: dict[str, str] = {}
    for mention, name, _ in found:
        words = name.split()
        forms.setdefault(name, mention.label)
        if mention.label == PERSON and len(words) > 1:
            forms.setdefault(words[-1], PERSON)
    by_word: dict[str, list[str]] = {}  # first word -> forms starting with it, longest first
    for form in sorted(forms, key=len, reverse=True):
        if len(form) > 2 and (first := CAPITALIZED.match(form)):
            by_word.setdefault(first.group(), []).append(form)
    taken = sorted((m.start, m.end) for m, _, _ in found)
    starts = [start for start, _ in taken]
    for word in CAPITALIZED.finditer(text, start_at):
        start = word.start()
        form = next((f for f in by_word.get(word.group(), ()) if text.startswith(f, start)
                     and not NAME_GOES_ON.match(text, start + len(f))), None)
        if form is None:
            continue
        end = start + len(form)
        i = bisect.bisect_right(starts, start)
        if (i and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
            continue  # inside a name the model found
        before = PRECEDING_WORD.search(text, max(0, start - 40), start)
        if before and before.group(1).casefold() not in aliases.titles or FOLLOWING_NAME.match(text, end):
            continue  # part of a longer name the model missed ("Kelly Street")
        yield Mention(start, end, form, forms[form]), form, None


def _resolve(name: str, aliases: Aliases, defined: dict[str, str], initials: dict[str, str]) -> tuple[str, bool]:
    """The canonical form of ``name`` and whether it is fixed (aliases file, acronym definition, initials)."""
    if known := aliases.resolve(name):
        return known, True
    key = name_key(name)
    full = defined.get(key) or initials.get(key)
    if full:
        return aliases.resolve(full) or full, True
    return name, False


def _group(doc: Doc, aliases: Aliases) -> list[_Group]:
    """The article's mentions grouped by canonical form, surnames merged into their person."""
    text = doc.text  # spaCy joins the tokens on every call: once per article
    found = list(_mentions(doc, text, aliases))
    found += _repeats(text, found, dateline_end(text), aliases)
    found.sort(key=lambda item: item[0].start)
    defined: dict[str, str] = {}  # "the United Nations (U.N.)": key of "U.N." -> "United Nations"
    initials: dict[str, str] = {}  # "UN" -> "United Nations" when the article names it
    for mention, name, _ in found:
        if match := ACRONYM_DEFINED.match(text, mention.end, mention.end + 16):
            defined[name_key(match.group(1))] = name
        if len(name.split()) > 1 and not _is_acronym(name):
            initials.setdefault(name_key(_initials(name)), name)
    groups: dict[str, _Group] = {}
    for mention, name, vote in found:
        canonical, fixed = _resolve(name, aliases, defined, initials if _is_acronym(name) else {})
        group = groups.setdefault(name_key(canonical), _Group(canonical, fixed))
        group.add(mention, name, vote)
    return _merge_surnames(list(groups.values()))


def _merge_surnames(groups: list[_Group]) -> list[_Group]:
    """Move each mention of a person's last words ("Kelly", "Abu Zayd"), or of a first name only one
    person or organisation of the article has ("Jonas", "Greyfield"), into the full name ("Ian Kelly")
    mentioned most recently before it; a mention before any such full name stays its own. The short
    form's own label does not matter for a person (the model labels "Pickering" ORG beside
    "Thomas Pickering"): :func:`_may_merge`."""
    people: dict[str, list[tuple[int, _Group]]] = {}  # key of last words -> (start of a full mention, person)
    first_names: dict[str, list[_Group]] = {}
    for group in groups:
        words = group.name.split()
        if group.fixed or len(words) < 2:
            continue
        first_names.setdefault(name_key(words[0]), []).append(group)
        for mention in group.mentions:
            if len(mention.text.split()) == len(words):
                for n in range(1, len(words)):
                    people.setdefault(name_key(" ".join(words[-n:])), []).append((mention.start, group))
    for name, owners in first_names.items():
        if len(owners) == 1 and name not in people and owners[0].label() in SPEAKER_LABELS:
            people[name] = [(m.start, owners[0]) for m in owners[0].mentions]
    for full in people.values():
        full.sort(key=lambda item: item[0])
    kept: list[_Group] = []
    for group in groups:
        full = people.get(name_key(group.name))
        if full is None or group.fixed or len(group.name.split()) >= len(full[0][1].name.split()):
            kept.append(group)
            continue
        rest = _Group(group.name, group.fixed)
        for mention in group.mentions:
            i = bisect.bisect_left(full, mention.start, key=lambda item: item[0])
            person = full[i - 1][1] if i else None
            if person and _may_merge(group.label(), person.label()):
                person.add(mention, mention.text, PERSON)
            else:
                rest.add(mention, " ".join(mention.text.split()), mention.label)
        if rest.mentions:
            kept.append(rest)
    return kept


def _may_merge(short: str, full: str) -> bool:
    """Whether a short form labelled ``short`` may join a full name labelled ``full``: into a person,
    into an organisation of its own label or as a person the model took for one ("Bell" of "Marcus Bell")."""
    return full == PERSON or (full == ORG and short in SPEAKER_LABELS)


class _Index:
    """The mentions of an article's entities by position and their names by key, to find which
    entity a claim's source or content names without scanning the doc."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        placed = sorted((m.start, m.end, i) for i, e in enumerate(entities) for m in e.mentions)
        self.entities = entities
        self.starts = [start for start, _, _ in placed]
        self.placed = placed
        self.by_name: dict[str, int] = {}
        self.by_last_words: dict[str, int] = {}
        for i, entity in enumerate(entities):
            self._names(i, entity)

    def _names(self, i: int, entity: Entity) -> None:
        self.by_name.setdefault(name_key(entity.name), i)
        words = entity.name.split()
        if entity.label in SPEAKER_LABELS:
            for n in range(1, len(words)):
                self.by_last_words.setdefault(name_key(" ".join(words[-n:])), i)

    def add(self, i: int) -> None:
        """Index ``entities[i]``, just appended (as building the index again would, without doing so
        per claim: that was quadratic in the article's length)."""
        entity = self.entities[i]
        for mention in entity.mentions:
            k = bisect.bisect_right(self.placed, (mention.start, mention.end, i))
            self.placed.insert(k, (mention.start, mention.end, i))
            self.starts.insert(k, mention.start)
        self._names(i, entity)

    def within(self, span: Span) -> Iterator[tuple[int, int, int]]:
        """(start, end, entity index) of each mention inside ``span``, in text order."""
        for k in range(bisect.bisect_left(self.starts, span.start), len(self.placed)):
            start, end, i = self.placed[k]
            if start >= span.end:
                return
            if end <= span.end:
                yield start, end, i

    def source_of(self, claim: Claim, aliases: Aliases) -> int | None:
        """The entity who said ``claim``: named by its resolved speaker (inside the source or
        anywhere in the article), else the person or organisation its source names, else the
        name that is the whole source ("Bassem Naim said"); None for anonymous sources."""
        if claim.source_kind not in NAMED_KINDS:
            return None
        inside = list(self.within(claim.source)) if claim.source else []
        if claim.speaker:
            key = name_key(speaker_name(claim.speaker, aliases))
            for _, _, i in inside:
                if key in (name_key(self.entities[i].name), *self._last_words(i)):
                    return i
            found = self.by_name.get(key, self.by_last_words.get(key))
            if found is not None:
                return found
        wanted = PERSON if claim.source_kind != "organisation" else ORG
        for _, _, i in inside:
            if self.entities[i].label == wanted:
                return i
        if claim.source and inside:
            start, end = clean_name(claim.source.text, 0, len(claim.source.text), person=False, aliases=aliases)
            first_start, first_end, i = inside[0]
            if (first_start, first_end) == (claim.source.start + start, claim.source.start + end):
                return i
        return None

    def _last_words(self, i: int) -> list[str]:
        words = self.entities[i].name.split()
        return [name_key(" ".join(words[-n:])) for n in range(1, len(words))]


def speaker_name(speaker: str, aliases: Aliases) -> str:
    """A resolved speaker as a name: without "the", possessive or title; canonical when an alias."""
    start, end = clean_name(speaker, 0, len(speaker), person=True, aliases=aliases)
    name = " ".join(speaker[start:end].split())
    return aliases.resolve(name) or name


def _speaker_entity(doc: Doc, claim: Claim, aliases: Aliases) -> Entity | None:
    """An entity for a claim's named speaker the model did not tag, when the source spells the name
    and it is a proper noun ("Campaigners said" names nobody)."""
    if claim.source is None or not claim.speaker or claim.source_kind not in ("person", "organisation"):
        return None
    name = speaker_name(claim.speaker, aliases)
    offset = claim.source.text.find(name)
    if offset < 0 or not any(c.isupper() for c in name):
        return None
    label = PERSON if claim.source_kind == "person" else ORG
    start = claim.source.start + offset
    span = doc.char_span(start, start + len(name), alignment_mode="expand")
    tags = [token.pos_ for token in span] if span is not None else []
    if any(tags) and "PROPN" not in tags:  # tagged, and no proper noun
        return None
    return Entity(name, label, (Mention(start, start + len(name), name, label),))


def _speaker_label(claim: Claim, label: str) -> str:
    """The label of a claim's source entity: a person or an organisation as the claim's source kind
    says ("Bassem Naim said", labelled GPE, is a person); after a pronoun, a person unless already one of them."""
    if claim.source_kind == "person":
        return PERSON
    if claim.source_kind == "organisation":
        return ORG
    return label if label in SPEAKER_LABELS else PERSON


def canonical_entities(doc: Doc, claims: Sequence[Claim] = (), aliases: Aliases | None = None) -> tuple[Entity, ...]:
    """The canonical entities of ``doc`` in order of first mention, their labels repaired by the
    sources of ``claims`` (the article's claims) and their ids derived from name and label;
    ``aliases`` None means none (the pipeline's component carries the include folder's)."""
    aliases = Aliases() if aliases is None else aliases
    entities = [
        Entity(g.name, g.label(), tuple(sorted(g.mentions, key=lambda m: m.start)),
               spacy_label=_majority(g.spacy_votes or Counter(m.label for m in g.mentions), (m.label for m in g.mentions)))
        for g in _group(doc, aliases)
    ]
    index = _Index(entities)
    for claim in claims:
        if index.source_of(claim, aliases) is None and (made := _speaker_entity(doc, claim, aliases)):
            entities.append(made)
            index.add(len(entities) - 1)
    votes: dict[int, Counter] = {}  # the label each claim an entity is the source of wants it to have
    for claim in claims:
        if (i := index.source_of(claim, aliases)) is not None:
            votes.setdefault(i, Counter())[_speaker_label(claim, entities[i].label)] += 1
    entities = [
        replace(e, label=max(votes[i], key=lambda label: (votes[i][label], label == e.label))) if i in votes else e
        for i, e in enumerate(entities)
    ]
    entities.sort(key=lambda e: e.mentions[0].start)
    return tuple(replace(e, entity_id=entity_id(e.name, e.label)) for e in entities)


def link_claims(claims: Sequence[Claim], entities: Sequence[Entity], aliases: Aliases | None = None) -> tuple[Claim, ...]:
    """``claims`` with ``source_entity_id`` (the person or organisation who said it, when known)
    and ``entity_ids`` (the entities their content mentions, in text order, once each);
    ``aliases`` None means none."""
    aliases = Aliases() if aliases is None else aliases
    index = _Index(entities)
    linked = []
    for claim in claims:
        source = index.source_of(claim, aliases)
        ids: dict[str, None] = {}
        for span in claim.content:
            for _, _, i in index.within(span):
                ids.setdefault(entities[i].entity_id)
        speaker = entities[source] if source is not None and entities[source].label in SPEAKER_LABELS else None
        linked.append(replace(claim, source_entity_id=speaker.entity_id if speaker else None, entity_ids=tuple(ids)))
    return tuple(linked)
