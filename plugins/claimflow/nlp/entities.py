"""Entities of an article: spaCy's NER made into canonical entities that dashboards can count.

``raw_entities`` is spaCy's output grouped by exact string and label within one article: the
baseline the canonical layer is measured against.

``canonical_entities`` makes one entity per real-world name of the article, in one pass over
``doc.ents`` and a few dicts:

- a mention is the name alone: no leading "the", no possessive ("Kelly's" -> "Kelly"), no title or
  occupation before a person ("Sen. John Kerry" -> "John Kerry", "Farmer Gordon Pruett"), no
  lower-case words after it, no "anti-" before it, nothing after punctuation glued to a word, a
  quote mark or an unclosed parenthesis ("Trump:You", "Trump’s “Look"), but a suffix ("Donald
  Trump, Jr.") and a head word the model left out ("Rasmussen Reports", "U.S. Senate"); a title
  makes a person whatever the model says ("Spokeswoman Haley Morris"), and a title, its last
  words ("State" of "Secretary of State") or a suffix alone are no name; dates,
  numbers, money and the like, common nouns, names without a capital letter, and the dateline
  ("JERUSALEM –" opening the text or the paragraph after the headline) are left out; a name the
  model found once (or a name the aliases file labels: "Twitter") is found again where it recurs
  untagged ("Kettering" after "Dolores Kettering", "If Kettering wins", "anti-Kettering", a
  headline's "Renounce Kettering"), in one regex pass, and so is a proper noun after an honorific
  or a person's office ("President Obama") and a transcript's speaker label ("KATE BOULDUAN:");
  two names joined by a slash are two ("New York Times/CBS News"), a social
  handle or hashtag is no name ("Twitter @NolteNC" -> "Twitter"), and the state of a political
  designation ("(R-Texas)", "(I-Vt.)") or after a city ("Burlington, Vt.") is a place named by
  ``lexicons/states.json`` (:mod:`claimflow.nlp.states`);
- in a first line written in title case (a headline), where the model takes any capitalized word
  for a name, a mention keeps only the longest part the rest of the article also names ("Hillary
  Clinton Drops" -> "Hillary Clinton", "Obama Calls" -> "Obama") and is dropped when there is none
  ("Luring Chinese Investors") unless the model found a known first name and a surname ("Paul
  Ryan") or a group of one word ("Republicans");
- forms merge into one name: the aliases file ("U.N." -> "United Nations"); an acronym into the
  name the article defines it for ("the United Nations (U.N.)", "the Global Market Review, or
  G.M.R."), else the aliases file's ("RNC"), else the one name the article gives whose initials its
  letters are (none when two names have them); a group's singular, plural and adjective
  ("Democrat", "Democrats", "Democratic"); a name with and without middle initials ("Donald J. Trump", "Donald Trump"), a surname (or any last words) into the person named in full most
  recently before it, or into the only person of that name when none is named before it (a
  headline's or a lede's "Trump"), and a first name only one person has; an honorific says whose surname it
  is ("Mrs. Clinton" joins Hillary Clinton, not Bill Clinton: the aliases file's ``genders``), and
  a place is no one's first name ("Austin" stays apart from "Austin Mirabeau Trump Hotel");
- the label is the majority of the mentions' labels (a surname merged into a person votes PERSON,
  a "person" in a place's position votes GPE, and so does an "organisation" where only a place
  stands: "near X", "the mayor of X"), then repaired by the claims where the evidence is
  strong: the claim's source is the name itself ("Bassem Naim said", not "the US daily wrote"),
  a person's name becomes PERSON only when something else says it is one (a first name, an
  honorific, the model's own vote, or several words never in a place's position) and a PERSON
  becomes ORG only when the model voted ORG and no first name says otherwise; a group (NORP), a
  place speaking for its government (GPE) and an organisation the claim calls a person keep
  their label; last, a label the aliases file gives wins: a name's own ("Twitter" ORG) or its
  last word's ("Mill Lane" FAC, "Republican National Convention" EVENT), unless a known first name
  opens it or the article calls it by that last word alone, as a person's surname;
- ``entity_id`` derives from the canonical name and label alone (:func:`entity_id`).

``link_claims`` gives each claim its source's entity and the entities its content mentions.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from claimflow.models import ENTITY_LABELS, Claim, Entity, Mention, Span, entity_id
from claimflow.nlp.aliases import Aliases, name_key, word_key
from claimflow.nlp.states import designations, state_name

PERSON, ORG = "PERSON", "ORG"
KEPT_LABELS = frozenset(ENTITY_LABELS)  # DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL are not entities
SPEAKER_LABELS = (PERSON, ORG)
NAMED_KINDS = ("person", "organisation", "pronoun")  # source kinds whose speaker is someone an entity can be
# "JERUSALEM –", "PORT HALVERSEN —", "WASHINGTON, D.C. (Reuters) -", "LOS ANGELES, Sept. 28, 2016 (UPI) —":
# upper-case place words opening the text, maybe a state and a date, then a dash; a heading such as
# "SERVICE NOTICE:" is no entity of the story either
DATELINE = re.compile(
    r"\s*[A-Z][A-Z'’.\-]*(?:[ \t]+[A-Z][A-Z'’.\-]*)*(?:,[ \t]*[A-Z][\w.]*(?:,?[ \t]+[A-Z\d][\w.]*)*)?"
    r"[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?(?:[–—-]+|:)\s"
)
ARTICLE = re.compile(r"(?:the|The|THE)\s+")
APOSTROPHES = "'’‘ʼ`"  # the apostrophe as news text types it: straight, curly, a left quote or a backtick by mistake
POSSESSIVE = re.compile(f"(?:[{APOSTROPHES}][sS]|(?<=[sS])[{APOSTROPHES}])\\Z")
ACRONYM_DEFINED = re.compile(r"\s*\(\s*([A-Z](?:\.?[A-Z&]){1,7}\.?)\s*\)")
WORD = re.compile(r"\S+")
CAPITALIZED = re.compile(r"(?<![\w’'])[A-Z][\w.&]*")  # a word that may open a name, and how far it goes
DOUBLE_NAME = re.compile(r"[A-Z][\w.'’]*-\Z")  # "Ortiz-" of "Ortiz-Kettering"; not "anti-" of "anti-Trump"
NAME_GOES_ON = re.compile(r"\w")  # "Clinton-Supporting" still names Clinton: a hyphen joins a name to a word
PRECEDING_WORD = re.compile(r"([A-Z][\w.'’-]*) \Z")
ENDS_SENTENCE = re.compile(r"[a-z]{3}\.\Z")  # "Tuesday." closes a sentence; "St." and "Sen." open a name
FOLLOWING_NAME = re.compile(r" [A-Z]")
PARTICLES = frozenset({"al", "el", "de", "da", "di", "du", "del", "della", "der", "van", "von", "bin", "ibn", "le", "la"})
# a PERSON after these ("in Caddon", "the village of Amblestow") is a place the model took for a person
LOCATIVE = frozenset({"in", "at", "near", "across", "throughout", "outside", "inside"})
PLACE_NOUNS = frozenset({"village", "town", "city", "island", "islands", "region", "district", "county", "province",
                         "state", "country", "republic", "port", "kingdom", "capital", "municipality"})
INITIALS_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "du", "des", "la", "le"})
HEADLINE_CHARS = 300  # a first line longer than this is a paragraph, not a headline (nor one a dateline may follow)
# "the Global Market Review, or G.M.R.", "the Deferred Action for Childhood Arrivals program, or DACA,"
ACRONYM_OR = re.compile(r"(?:\s+[a-z]+){0,2},?\s+or\s+(?:the\s+)?([A-Z](?:\.?[A-Z&]){1,7}\.?)(?![\w&])")
LINE = re.compile(r"[^\n]+")
SENTENCE_BREAK = re.compile(r"(?<=[a-z]{2})[.!?][’”'\"]?\s+[A-Z]")  # a sentence ends inside the line (not "U.S. Court")
OPENING, CLOSING = "'\"‘“(", ":;,!?'\"’”)"  # punctuation a headline's word may carry: "'Personal", "Insult':"
SENTENCE_END = re.compile(r"(?<=[a-z])\.\Z")  # "Face Key Test." but not "U.S."
LONG_WORD = re.compile(r"(?<![\w’'])[^\W\d_]{4,}")  # title case capitalizes every word of four letters or more
MIDDLE_INITIAL = re.compile(r"(?:[A-Z]\.?){1,3}")  # "J." of "Donald J. Trump", "H.W." of "George H.W. Bush"
RELATIVE_WHO = re.compile(r"\s*whom?\b")  # a relative clause only a person takes ("whose" an organisation takes too)
LOWER_TAIL = re.compile(r"(?<![’'])\b[a-z]{2,}")  # a common noun after a name: "the US daily"
ONLY_PLACES = frozenset({"near", "outside", "throughout"})  # prepositions whose object is a place, never an organisation
PLACES_OF = PLACE_NOUNS | {"mayor", "residents", "outskirts", "people"}  # "the mayor of X": X is a place
PLACE_PREPOSITIONS = LOCATIVE | {"to", "from", "into", "across", "toward", "towards"}
HANDLE = re.compile(r"(?<!\S)[@#]\w")  # a social handle or hashtag: "@NolteNC", "#The411"
SLASH = re.compile(r"\s*/\s*")  # "New York Times/CBS News": two names
# "KATE BOULDUAN: Why not debate?": a transcript's speaker label, opening a line in capitals before a colon
SPEAKER_LABEL = re.compile(r"^[ \t]{0,8}([A-Z][A-Z'’-]{1,30}(?:[ \t]{1,3}[A-Z][A-Z'’.-]{0,30}){0,2}):[ \t]+\S", re.MULTILINE)
NAME_SUFFIX = re.compile(r",?[ \t]+(?:Jr|Sr)\.|,?[ \t]+(?:Jr|Sr|II|III|IV)\b")  # ", Jr." after "Donald Trump"
SUFFIXES = frozenset({"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"})  # no name alone
LOWER_HYPHEN = re.compile(r"[a-z]+-(?=[A-Z])")  # "anti-" of "anti-Muslim": the name is what follows
# where a name the model ran on stops: punctuation glued to the next word ("Trump:You", "pics?I"), a quote mark
# ("Trump’s “Look"), a parenthesis it does not close ("Federal Bureau of Investigation (FBI"); for a person, a
# number ("Barron, 9" run on as "Barron 9"; "Route 66" and "Apollo 11" keep theirs)
NAME_BREAK = re.compile(r"[:;?!](?=\w)|[“”\"]|\((?![^)]*\))")
PERSON_BREAK = re.compile(f"{NAME_BREAK.pattern}|\\s\\d")
CITY_COMMA = re.compile(r"[A-Z][\w.]*,[ \t]*\Z")  # "Burlington, " before a state
# titles after which a capitalized word the model left untagged is a person's name ("President Obama"), besides
# the honorifics (the aliases' titles that have a gender): no "Director General", "Justice Department"
PERSON_TITLES = frozenset({"president", "sen.", "senator", "rep.", "representative", "gov.", "governor", "congressman",
                           "congresswoman", "mayor", "minister", "dr.", "prof."})
# titles that open only a person's name, never an organisation's or a place's ("General Motors", "Prince Edward Island")
TITLES_OF_PEOPLE = PERSON_TITLES | {"spokesman", "spokeswoman", "spokesperson", "chairman", "chairwoman", "mr.", "mrs.", "ms."}



def raw_entities(doc: Doc) -> tuple[Entity, ...]:
    """Named entities grouped by (normalized name, label), mentions in text order."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for ent in doc.ents:
        name = " ".join(ent.text.split())
        groups.setdefault((name, ent.label_), []).append(Mention(ent.start_char, ent.end_char, ent.text, ent.label_))
    return tuple(Entity(name, label, tuple(mentions)) for (name, label), mentions in groups.items())


def dateline(text: str) -> tuple[int, int]:
    """Where the dateline is (``(0, 0)`` when there is none): opening ``text``, or opening the paragraph
    after a headline ("Obama Speaks.\n\nWASHINGTON (AP) — ...")."""
    if match := DATELINE.match(text):
        return 0, match.end()
    newline = text.find("\n", 0, HEADLINE_CHARS)
    if newline >= 0 and (match := DATELINE.match(text, newline + 1)):
        return newline + 1, match.end()
    return 0, 0


def _headline(text: str) -> tuple[int, int] | None:
    """The first line when it is written in title case (a headline, where the model takes capitalized
    words for names): one sentence whose words of four letters or more are capitalized, three or more of
    them, all but one in five ("Politifact: Donald Trump Is Right, ... in Chicago this Year.")."""
    line = LINE.search(text, 0, HEADLINE_CHARS + 1)
    if line is None or line.end() > HEADLINE_CHARS or not text[line.end():].strip() or SENTENCE_BREAK.search(text, *line.span()):
        return None  # no line, a paragraph, the whole text, or two sentences: no headline
    upper = lower = 0
    for word in LONG_WORD.finditer(text, *line.span()):
        if word.group()[0].isupper():
            upper += 1
        else:
            lower += 1
    return line.span() if upper >= 3 and lower <= upper // 5 else None


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


class _Found(NamedTuple):
    """One mention while an article is read, with what it says about its entity."""

    mention: Mention
    name: str
    vote: str | None  # its label vote; None for a mention the model did not find as it stands (a repeat, a headline's)
    gender: str | None = None  # "female" or "male" when an honorific before it says ("Mrs. Clinton")
    placed: bool = False  # in a place's position: "in X", "to X"


@dataclass
class _Group:
    """The mentions of one name while an article is read: its forms, and its label votes."""

    name: str  # the canonical name so far
    fixed: bool  # the name comes from the aliases file or an acronym's definition
    mentions: list[Mention] = field(default_factory=list)
    votes: Counter = field(default_factory=Counter)
    spacy_votes: Counter = field(default_factory=Counter)
    genders: Counter = field(default_factory=Counter)  # what the honorifics before its mentions say
    placed: bool = False  # a mention stands in a place's position

    def add(self, mention: Mention, name: str, vote: str | None, gender: str | None = None, placed: bool = False) -> None:
        """Add ``mention`` (named ``name``); ``vote`` None for a mention the model did not find."""
        self.mentions.append(mention)
        if vote is not None:
            self.votes[vote] += 1
            self.spacy_votes[mention.label] += 1
        if gender:
            self.genders[gender] += 1
        self.placed = self.placed or placed
        if not self.fixed and _fuller(name, self.name):
            self.name = name

    def label(self) -> str:
        """The majority of the votes; a lone word the model also calls a place is no person ("Kaldmark")."""
        votes = self.votes
        if len(self.name.split()) == 1 and PERSON in votes and (votes["GPE"] or votes["LOC"]):
            votes = Counter({label: n for label, n in votes.items() if label != PERSON})
        return _majority(votes or Counter(m.label for m in self.mentions), (m.label for m in self.mentions))

    def gender(self, aliases: Aliases) -> str | None:
        """What its honorifics say, else its first name ("Hillary Clinton"); None when nothing tells."""
        if self.genders:
            return self.genders.most_common(1)[0][0]
        words = self.name.split()
        return aliases.gender(words[0]) if len(words) > 1 else None


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


def _mentions(doc: Doc, text: str, aliases: Aliases) -> Iterator[_Found]:
    """Each kept mention of ``doc`` (whose text is ``text``) in text order."""
    skip_from, skip_to = dateline(text)
    for ent in doc.ents:
        label = ent.label_
        if label not in KEPT_LABELS or (ent.start_char >= skip_from and ent.end_char <= skip_to):
            continue
        if all(token.pos_ == "NOUN" for token in ent):  # "Farmers", "Weather" opening a sentence: no name
            continue
        if _closes_title(text, ent.start_char, ent.end_char, aliases):  # "State" of "Secretary of State"
            continue
        honorific = _honorific(text, ent.start_char, ent.end_char, aliases)
        titled = label != PERSON and _opens_with_title(text, ent.start_char, ent.end_char, aliases)
        person = label == PERSON or honorific is not None or titled
        vote = PERSON if titled else _vote(ent, label)
        end_char = _head_after(doc, ent, aliases)
        if label == PERSON and (suffix := NAME_SUFFIX.match(text, end_char)):
            end_char = suffix.end()  # "Donald Trump, Jr.": the son, not his father
        cleaned = clean_name(text, *_cut(text, ent.start_char, end_char, person), person=person, aliases=aliases)
        for start, end in _names_in(text, *cleaned):
            name = " ".join(text[start:end].split())
            if label == "GPE" and CITY_COMMA.search(text, max(0, start - 40), start) and (state := state_name(name)):
                name = state  # "Burlington, Vt.": Vermont
            folded = name.casefold()
            if any(c.isupper() for c in name) and folded not in aliases.titles and folded not in SUFFIXES:  # "Historian", "Jr."
                yield _Found(Mention(start, end, text[start:end], label), name, vote, honorific, _placed(ent))


def _closes_title(text: str, start: int, end: int, aliases: Aliases) -> bool:
    """Whether the name at ``[start, end)`` is the last words of a title ("State" of "Secretary of State",
    "General" of "Attorney General"): part of a role, no name of its own."""
    size = len(text[start:end].split())
    before = text[max(0, start - 60):start].split()
    return any(" ".join([*before[-n:], text[start:end]]).casefold() in aliases.titles
               for n in range(1, min(len(before), aliases.max_title_words - size) + 1))


def _opens_with_title(text: str, start: int, end: int, aliases: Aliases) -> bool:
    """Whether the mention at ``[start, end)`` is a person's title and a name of two words or more, whatever the
    model's label ("Spokeswoman Haley Morris", labelled ORG): a title only a person has, no head word of a
    place or an organisation closing it ("Senator Mills Foundation")."""
    words = text[start:end].split()
    title = words[0].casefold() if words else ""
    return (len(words) >= 3 and title in aliases.titles and title in TITLES_OF_PEOPLE
            and words[1][:1].isupper() and aliases.label(" ".join(words[1:])) is None)


def _head_after(doc: Doc, ent, aliases: Aliases) -> int:
    """Where the name the model found as ``ent`` ends: with the capitalized word after it when that word is a
    head word the model left out ("Rasmussen" before "Reports", "U.S." before "Senate"); a group's adjective
    qualifies the word after it ("the Republican Senate")."""
    if ent.end < len(doc) and ent.label_ != "NORP":
        after = doc[ent.end]
        if (after.ent_iob_ == "O" and after.idx == ent.end_char + 1 and after.text[:1].isupper()
                and word_key(after.text) in aliases.heads):
            return after.idx + len(after.text)
    return ent.end_char


def _cut(text: str, start: int, end: int, person: bool) -> tuple[int, int]:
    """``[start, end)`` without a lower-case word hyphened before the name ("anti-Muslim" -> "Muslim", not a
    particle: "al-Zahar") and cut
    where the name stops (:data:`NAME_BREAK`, :data:`PERSON_BREAK` for a ``person``); maybe empty."""
    if (match := LOWER_HYPHEN.match(text, start, end)) and match.group()[:-1] not in PARTICLES:  # "al-Zahar" stays
        start = match.end()
    if stop := (PERSON_BREAK if person else NAME_BREAK).search(text, start + 1, end):
        end = start + len(text[start:stop.start()].rstrip())
    return start, end


def _names_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The names a mention at ``[start, end)`` holds: none of a social handle or hashtag and what follows
    it ("Twitter @NolteNC" -> "Twitter", "@SpeakerRyan" -> nothing), and two names joined by a slash
    ("New York Times/CBS News"; not "AC/DC" nor "N/A", of two letters or fewer each side)."""
    if handle := HANDLE.search(text, start, end):
        end = start + len(text[start:handle.start()].rstrip())
    if end <= start:
        return []
    names, at = [], start
    for slash in SLASH.finditer(text, start, end):
        left, right = text[at:slash.start()], text[slash.end():end]
        if max(len(left.strip()), len(right.strip())) > 2 and left[:1].isupper() and right[:1].isupper():
            names.append((at, slash.start()))
            at = slash.end()
    names.append((at, end))
    return names


def _honorific(text: str, start: int, end: int, aliases: Aliases) -> str | None:
    """The gender an honorific says of the name at ``[start, end)``: opening it ("Mrs. Clinton" tagged
    whole) or just before it ("Mrs." left out of the tag)."""
    first = WORD.match(text, start, end)
    if first and first.end() < end and (gender := aliases.gender(first.group())) and first.group().casefold() in aliases.titles:
        return gender
    before = PRECEDING_WORD.search(text, max(0, start - 40), start)
    if before and before.group(1).casefold() in aliases.titles:
        return aliases.gender(before.group(1))
    return None


def _placed(ent) -> bool:
    """Whether the mention stands where a place does: the object of "in", "to", "from"..."""
    return ent.root.dep_ == "pobj" and ent.root.head.lower_ in PLACE_PREPOSITIONS


def _vote(ent, label: str) -> str:
    """The label a mention votes for: its own, but a place for a "person" in a place's position ("in X") and for
    an "organisation" where only a place stands ("near X", "the mayor of X"; "at X" and "in X" an employer or a
    chamber may take: "at Google", "in Congress")."""
    if label not in SPEAKER_LABELS or ent.root.dep_ != "pobj":
        return label
    prep = ent.root.head
    if prep.lower_ == "of" and prep.head.lower_ in (PLACE_NOUNS if label == PERSON else PLACES_OF):
        return "GPE"
    return "GPE" if prep.lower_ in (LOCATIVE if label == PERSON else ONLY_PLACES) else label


def _in_headlines(found: list[_Found], text: str, aliases: Aliases) -> list[_Found]:
    """``found`` with each mention inside a title-case headline cut to the longest part of it the rest
    of the article names (a name, a person's last words or known first name, a known alias), with the first name before it
    ("Hillary Clinton Goes After" -> "Hillary Clinton" when the article says "Clinton"), labelled as
    there; a mention with no such part is dropped. The cut mentions do not vote: the model's labels
    in a headline are guesses."""
    headline = _headline(text)
    if headline is None:
        return found
    body: dict[str, str] = {}  # name key -> label, of the names outside the headline
    for item in found:
        if item.mention.start >= headline[1]:
            words = item.name.split()
            body.setdefault(name_key(item.name), item.mention.label)
            if item.mention.label == PERSON:
                for n in range(1, len(words)):
                    body.setdefault(name_key(" ".join(words[-n:])), PERSON)
                if len(words) > 1 and aliases.gender(words[0]):  # "Hillary" of "Hillary Clinton"
                    body.setdefault(name_key(words[0]), PERSON)
    kept = []
    for item in found:
        if item.mention.start >= headline[1]:
            kept.append(item)
        elif cut := _named_part(text, item.mention, body, aliases):
            kept.append(_Found(cut, " ".join(cut.text.split()), None, item.gender))
        elif _sure_in_headline(item, aliases):
            kept.append(item._replace(vote=None))
    return kept


def _sure_in_headline(item: _Found, aliases: Aliases) -> bool:
    """Whether a headline's mention the rest of the article does not name is a name all the same: a person
    the model found as a first name the aliases know and one more word ("Paul Ryan"; "Stealth Over
    Health" is none), or a group of one word the model found ("Republicans": capitalized in any case)."""
    words = item.name.split()
    if item.mention.label == "NORP":
        return len(words) == 1
    return (item.mention.label == PERSON and len(words) == 2 and aliases.gender(words[0]) is not None
            and words[0].casefold() not in aliases.titles and words[1][:1].isupper())


def _named_part(text: str, mention: Mention, body: dict[str, str], aliases: Aliases) -> Mention | None:
    """The longest run of the words of ``mention`` that ``body`` (or the aliases file) names, the leftmost
    of equals, with a first name just before it."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text, mention.start, mention.end)]
    for size in range(len(words), 0, -1):
        for i in range(len(words) - size + 1):
            start, end = clean_name(text, words[i][0], words[i + size - 1][1], person=False, aliases=aliases)
            end = start + len(text[start:end].rstrip(CLOSING))
            if match := SENTENCE_END.search(text, start, end):
                end = match.start()
            start = end - len(text[start:end].lstrip(OPENING))
            key = name_key(text[start:end])
            if key and (key in body or aliases.resolve(text[start:end])):
                label = body.get(key, mention.label)
                if i and label == PERSON and aliases.gender(text[words[i - 1][0]:words[i - 1][1]]) and start == words[i][0]:
                    start = words[i - 1][0]
                return Mention(start, end, text[start:end], label)
    return None


def _with_designations(text: str, found: list[_Found]) -> list[_Found]:
    """``found`` with the state of each political designation ("Texas" of "Sen. Ted Cruz (R-Texas)", "Vt."
    of "(I-Vt.)", named "Vermont") as a place that votes GPE, in place of what the model found inside it."""
    states = designations(text)
    if not states:
        return found
    bounds = sorted((start - 2, end) for start, end, _ in states)  # from the party letter: "R-Texas"
    starts = [start for start, _ in bounds]

    def inside(mention: Mention) -> bool:
        i = bisect.bisect_right(starts, mention.start) - 1
        return i >= 0 and mention.end <= bounds[i][1]

    kept = [item for item in found if not inside(item.mention)]
    taken = [(item.mention.start, item.mention.end) for item in kept]
    for start, end, state in states:
        if not any(s < end and start < e for s, e in taken):  # not part of a name the model found around it
            kept.append(_Found(Mention(start, end, text[start:end], "GPE"), state, "GPE"))
    return kept


def _titled(doc: Doc, text: str, start: int, end: int, aliases: Aliases) -> str | None:
    """The title before a capitalized word the model left untagged at ``[start, end)`` when it makes the word a
    person's name ("President Obama", "Mrs. Ardley"): an honorific or a person's office, the word a proper
    noun and no title itself, no capitalized word after it ("President Obama Library")."""
    before = PRECEDING_WORD.search(text, max(0, start - 40), start)
    title = before.group(1).casefold() if before else ""
    if (title not in aliases.titles or not (title in PERSON_TITLES or aliases.gender(title))
            or end - start < 2 or text[start:end].casefold() in aliases.titles or FOLLOWING_NAME.match(text, end)):
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    tags = [token.pos_ for token in span] if span is not None else []
    return before.group(1) if not any(tags) or "PROPN" in tags else None


def _repeats(doc: Doc, text: str, found: list[_Found], skip: tuple[int, int], aliases: Aliases, acronyms: dict[str, str]):
    """Mentions the model missed of names it found elsewhere in the article ("Kettering" after "Dolores
    Kettering", a known first name "Hillary" after "Hillary Clinton", "anti-Trump"), of the acronyms the article defines (``acronyms``: acronym -> label) and of a person's
    name after a title (:func:`_titled`): one pass over the capitalized words of the text outside the
    dateline ``skip``; they do not vote on labels."""
    forms: dict[str, str] = {**aliases.names, **acronyms}  # names of a known label are found wherever they are
    for item in found:
        words = item.name.split()
        forms.setdefault(item.name, item.mention.label)
        if item.mention.label == PERSON and len(words) > 1 and words[-1].casefold() not in SUFFIXES:
            forms.setdefault(words[-1], PERSON)
            if aliases.gender(words[0]) and words[0].casefold() not in aliases.titles:
                forms.setdefault(words[0], PERSON)  # "Hillary" of "Hillary Clinton": whose, _merge_surnames decides
    by_word: dict[str, list[str]] = {}  # first word -> forms starting with it, longest first
    for form in sorted(forms, key=len, reverse=True):
        if len(form) > 2 and (first := CAPITALIZED.match(form)):
            by_word.setdefault(first.group(), []).append(form)
    taken = sorted((item.mention.start, item.mention.end) for item in found)
    starts = [start for start, _ in taken]
    headline = _headline(text)
    titled_from = headline[1] if headline else 1  # title case capitalizes every word: no names after titles there
    for word in CAPITALIZED.finditer(text):
        start = word.start()
        candidates = by_word.get(word.group()) or by_word.get(word.group().rstrip("."), ())  # "... said Kettering."
        form = next((f for f in candidates if text.startswith(f, start)
                     and not NAME_GOES_ON.match(text, start + len(f))), None)
        if skip[0] <= start < skip[1] or DOUBLE_NAME.search(text, max(0, start - 40), start):
            continue
        end = start + len(form) if form else word.end()
        i = bisect.bisect_right(starts, start)
        if (i and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
            continue  # inside a name the model found
        if form is None:
            end -= bool(SENTENCE_END.search(text, start, end))  # "President Obama." ends a sentence
            if (start >= titled_from and text[start - 1] == " " and not NAME_GOES_ON.match(text, word.end())
                    and (title := _titled(doc, text, start, end, aliases))):
                yield _Found(Mention(start, end, text[start:end], PERSON), text[start:end], None, aliases.gender(title))
            continue
        before = PRECEDING_WORD.search(text, max(0, start - 40), start)
        title = before.group(1) if before and before.group(1).casefold() in aliases.titles else None
        in_headline = headline is not None and start < headline[1]
        if not in_headline and ((title is None and _joins_name(before)) or FOLLOWING_NAME.match(text, end)):
            continue  # part of a longer name the model missed ("Kelly Street"); in a headline every word is capitalized
        yield _Found(Mention(start, end, form, forms[form]), form, None, title and aliases.gender(title))


def _speaker_labels(text: str, found: list[_Found], skip: tuple[int, int], aliases: Aliases) -> Iterator[_Found]:
    """The speaker labels of a transcript the model missed, as persons ("KATE BOULDUAN:", then "BOULDUAN:"):
    a label whose first word is a known first name, or that is the name or surname of a person the article
    names or of an earlier label; outside the dateline ``skip`` and any name found ("SERVICE NOTICE:",
    "UPDATE:" name no one)."""
    people: set[str] = set()
    for item in found:
        if item.mention.label == PERSON:
            words = item.name.split()
            people.update(name_key(" ".join(words[-n:])) for n in range(1, len(words) + 1))
    taken = sorted((item.mention.start, item.mention.end) for item in found)
    for match in SPEAKER_LABEL.finditer(text):
        start, end = match.span(1)
        words = match.group(1).split()
        known_first = len(words) > 1 and aliases.gender(words[0]) and words[0].casefold() not in aliases.titles
        i = bisect.bisect_left(taken, (end, end))  # the mentions starting before the label ends; the last may overlap it
        overlaps = bool(i) and taken[i - 1][1] > start
        if skip[0] <= start < skip[1] or overlaps or not (known_first or name_key(match.group(1)) in people):
            continue
        people.add(name_key(words[-1]))
        yield _Found(Mention(start, end, text[start:end], PERSON), " ".join(words), PERSON)


def _joins_name(before: re.Match | None) -> bool:
    """Whether the capitalized word just before a name (``PRECEDING_WORD``'s match) may be part of it: not
    when it closes a sentence ("Tuesday. Trump leads") or is a function word opening one ("If Trump falls")."""
    if before is None:
        return False
    word = before.group(1)
    return not ENDS_SENTENCE.search(word) and word.casefold() not in STOP_WORDS


def _resolve(name: str, aliases: Aliases, defined: dict[str, str], initials: dict[str, str | None]) -> tuple[str, bool]:
    """The canonical form of ``name`` and whether it is fixed: the article's own definition of an acronym
    first ("the Republican National Convention (RNC)"), then the aliases file, then the initials of a name
    the article gives (``initials``: only those of one name)."""
    key = name_key(name)
    if full := defined.get(key):
        return aliases.resolve(full) or full, True
    if known := aliases.resolve(name):
        return known, True
    if full := initials.get(key):
        return aliases.resolve(full) or full, True
    return name, False


def _abbreviates(acronym: str, name: str) -> bool:
    """Whether ``acronym``'s letters appear in ``name`` in order, the first opening it ("G.M.R." of "Global
    Market Review", not "UK" of "France"): what an acronym defined without parentheses must show."""
    letters, text = acronym.replace(".", "").replace("&", "").casefold(), name.casefold()
    at = 0
    for letter in letters:
        at = text.find(letter, at)
        if at < 0 or (letter is letters[0] and at):
            return False
        at += 1
    return bool(letters)


def _defined_acronyms(text: str, found: list[_Found]) -> tuple[dict[str, str], dict[str, str]]:
    """The acronyms the article defines: key of the acronym -> the name, and the acronym as written -> label."""
    defined: dict[str, str] = {}  # "the United Nations (U.N.)": key of "U.N." -> "United Nations"
    written: dict[str, str] = {}
    for item in found:
        match = ACRONYM_DEFINED.match(text, item.mention.end, item.mention.end + 16)
        if match is None and (match := ACRONYM_OR.match(text, item.mention.end, item.mention.end + 40)):
            match = match if _abbreviates(match.group(1), item.name) else None
        if match:
            defined[name_key(match.group(1))] = item.name
            written.setdefault(match.group(1), item.mention.label)
    return defined, written


def _group_key(name: str) -> str:
    """The key a name's mentions group under: its name key without middle initials ("Donald J. Trump"
    and "Donald Trump" are one)."""
    words = name.split()
    if len(words) > 2:
        words = [words[0], *(w for w in words[1:-1] if not MIDDLE_INITIAL.fullmatch(w)), words[-1]]
    return name_key(" ".join(words))


def _group(doc: Doc, text: str, aliases: Aliases) -> list[_Group]:
    """The article's mentions grouped by canonical form, surnames merged into their person (``text``
    is ``doc.text``: spaCy joins the tokens on every call, so once per article)."""
    found = _with_designations(text, _in_headlines(list(_mentions(doc, text, aliases)), text, aliases))
    defined, acronyms = _defined_acronyms(text, found)
    skip = dateline(text)
    found += _repeats(doc, text, found, skip, aliases, acronyms)
    found += _speaker_labels(text, found, skip, aliases)
    found.sort(key=lambda item: item.mention.start)
    initials: dict[str, str | None] = {}  # "UN" -> "United Nations" when the article names it; None when two names fit
    for item in found:
        if len(item.name.split()) > 1 and not _is_acronym(item.name):
            key = name_key(_initials(item.name))
            if initials.setdefault(key, item.name) not in (item.name, None) and _group_key(initials[key]) != _group_key(item.name):
                initials[key] = None  # "RNC" beside the Republican National Committee and Convention: whose is unknown
    groups: dict[str, _Group] = {}
    for mention, name, vote, gender, placed in found:
        canonical, fixed = _resolve(name, aliases, defined, initials if _is_acronym(name) else {})
        key = _group_key(canonical)
        if mention.label == "NORP" and not fixed:  # "Democrat", "Democrats", "Democratic": one group, as its members and adjective
            key = key.removesuffix("s").removesuffix("ic")
        group = groups.setdefault(key, _Group(canonical, fixed))
        group.add(mention, name, vote, gender, placed)
    honorifics = {item.mention.start: item.gender for item in found if item.gender}
    return _merge_surnames(list(groups.values()), honorifics, aliases)


def _merge_surnames(groups: list[_Group], honorifics: dict[int, str], aliases: Aliases) -> list[_Group]:
    """Move each mention of a person's last words ("Kelly", "Abu Zayd"), or of a first name only one
    person or organisation of the article has ("Jonas", "Greyfield"), into the full name ("Ian Kelly")
    mentioned most recently before it, or, before any (a headline's, a lede's), into the only full name it
    can be ("Trump" before "Donald Trump"); otherwise it stays its own. An honorific before the
    mention (``honorifics``: start -> gender) passes over a full name of the other gender ("Mrs.
    Clinton" after "Bill Clinton"). A place is no first name ("Austin" beside "Austin Mirabeau Trump
    Hotel"): :func:`_is_place`. The short form's own label does not matter for a person (the model labels "Pickering"
    ORG beside "Thomas Pickering"): :func:`_may_merge`."""
    people: dict[str, list[tuple[int, _Group]]] = {}  # key of last words -> (start of a full mention, person)
    first_names: dict[str, list[_Group]] = {}
    for group in groups:
        words = group.name.split()
        if group.fixed or len(words) < 2:
            continue
        first_names.setdefault(name_key(words[0]), []).append(group)
        full_key = _group_key(group.name)
        for mention in group.mentions:
            if _group_key(mention.text) == full_key:  # the full name, with or without a middle initial
                for n in range(1, len(words)):
                    people.setdefault(name_key(" ".join(words[-n:])), []).append((mention.start, group))
    by_first_name = set()
    for name, owners in first_names.items():
        if len(owners) == 1 and name not in people and owners[0].label() in SPEAKER_LABELS:
            people[name] = [(m.start, owners[0]) for m in owners[0].mentions]
            by_first_name.add(name)
    for full in people.values():
        full.sort(key=lambda item: item[0])
    genders = {id(group): group.gender(aliases) for group in groups}
    kept: list[_Group] = []
    for group in groups:
        key = name_key(group.name)
        full = people.get(key)
        if (full is None or group.fixed or len(group.name.split()) >= len(full[0][1].name.split())
                or (key in by_first_name and _is_place(group, aliases))):
            kept.append(group)
            continue
        owners = list({id(person): person for _, person in full}.values())
        rest = _Group(group.name, group.fixed)
        for mention in group.mentions:
            gender = honorifics.get(mention.start)
            person = _holder(full, owners, mention.start, gender, genders)
            if person and _may_merge(group.label(), person.label()):
                # a person's surname votes PERSON (so does one of a first name the aliases know: "Keith Lamont
                # Scott", all of it labelled ORG), an organisation's short form its label ("Supreme Court")
                full_label = person.label()
                is_person = PERSON in (full_label, mention.label) or genders[id(person)] is not None
                person.add(mention, mention.text, PERSON if is_person else full_label, gender)
            else:
                rest.add(mention, " ".join(mention.text.split()), mention.label, gender)
        if rest.mentions:
            kept.append(rest)
    return kept


def _is_place(group: _Group, aliases: Aliases) -> bool:
    """Whether a lone word is a place rather than someone's first name: the model calls it no person or
    organisation and it stands in a place's position ("in Charlotte") or is no known first name ("Austin")."""
    return group.label() not in SPEAKER_LABELS and (group.placed or aliases.gender(group.name) is None)


def _holder(full: list[tuple[int, _Group]], owners: list[_Group], start: int, gender: str | None,
            genders: dict[int, str | None]) -> _Group | None:
    """Whose short form starts at ``start``: the full name of a matching gender mentioned most recently
    before it, else the only one of ``owners`` of a matching gender, else no one."""
    def matches(person: _Group) -> bool:
        return gender is None or genders[id(person)] in (None, gender)

    for k in range(bisect.bisect_left(full, start, key=lambda item: item[0]) - 1, -1, -1):
        if matches(full[k][1]):
            return full[k][1]
    candidates = [person for person in owners if matches(person)]
    return candidates[0] if len(candidates) == 1 else None


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
            # a name before a common noun is the speaker only as an organisation's ("the Civic Renewal
            # party"): "the US daily" is not the United States, "the Trump campaign" not Trump
            fits = (lambda i: self.entities[i].label == ORG) if _has_lower_tail(claim.speaker, aliases) else (lambda i: True)
            for _, _, i in inside:
                if key in (name_key(self.entities[i].name), *self._last_words(i)) and fits(i):
                    return i
            found = self.by_name.get(key, self.by_last_words.get(key))
            if found is not None and fits(found):
                return found
        wanted = PERSON if claim.source_kind != "organisation" else ORG
        for _, _, i in inside:
            if self.entities[i].label == wanted:
                return i
        if claim.source and inside:
            start, end = clean_name(claim.source.text, 0, len(claim.source.text), person=False, aliases=aliases)
            first_start, first_end, i = inside[0]
            tail = _has_lower_tail(claim.source.text, aliases)
            if (first_start, first_end) == (claim.source.start + start, claim.source.start + end) and (not tail or self.entities[i].label == ORG):
                return i
        return None

    def is_named_by_source(self, claim: Claim, i: int, aliases: Aliases) -> bool:
        """Whether the source of ``claim`` is entity ``i``'s name, or its surname, with at most words before it
        and a clause after a comma ("Spokesman Ian Kelly said", "Second-placed finisher Tomasz Reiner, who
        finished second, said"; not "the US daily wrote", not "he said")."""
        if claim.source is None:
            return False
        head = claim.source.text.partition(",")[0]
        if _has_lower_tail(head, aliases):
            return False
        start, end = clean_name(head, 0, len(head), person=True, aliases=aliases)
        words = head[start:end].split()
        entity = self.entities[i]
        names = {name_key(entity.name), *self._last_words(i), *(name_key(m.text) for m in entity.mentions)}
        # the name closes the head: "Second-placed finisher Tomasz Reiner", "Clinton aide John Podesta"
        return any(name_key(" ".join(words[-n:])) in names for n in range(1, len(words) + 1))

    def _last_words(self, i: int) -> list[str]:
        words = self.entities[i].name.split()
        return [name_key(" ".join(words[-n:])) for n in range(1, len(words))]


def _has_lower_tail(phrase: str, aliases: Aliases) -> bool:
    """Whether lower-case words follow the name in ``phrase``: a name that only qualifies a noun ("the US daily")."""
    start, end = clean_name(phrase, 0, len(phrase), person=True, aliases=aliases)
    return LOWER_TAIL.search(phrase, end) is not None


def speaker_name(speaker: str, aliases: Aliases) -> str:
    """A resolved speaker as a name: without "the", possessive or title; canonical when an alias."""
    start, end = clean_name(speaker, 0, len(speaker), person=True, aliases=aliases)
    name = " ".join(speaker[start:end].split())
    return aliases.resolve(name) or name


def _speaker_entity(doc: Doc, claim: Claim, aliases: Aliases, headline: tuple[int, int] | None,
                    skip: tuple[int, int]) -> Entity | None:
    """An entity for a claim's named speaker the model did not tag, when the source spells the name
    and it is a proper noun ("Campaigners said" names nobody), outside the dateline ``skip`` and a title-case ``headline``
    ("Stealth Over Health: Hillary Clinton Was Headed to ER" names no "Stealth Over Health")."""
    if claim.source is None or not claim.speaker or claim.source_kind not in ("person", "organisation"):
        return None
    if headline and claim.source.start < headline[1]:
        return None
    if skip[0] <= claim.source.start < skip[1]:  # "LOS ANGELES, Sept. 28 (UPI) — In a clip, ..." names no speaker
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


@dataclass(frozen=True)
class _Evidence:
    """What an article says of a name besides its label, for repairing the label from the claims."""

    person: bool = False  # a first name, an honorific or a "who" after it in a claim's source says it is a person
    person_vote: bool = False  # the model labelled one of its mentions PERSON
    person_over_org: bool = False  # ... and as many PERSON as ORG
    org_vote: bool = False  # the model labelled one of its mentions ORG
    placed: bool = False  # one of its mentions stands in a place's position ("in X")

    @classmethod
    def of(cls, group: _Group, aliases: Aliases) -> _Evidence:
        votes = group.spacy_votes
        return cls(group.gender(aliases) is not None, PERSON in votes, votes[PERSON] >= max(votes[ORG], 1), ORG in votes, group.placed)


def _repaired_label(entity: Entity, kind: str | None, evidence: _Evidence) -> str:
    """The label the source of a claim of ``kind`` should have when the source is the name itself, only
    where something besides the claim agrees: a person when a first name, an honorific or a "who" says
    so, or the model labelled as many of its mentions PERSON as ORG, or (not an organisation) one of them
    PERSON or it has several words, never standing in a place's position ("Bassem Naim said", labelled
    GPE); an organisation when the model
    labelled one of its mentions ORG, no first name says it is a person and it never stands in a
    place's position. A group (NORP) keeps its label, and so do a place speaking for its government
    ("Kaldmark said") and an organisation the source kind calls a person ("the Justice Department")."""
    label = entity.label
    if kind == "person" and label not in (PERSON, "NORP"):
        if evidence.person or (label == ORG and evidence.person_over_org):
            return PERSON
        if label != ORG and not evidence.placed and (evidence.person_vote or len(entity.name.split()) > 1):
            return PERSON
    if kind == "organisation" and label in (PERSON, "GPE") and evidence.org_vote and not evidence.person and not evidence.placed:
        return ORG
    return label


def canonical_entities(doc: Doc, claims: Sequence[Claim] = (), aliases: Aliases | None = None) -> tuple[Entity, ...]:
    """The canonical entities of ``doc`` in order of first mention, their labels repaired by the
    sources of ``claims`` (the article's claims) and their ids derived from name and label;
    ``aliases`` None means none (the pipeline's component carries the include folder's)."""
    aliases = Aliases() if aliases is None else aliases
    text = doc.text
    groups = _group(doc, text, aliases)
    headline, skip = _headline(text), dateline(text)
    entities = [
        Entity(g.name, g.label(), tuple(sorted(g.mentions, key=lambda m: m.start)),
               spacy_label=_majority(g.spacy_votes or Counter(m.label for m in g.mentions), (m.label for m in g.mentions)))
        for g in groups
    ]
    evidence = [_Evidence.of(g, aliases) for g in groups]
    index = _Index(entities)
    for claim in claims:
        if index.source_of(claim, aliases) is None and (made := _speaker_entity(doc, claim, aliases, headline, skip)):
            entities.append(made)
            evidence.append(_Evidence())
            index.add(len(entities) - 1)
    votes: dict[int, Counter] = {}  # the label each claim whose source is an entity's name wants it to have
    for claim in claims:
        if (i := index.source_of(claim, aliases)) is not None and index.is_named_by_source(claim, i, aliases):
            if RELATIVE_WHO.match(claim.source.text.partition(",")[2]):  # "Tomasz Reiner, who finished second"
                evidence[i] = replace(evidence[i], person=True)
            votes.setdefault(i, Counter())[_repaired_label(entities[i], claim.source_kind, evidence[i])] += 1
    entities = [
        replace(e, label=max(votes[i], key=lambda label: (votes[i][label], label == e.label))) if i in votes else e
        for i, e in enumerate(entities)
    ]
    entities = [replace(e, label=known) if (known := _known_label(e, aliases)) else e for e in entities]
    entities.sort(key=lambda e: e.mentions[0].start)
    return tuple(replace(e, entity_id=entity_id(e.name, e.label)) for e in entities)


def _known_label(entity: Entity, aliases: Aliases) -> str | None:
    """The label the aliases give ``entity``'s name (:meth:`Aliases.label`), but none by its last word when the
    article calls it by that word alone, as a person's surname ("Nathan Lane ... Lane said"), whatever the head;
    an organisation goes by its first word ("Andessa" of "Andessa Minerals")."""
    words = entity.name.split()
    if name_key(entity.name) not in aliases.labels and len(words) > 1:
        if any(name_key(m.text) == name_key(words[-1]) for m in entity.mentions):
            return None
    return aliases.label(entity.name)


def _speaks(label: str) -> bool:
    """Whether an entity labelled ``label`` can be the one who said something: a person, an organisation,
    or a country or city speaking for its government ("Kaldmark said"), which stays a place (OntoNotes)."""
    return label in SPEAKER_LABELS or label == "GPE"


def link_claims(claims: Sequence[Claim], entities: Sequence[Entity], aliases: Aliases | None = None) -> tuple[Claim, ...]:
    """``claims`` with ``source_entity_id`` (the person, organisation or country who said it, when known)
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
        speaker = entities[source] if source is not None and _speaks(entities[source].label) else None
        linked.append(replace(claim, source_entity_id=speaker.entity_id if speaker else None, entity_ids=tuple(ids)))
    return tuple(linked)
