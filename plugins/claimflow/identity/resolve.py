"""The resolver: which of a day's entities and the registry's are one real-world entity, and its id.

Its input is a set (the registry as of the day's start, the day's entities aggregated over every
shard, the user's pins, splits and knowledge base), its rules are predicates on pairs evaluated
on that fixed input, and the clusters are the connected components of the pairs they join, so
the answer does not depend on which shard or worker saw an article first, nor on any order.
Ties break by counts, then names, then ids.

Rules, in the order they build on each other:

1. the same name in any case or spacing ("WASHINGTON", "Washington") and the same label family
   (a person; or an organisation, place or group, which the model flips between: "United
   States" as GPE and ORG), a country by any of its other names ("America", the packaged
   :mod:`.names`); a full name labelled ORG where as many articles or more call it a person
   ("Bernie Sanders"); a group's (NORP) singular, plural and adjective in -ic ("Republican" and
   "Republicans"; "Democrat", "Democrats" and "Democratic"); but a US state that shares its name
   with a city ("Washington"), where an article writes it as the state's abbreviation ("Seattle,
   Wash."), has an id of its own (:func:`state_id`, given per article at publish) and joins only
   itself, and links to the knowledge base as "Washington State" or "State of Washington";
2. the same person: one last name and one first name or a short form of it ("Joe" of Joseph,
   the packaged :mod:`.names`), without titles, when the middle names or initials in sight are
   compatible ("Donald J. Trump", "President Donald Trump", "Donald Trump"; "Hillary Rodham
   Clinton" and "Hillary Clinton"; "Joseph R. Biden" and "Joe Biden"); two middles that are not
   ("George H. W. Bush", "George W. Bush") are two people and the name joins neither; a short
   form of two formal names ("Ted") joins where only one is in sight. A generational suffix
   (Jr., Sr., II, III, IV) is part of the name: "Donald Trump Jr." is not "Donald Trump", here,
   in the knowledge base's names and in the pins, since a father and son share every other word
   (the price: "Joseph R. Biden Jr." and "Joe Biden" stay two ids unless a pin or the knowledge
   base joins them);
3. a bare surname ("Trump", "Obama", labelled PERSON or ORG) joins the person whose last word
   it is when that person is by far the likeliest holder: at least DOMINANCE times the articles,
   in the last RECENT_DAYS days and the day, of the next one ("Clinton" between Bill and Hillary
   stays alone); when no holder is recent, all their articles are weighed instead;
   3b. a name of any other family that is a longer name of it without inner words ("Republican
   Convention" of "Republican National Convention") joins it when that one is by far the
   likeliest holder and the short form is not by far better known on its own;
   3c. an organisation's name that is a longer one without a place qualifying it ("Senate" of
   "United States Senate"), where every longer name ending in it is so qualified, joins the by
   far likeliest holder, a state's senate counting as one (see :func:`_join_named_short_forms`);
4. the user's pins join every form they list; a split form is joined by nothing but its own
   name and label;
5. entities the knowledge base names alike (by name or alias, rule 1 and rule 2's titles and initials) link to its id
   (``kb_id``), and entities linked to one id are one.

A cluster that holds published ids keeps one of them (the most articles, then the first seen,
then the smallest id) and the others are recorded as merged into it; a cluster of new entities
takes the id of its canonical name and label (``models.entity_id``), as extraction would.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from claimflow.identity.files import Identities, KbEntry
from claimflow.identity.names import Names, packaged_names
from claimflow.models import Entity, entity_id
from claimflow.nlp.aliases import name_key
from claimflow.nlp.states import state_name

PERSON = "PERSON"
GROUP = "NORP"  # nationalities, religious and political groups: "Republicans", "Democratic"
NAMED = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP"})  # one family: the model flips between them for one name
SHORT_LABELS = frozenset({PERSON, "ORG"})  # the labels a bare surname gets ("Trump" is often ORG)
RECENT_DAYS = 30
DOMINANCE = 3
INITIAL = re.compile(r"\A[A-Z]\.?\Z")
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # a generation: "Donald Trump Jr." is not his father


def family(label: str) -> str:
    """The label family a name keeps across articles: PERSON, "NAMED" (ORG, GPE, LOC, FAC, NORP) or the label."""
    return "NAMED" if label in NAMED else label


@dataclass(frozen=True)
class Known:
    """An id of the registry as of the day's start: its latest name, label and knowledge-base id,
    the articles that named it (all, and in the RECENT_DAYS before the day), the first day it was
    seen, and the id it is merged into (None when it stands)."""

    entity_id: str
    name: str
    label: str
    articles: int = 0
    recent: int = 0
    first_day: str = ""
    merged_into: str | None = None
    kb_id: str | None = None


@dataclass(frozen=True)
class Seen:
    """An entity of the day, by the id extraction gave it, with the articles that name it."""

    entity_id: str
    name: str
    label: str
    articles: int


@dataclass(frozen=True)
class Cluster:
    """One resolved entity: its surviving id, canonical name, label and knowledge-base id."""

    entity_id: str
    name: str
    label: str
    kb_id: str | None
    members: tuple[str, ...]  # every id resolved to it, in order


@dataclass(frozen=True)
class Resolution:
    """The day's answer: each day's id's surviving id, the clusters by surviving id, and the
    merge decisions on published ids (``None``: a split undoes the id's recorded merge)."""

    ids: Mapping[str, str]
    clusters: Mapping[str, Cluster]
    merges: Mapping[str, str | None]


def _person_words(name: str, titles: frozenset[str]) -> tuple[list[str], str]:
    """A person's name's words without leading titles, and its generational suffix ("Jr.", "III"; "" when none)."""
    words = [w.rstrip(",") for w in name.rstrip(",").split()]
    while len(words) > 1 and words[0].casefold() in titles:
        words = words[1:]
    suffix = ""
    if len(words) > 2 and words[-1].casefold() in SUFFIXES:
        suffix, words = words[-1], words[:-1]
    return words, suffix


def person_key(name: str, titles: frozenset[str]) -> str:
    """A person's name as compared across articles: without leading titles and middle initials,
    with its generational suffix ("Donald Trump Jr." is not "Donald Trump")."""
    words, suffix = _person_words(name, titles)
    if len(words) > 2 and not INITIAL.match(words[0]):  # "J. K. Rowling" keeps her initials
        words = [words[0], *(w for w in words[1:-1] if not INITIAL.match(w)), words[-1]]
    return " ".join([*words, suffix] if suffix else words)


def surname(name: str, titles: frozenset[str]) -> str | None:
    """A person's last name without title and suffix ("Trump" of "Donald Trump Jr."); None for a single word."""
    words, _ = _person_words(name, titles)
    return words[-1] if len(words) > 1 else None


def person_parts(name: str, titles: frozenset[str]) -> tuple[str, tuple[str, ...], str] | None:
    """A person's first name, middle names or initials, and last name with its generational suffix,
    without titles ("Sen. Hillary Rodham Clinton": Hillary, (Rodham,), Clinton; "Donald Trump Jr.":
    Donald, (), "Trump Jr."); None for a single word. Initials that open the name are its first
    name ("J. K.", Rowling)."""
    words, suffix = _person_words(name, titles)
    if len(words) < 2:
        return None
    last = f"{words[-1]} {suffix}" if suffix else words[-1]
    if INITIAL.match(words[0]):
        return " ".join(words[:-1]), (), last
    return words[0], tuple(words[1:-1]), last


def _compatible(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether two middles can be one person's: either is absent, or word by word equal or an
    initial of the other ("J." and "John"; not "H. W." and "W.")."""
    if not one or not other:
        return True
    if len(one) != len(other):
        return False
    for a, b in zip(one, other, strict=True):
        a, b = name_key(a), name_key(b)
        if a != b and not ((len(a) == 1 or len(b) == 1) and a[0] == b[0]):
            return False
    return True


def group_key(name: str) -> str:
    """A group's (NORP) name as compared across articles: singular, and a noun rather than its
    adjective in -ic ("Republicans" and "Republican"; "Democratic", "Democrats" and "Democrat")."""
    key = name_key(name)
    if key.endswith("ies") and len(key) > 4:
        key = key[:-3] + "y"
    elif key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        key = key[:-1]
    if key.endswith("ic") and len(key) > 5:
        key = key[:-2]
    return key


@dataclass
class _Node:
    """One id while resolving: its names (the registry's latest and the day's), label and counts."""

    entity_id: str
    names: list[str]
    label: str
    articles: int = 0
    recent: int = 0
    published: bool = False
    first_day: str = ""
    kb_id: str | None = None
    state: bool = False  # the US state that shares its name with a city, by its own id (:func:`state_id`)


class _Components:
    """Union-find whose components do not depend on the order of unions (the root is the smallest id)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, ids: Sequence[str]) -> None:
        roots = sorted({self.find(i) for i in ids})
        for root in roots[1:]:
            self.parent[root] = roots[0]

    def groups(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for i in sorted(self.parent):
            found.setdefault(self.find(i), []).append(i)
        return found


def _groups_by(nodes: Iterable[_Node], keys) -> Iterable[list[str]]:
    by: dict[object, list[str]] = {}
    for node in nodes:
        for key in keys(node):
            by.setdefault(key, []).append(node.entity_id)
    return (ids for ids in by.values() if len(ids) > 1)


def _nodes(registry: Iterable[Known], seen: Iterable[Seen], splits: frozenset[str],
           day: str) -> tuple[dict[str, _Node], dict[str, str], dict[str, str | None], dict[str, str]]:
    """The ids to resolve, each day's id's node (a merged id's is its survivor's), the merges a
    split undoes, and the merges that stay (merged id -> survivor)."""
    nodes: dict[str, _Node] = {}
    merged: dict[str, str] = {}
    undone: dict[str, str | None] = {}
    for known in registry:
        if known.merged_into and name_key(known.name) not in splits:
            merged[known.entity_id] = known.merged_into
            continue
        if known.merged_into:
            undone[known.entity_id] = None
        nodes[known.entity_id] = _Node(known.entity_id, [known.name], known.label, known.articles, known.recent,
                                       True, known.first_day, known.kb_id, known.entity_id == state_id(known.name))
    node_of: dict[str, str] = {}
    for entity in seen:
        target = merged.get(entity.entity_id, entity.entity_id)
        node = nodes.get(target)
        if node is None:
            node = nodes[target] = _Node(target, [], entity.label, first_day=day, state=target == state_id(entity.name))
        if entity.name not in node.names:
            node.names.append(entity.name)
        node.articles += entity.articles
        node.recent += entity.articles
        node_of[entity.entity_id] = target
    return nodes, node_of, undone, merged


def resolve(registry: Iterable[Known], seen: Iterable[Seen], *, day: str, titles: frozenset[str] = frozenset(),
            identities: Identities | None = None, kb: Sequence[KbEntry] = (), names: Names | None = None) -> Resolution:
    """Resolve the day's entities ``seen`` against ``registry`` (the ids of every other day, as the
    registry's latest rows give them); see the module's rules. ``names`` None: the packaged ones."""
    identities = identities or Identities()
    names = packaged_names() if names is None else names
    pinned = identities.pinned()
    nodes, node_of, undone, merged = _nodes(registry, seen, identities.splits, day)
    ordered = [nodes[i] for i in sorted(nodes)]

    # each node's name keys, and whether a split or a pin decides it, worked out once
    name_keys = {n.entity_id: {name_key(x) for x in n.names} for n in ordered}
    split_ids = {n.entity_id for n in ordered if name_keys[n.entity_id] & identities.splits}
    pins = {}
    for n in ordered:
        found = sorted({pinned[k] for x in n.names for k in (name_key(x), name_key(person_key(x, titles))) if k in pinned})
        if found:
            pins[n.entity_id] = found[0]

    def keys(node: _Node) -> set[str]:
        return name_keys[node.entity_id]

    def split(node: _Node) -> bool:
        return node.entity_id in split_ids

    def pin_of(node: _Node) -> str | None:
        return pins.get(node.entity_id)

    free = [n for n in ordered if not split(n) and pin_of(n) is None]
    parts = _Components(nodes)
    # 1. one name (a place by any of its names), one family (a split name: one name, one label)
    def same_name(node: _Node) -> set[tuple[str, str]]:
        if split(node):
            return {(k, node.label) for k in keys(node)}
        if family(node.label) == "NAMED":  # the state named like a city is not that city
            return {(names.place(x), "STATE" if node.state else "NAMED") for x in node.names}
        return {(k, family(node.label)) for k in keys(node)}

    for ids in _groups_by(ordered, same_name):
        parts.union(ids)
    # 1b. a person's full name the model sometimes calls an organisation
    for ids in _groups_by((n for n in free if n.label in SHORT_LABELS),
                          lambda n: {k for k in keys(n) if any(len(x.split()) > 1 for x in n.names)}):
        votes = Counter()
        for i in ids:
            votes[nodes[i].label] += max(nodes[i].articles, 1)
        if len(votes) > 1 and votes[PERSON] >= votes["ORG"]:
            parts.union(ids)
    # 1c. a group's singular, plural and adjective
    for ids in _groups_by((n for n in free if n.label == GROUP), lambda n: {group_key(x) for x in n.names}):
        parts.union(ids)
    # 2. one person: one first name (or its short form) and last name, the middles compatible
    _join_same_people(parts, free, titles, names)
    # 4. pins (before 3, so a pinned short form is not given to another person)
    for ids in _groups_by(ordered, lambda n: {pin} if (pin := pin_of(n)) else set()):
        parts.union(ids)
    # 3. short forms, against the clusters of 1, 2 and 4 weighed by their recent articles
    _join_short_forms(parts, nodes, free, titles)
    _join_named_short_forms(parts, nodes, free, names)
    # 5. the knowledge base
    groups = parts.groups()
    links = _kb_links(groups, nodes, kb, titles)
    by_kb: dict[str, list[str]] = {}
    for root, kb_id in sorted(links.items()):
        by_kb.setdefault(kb_id, []).append(root)
    for roots in by_kb.values():
        parts.union(roots)
    answer = _answer(parts.groups(), nodes, node_of, undone, links, pinned, titles, parts)
    # an id merged into one that merges today points at the new survivor: readers follow one hop
    repointed = {m: answer.merges[t] for m, t in merged.items() if answer.merges.get(t)}
    return replace(answer, merges={**answer.merges, **dict(sorted(repointed.items()))})


def _join_same_people(parts: _Components, free: Sequence[_Node], titles: frozenset[str], names: Names) -> None:
    """Rule 2, evaluated on the components rule 1 left, then applied: full names with one last
    name and one formal first name ("Joe Biden", "Joseph R. Biden") join when their middles
    are compatible ("Hillary Rodham Clinton", "Hillary Clinton"); two middles that are not
    ("George H. W. Bush", "George W. Bush") are two people, and the name joins nothing. A short
    form of two formal names ("Ted") joins where only one of them is in sight."""
    by_key: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}  # (formal first, last) -> (id, middle)
    torn_keys: dict[str, set[tuple[str, str]]] = {}  # id -> its keys through a short form of two formal names
    for node in free:
        if node.label != PERSON:
            continue
        for name in node.names:
            if (found := person_parts(name, titles)) is None:
                continue
            first, middle, last = found
            formals = names.formals(first)
            for formal in formals:
                by_key.setdefault((formal, name_key(last)), []).append((node.entity_id, middle))
                if len(formals) > 1:
                    torn_keys.setdefault(node.entity_id, set()).add((formal, name_key(last)))
    usable: dict[tuple[str, str], list[str]] = {}
    for key, members in by_key.items():
        middles = sorted({(parts.find(i), tuple(map(name_key, m))) for i, m in members if m})  # one per spelling
        if len({parts.find(i) for i, _ in members}) > 1 and all(
                a == b or _compatible(m, n) for (a, m), (b, n) in itertools.combinations(middles, 2)):
            usable[key] = [i for i, _ in members]
    torn = {i for i, keys in torn_keys.items()
            if sum(1 for k in keys if k in usable and {parts.find(j) for j in usable[k]} != {parts.find(i)}) > 1}
    joins = [[i for i in ids if i not in torn] for ids in usable.values()]
    for ids in joins:
        parts.union(ids)


class _Weights:
    """Each component's articles, in the RECENT_DAYS before the day and the day, and in all:
    how likely a holder of a short form is."""

    def __init__(self, parts: _Components, nodes: Mapping[str, _Node]) -> None:
        self.recent: Counter = Counter()
        self.ever: Counter = Counter()
        for node in nodes.values():
            self.recent[parts.find(node.entity_id)] += node.recent
            self.ever[parts.find(node.entity_id)] += node.articles

    def likeliest(self, holders: Iterable[str]) -> str | None:
        """The holder by far the likeliest (DOMINANCE times the next one's articles, recent ones
        when any holder is recent, else all), None when none is."""
        holders = sorted(set(holders))
        weight = self.recent if any(self.recent[r] for r in holders) else self.ever
        found = sorted(((weight[r], r) for r in holders if weight[r] > 0), key=lambda c: (-c[0], c[1]))
        if not found or (len(found) > 1 and found[0][0] < DOMINANCE * found[1][0]):
            return None
        return found[0][1]

    def alone(self, own: str, holder: str) -> bool:
        """Whether a short form's component ``own`` is by far better known than ``holder`` (on
        the same articles, recent or all): then it is an entity of its own ("University of
        California" beside one "University of Southern California")."""
        weight = self.recent if self.recent[holder] else self.ever
        return weight[own] >= DOMINANCE * max(weight[holder], 1)


def _join_short_forms(parts: _Components, nodes: Mapping[str, _Node], free: Sequence[_Node],
                      titles: frozenset[str]) -> None:
    """Rule 3, evaluated on the components as rules 1, 2 and 4 left them, then applied. Only a
    single word is a short form: "Donald Trump" is no short form of "Rip Donald Trump". The
    holders are weighed by their recent articles; when none is recent, by all their articles."""
    weights = _Weights(parts, nodes)
    holders: dict[str, set[str]] = {}  # key of a surname -> roots of the people with that surname
    for node in free:
        if node.label != PERSON:
            continue
        for name in node.names:
            if last := surname(name, titles):
                holders.setdefault(name_key(last), set()).add(parts.find(node.entity_id))
    joins = []
    for node in free:
        if node.label not in SHORT_LABELS:
            continue
        own = parts.find(node.entity_id)
        for name in sorted(node.names):  # the first that joins decides: in an order of their own
            short = person_key(name, titles)
            if len(short.split()) != 1:
                continue
            if holder := weights.likeliest(r for r in holders.get(name_key(short), ()) if r != own):
                joins.append([node.entity_id, holder])
                break
    for ids in joins:
        parts.union(ids)


def words_of(name: str) -> tuple[str, ...]:
    """A name's words as compared (``name_key`` each), without a leading "the"."""
    words = tuple(k for w in name.split() if (k := name_key(w)))
    return words[1:] if len(words) > 1 and words[0] == "the" else words


def _inner_words_dropped(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether ``short`` is ``full`` without some of its inner words: the first and last word kept,
    the others in order ("Republican Convention" of "Republican National Convention")."""
    if not 1 < len(short) < len(full) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    rest = iter(full[1:-1])
    return all(word in rest for word in short[1:-1])


def _join_named_short_forms(parts: _Components, nodes: Mapping[str, _Node], free: Sequence[_Node],
                            names: Names) -> None:
    """Rules 3b and 3c, evaluated on the components as rules 1 to 4 left them, then applied: a
    name of an organisation, place, group or event (any label but a person's) that is a longer
    name of its family without inner words (3b: "Republican Convention") or without a place
    qualifying it (3c, organisations only: "Senate" of "United States Senate", "Supreme Court"
    of "U.S. Supreme Court") joins the longer name's entity when that one is by far the likeliest
    holder; two holders alike (3b: "National Convention" of the Republican and the Democratic
    ones; 3c: "Senate" while "Texas Senate" and "U.S. Senate" are both in the news) join nothing.
    3c holds only where every longer name ending in the form is qualified by a place (a country
    of :mod:`.names`, a US state by name or abbreviation, or a place in sight): "House" stays
    alone beside "White House". A state senate counts as a holder like the national one, so in
    days when a state's legislature is in the news "Senate" is left alone rather than guessed.
    A short form by far better known on its own than its holder stays its own entity (3b; 3c
    when the holder is qualified by a state or city: "Senate" in many articles is not the one
    "Texas Senate"), but for a country's institution, which the bare form names in national
    news however often it is written so ("Senate" and "U.S. Senate")."""
    weights = _Weights(parts, nodes)
    countries = set(names.places.values())
    places = countries | {name_key(x) for n in nodes.values() if n.label == "GPE" for x in n.names}

    @functools.cache
    def is_place(words: tuple[str, ...]) -> bool:
        form = " ".join(words)
        return name_key(form) in places or names.place(form) in places or state_name(form) is not None

    by_ends: dict[tuple[str, str, str], list[tuple[tuple[str, ...], str]]] = {}  # (family, first, last) -> (words, root)
    by_tail: dict[tuple[str, tuple[str, ...]], list[tuple[tuple[str, ...], str]]] = {}  # (family, end) -> (the rest, root)
    for n in free:
        if n.label != PERSON:
            for words in {words_of(x) for x in n.names}:
                root = parts.find(n.entity_id)
                if len(words) > 2:  # a short form has two words or more, the name it shortens more
                    by_ends.setdefault((family(n.label), words[0], words[-1]), []).append((words, root))
                if family(n.label) == "NAMED":
                    for cut in range(1, len(words)):
                        by_tail.setdefault((family(n.label), words[cut:]), []).append((words[:cut], root))
    joins = []
    for node in free:
        if node.label == PERSON:
            continue
        own, fam = parts.find(node.entity_id), family(node.label)
        for name in sorted(node.names):  # the first that joins decides: in an order of their own
            short = words_of(name)
            if not short:
                continue
            inner = {r for w, r in by_ends.get((fam, short[0], short[-1]), ())
                     if len(short) > 1 and r != own and _inner_words_dropped(short, w)}
            holder = weights.likeliest(inner)
            if holder and weights.alone(own, holder):
                holder = None
            if holder is None and node.label == "ORG":
                qualified = [(prefix, r) for prefix, r in by_tail.get((fam, short), ()) if r != own]
                if qualified and all(is_place(prefix) for prefix, _ in qualified):
                    holder = weights.likeliest(r for _, r in qualified)
                    national = {r for prefix, r in qualified if names.place(" ".join(prefix)) in countries}
                    if holder and holder not in national and weights.alone(own, holder):
                        holder = None
            if holder:
                joins.append([node.entity_id, holder])
                break
    for ids in joins:
        parts.union(ids)


def _kb_links(groups: Mapping[str, list[str]], nodes: Mapping[str, _Node], kb: Sequence[KbEntry],
              titles: frozenset[str]) -> dict[str, str]:
    """Rule 5: each component's knowledge-base id, where its names match exactly one entry's
    (or its members already carry one)."""
    index: dict[tuple[str, str | None], set[str]] = {}
    for entry in kb:
        fam = family(entry.label) if entry.label else None
        for form in (entry.name, *entry.aliases):
            index.setdefault((name_key(form), fam), set()).add(entry.kb_id)
            if entry.label in (PERSON, None) and len(person_key(form, titles).split()) > 1:
                index.setdefault((name_key(person_key(form, titles)), fam), set()).add(entry.kb_id)
    links: dict[str, str] = {}
    for root, members in groups.items():
        found: set[str] = {nodes[m].kb_id for m in members if nodes[m].kb_id}
        if not found and index:
            for m in members:
                node = nodes[m]
                for name in node.names:
                    forms = ({name, person_key(name, titles)} if node.label == PERSON
                             else {f"{name} State", f"State of {name}"} if node.state else {name})  # not the city's name
                    for key in map(name_key, forms):
                        found |= index.get((key, family(node.label)), set()) | index.get((key, None), set())
        if len(found) == 1:
            links[root] = found.pop()
    return links


def _answer(groups: Mapping[str, list[str]], nodes: Mapping[str, _Node], node_of: Mapping[str, str],
            undone: Mapping[str, str | None], links: Mapping[str, str], pinned: Mapping[str, str],
            titles: frozenset[str], parts: _Components) -> Resolution:
    clusters: dict[str, Cluster] = {}
    survivor_of: dict[str, str] = {}
    merges: dict[str, str | None] = dict(undone)
    for members in groups.values():
        cluster = _cluster([nodes[m] for m in members], links, pinned, titles, parts)
        if cluster.entity_id in clusters or (cluster.entity_id in nodes and cluster.entity_id not in members):
            cluster = replace(cluster, entity_id=members[0])  # its name's id is another entity's: keep its smallest id
        clusters[cluster.entity_id] = cluster
        for m in members:
            survivor_of[m] = cluster.entity_id
            if nodes[m].published and m != cluster.entity_id:
                merges[m] = cluster.entity_id
    return Resolution({day_id: survivor_of[node] for day_id, node in sorted(node_of.items())}, clusters, merges)


def _cluster(members: list[_Node], links: Mapping[str, str], pinned: Mapping[str, str], titles: frozenset[str],
             parts: _Components) -> Cluster:
    """One component's surviving id, canonical name, label and knowledge-base id."""
    if len(members) == 1 and len(members[0].names) == 1 and not pinned and not links:  # most entities: themselves
        node = members[0]
        survivor = node.entity_id if node.published else _new_id(node, node.names[0])
        return Cluster(survivor, node.names[0], node.label, node.kb_id, (node.entity_id,))
    votes: Counter = Counter()
    for node in members:
        votes[node.label] += max(node.articles, 1)
    pins = sorted({pinned[name_key(n)] for node in members for n in node.names if name_key(n) in pinned})
    # a person's full name outweighs the labels of the surnames that joined it ("Trump" is often ORG)
    full_person = any(node.label == PERSON and len(n.split()) > 1 for node in members for n in node.names)
    label = PERSON if full_person else max(sorted(votes), key=lambda lab: votes[lab])
    names = Counter()
    for node in members:
        for n in node.names:
            names[n] += max(node.articles, 1)
    person = label == PERSON

    settled = {n.names[0] for n in members if n.published}  # the names the registry gives today

    def score(name: str) -> tuple:
        """Pinned, a person's full name, most articles, the registry's name (no churn), no title or
        middle initial, more words, not all capitals, then alphabetical."""
        words = len(name.split())
        return (name in pins, person and words > 1, names[name], name in settled, person_key(name, titles) == name,
                words, not name.isupper(), [-ord(c) for c in name])

    name = pins[0] if pins else max(sorted(names), key=score)
    published = [n for n in members if n.published]
    if published:
        survivor = min(published, key=lambda n: (name not in n.names, -n.articles, n.first_day, n.entity_id)).entity_id
    else:
        survivor = _new_id(members[0], name, label)
    kb_ids = sorted({links[r] for r in {parts.find(n.entity_id) for n in members} if r in links}
                    | {n.kb_id for n in members if n.kb_id})
    return Cluster(survivor, name, label, kb_ids[0] if kb_ids else None, tuple(n.entity_id for n in members))


def _new_id(node: _Node, name: str, label: str | None = None) -> str:
    """The id of a cluster of new entities: its name's and label's, as extraction gives it, or
    the state's own (:func:`state_id`) for the state named like a city."""
    return state_id(name) if node.state else entity_id(name, label or node.label)


def state_id(name: str) -> str:
    """The id of the US state ``name`` where its plain name is a city's ("Washington"): extraction
    gives both the plain name's id, so the state takes one of its own, the same on every day."""
    return entity_id(f"{name} (state)", "GPE")


def is_state(name: str, label: str, forms: Iterable[str], names: Names | None = None) -> bool:
    """Whether one article's entity ``name`` is the US state rather than the city it shares its
    name with (:attr:`Names.city_states`: "Washington", the capital): a place written as the
    state's abbreviation ("Seattle, Wash.", "(D-Wash.)"), which only the state is. A state that
    no city shares its name with ("Nev.", "Nevada") stays one entity with its plain name."""
    names = packaged_names() if names is None else names
    if label != "GPE" or name_key(name) not in names.city_states:
        return False
    return any(name_key(form) != name_key(name) and (state := state_name(form)) is not None
               and name_key(state) == name_key(name) for form in forms)


def article_id_of(entity: Entity) -> str:
    """The id an article's entity is resolved under: extraction's, or the state's own where the
    article writes the state named like a city as its abbreviation (:func:`is_state`), as
    publish does for each article."""
    return state_id(entity.name) if is_state(entity.name, entity.label, (m.text for m in entity.mentions)) else entity.entity_id


def recent_since(day: str) -> str:
    """The first day whose articles count as recent for ``day`` (RECENT_DAYS before it)."""
    return (dt.date.fromisoformat(day) - dt.timedelta(days=RECENT_DAYS)).isoformat()
