"""The name forms of canonical entities: ``claimflow/lexicons/aliases.json`` in the package, and a
run's own ``include/entities/aliases.json`` on top of it.

Aliases map the forms an article may use ("U.N.", "UN") to one canonical name ("United
Nations"); titles are the words stripped from the front of a person's name ("Sen. John Kerry");
labels are the labels of names whatever the model says ("Twitter" is an organisation, found even
where the model misses it), heads those of names by their last word ("Mill Lane" is a street,
"Harlow City Marathon" an event) unless a known first name opens them ("Nathan Lane"). All are data, so a newsroom can add its own without touching code: the include folder's file
adds forms and titles to the packaged ones, and its forms win where both name one.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claimflow.models import ENTITY_LABELS

log = logging.getLogger(__name__)

ALIASES_FILE = Path("entities") / "aliases.json"  # under the include folder the caller passes (Settings.include_dir)
PACKAGED_ALIASES = Path(__file__).resolve().parents[1] / "lexicons" / "aliases.json"
EXAMPLE = ('{"aliases": {"United Nations": ["U.N.", "UN"]}, "titles": ["President", "Sen."], "genders": {"female": ["Mrs."]}, '
           '"labels": {"ORG": ["Twitter"]}, "heads": {"FAC": ["Street"]}}')
GENDERS = ("female", "male")


def word_key(word: str) -> str:
    """How honorifics and first names are compared: without dots, in any case ("Mrs." == "mrs")."""
    return word.replace(".", "").casefold()


def name_key(name: str) -> str:
    """How name forms are compared: without dots, spaces or case ("U.N." == "UN", "united  nations")."""
    return "".join(name.replace(".", "").split()).casefold()


@dataclass(frozen=True)
class Aliases:
    """Canonical names by the key of each of their forms, and the titles that precede a person's name."""

    canonical: dict[str, str] = field(default_factory=dict)  # name_key(form) -> canonical name
    titles: frozenset[str] = frozenset()  # casefolded, dots kept ("sen.")
    genders: dict[str, str] = field(default_factory=dict)  # word_key of an honorific or first name -> "female" | "male"
    labels: dict[str, str] = field(default_factory=dict)  # name_key of a name -> its label
    heads: dict[str, str] = field(default_factory=dict)  # word_key of a name's last word -> the name's label
    names: dict[str, str] = field(default_factory=dict)  # each name of ``labels`` as written -> its label

    @functools.cached_property
    def max_title_words(self) -> int:
        """The most words a title has: how far a name's front is looked at for one."""
        return max((len(t.split()) for t in self.titles), default=0)

    def resolve(self, name: str) -> str | None:
        """The canonical name of ``name`` when it is a known form (or the canonical name itself)."""
        return self.canonical.get(name_key(name))

    def gender(self, word: str) -> str | None:
        """"female" or "male" when ``word`` (an honorific or a first name) tells, else None."""
        return self.genders.get(word_key(word))

    def label(self, name: str) -> str | None:
        """The label ``name`` has whatever the model says: its own in ``labels``, else its last word's in
        ``heads`` when it has several words and no known first name or honorific opens it; else None."""
        if label := self.labels.get(name_key(name)):
            return label
        words = name.split()
        if len(words) > 1 and self.gender(words[0]) is None:
            return self.heads.get(word_key(words[-1]))
        return None

    def extended(self, other: Aliases) -> Aliases:
        """These aliases with ``other``'s added; where both name a form or a word, ``other``'s wins."""
        return Aliases({**self.canonical, **other.canonical}, self.titles | other.titles, {**self.genders, **other.genders},
                       {**self.labels, **other.labels}, {**self.heads, **other.heads}, {**self.names, **other.names})

    def to_dict(self) -> dict[str, object]:
        """The aliases in the file's shape (forms as their keys): what :func:`parse_aliases` reads back equal."""
        forms: dict[str, list[str]] = {}
        for key, name in sorted(self.canonical.items()):
            forms.setdefault(name, []).append(key)
        genders = {gender: sorted(w for w, g in self.genders.items() if g == gender) for gender in GENDERS}
        return {"aliases": forms, "titles": sorted(self.titles), "genders": genders,
                "labels": _by_label(self.names), "heads": _by_label(self.heads)}

    @classmethod
    def of(cls, aliases: dict[str, list[str]], titles: list[str] = (), genders: dict[str, list[str]] | None = None,
           labels: Mapping[str, list[str]] | None = None, heads: Mapping[str, list[str]] | None = None) -> Aliases:
        canonical: dict[str, str] = {}
        for name, forms in aliases.items():
            for form in (name, *forms):
                canonical[name_key(form)] = name
        by_word = {word_key(w): gender for gender, words in (genders or {}).items() for w in words}
        names = {" ".join(n.split()): label for label, written in (labels or {}).items() for n in written}
        return cls(canonical, frozenset(" ".join(t.split()).casefold() for t in titles), by_word,
                   {name_key(n): label for n, label in names.items()},
                   {word_key(w): label for label, words in (heads or {}).items() for w in words}, names)


def _by_label(named: dict[str, str]) -> dict[str, list[str]]:
    """``{name or word: label}`` in the file's shape: ``{label: [names or words]}``, sorted."""
    out: dict[str, list[str]] = {}
    for name, label in sorted(named.items()):
        out.setdefault(label, []).append(name)
    return out


def parse_aliases(data: object, where: str) -> Aliases:
    """The aliases of a parsed aliases file; ``where`` names it in errors."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object like {EXAMPLE}, got {type(data).__name__}")
    aliases, titles = data.get("aliases", {}), data.get("titles", [])
    if not isinstance(aliases, dict) or not all(
        isinstance(name, str) and name.strip() and isinstance(forms, list) and all(isinstance(f, str) and f.strip() for f in forms)
        for name, forms in aliases.items()
    ):
        raise ValueError(f"{where}: aliases must map canonical names to lists of non-blank forms, like {EXAMPLE}")
    if not isinstance(titles, list) or not all(isinstance(t, str) and t.strip() for t in titles):
        raise ValueError(f"{where}: titles must be a list of non-blank strings, like {EXAMPLE}")
    genders = data.get("genders", {})
    if not isinstance(genders, dict) or not set(genders) <= set(GENDERS) or not all(
        isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words) for words in genders.values()
    ):
        raise ValueError(f"{where}: genders must map 'female' and 'male' to lists of non-blank words, like {EXAMPLE}")
    both = set.intersection(*(set(map(word_key, genders.get(g, ()))) for g in GENDERS))
    if both:
        raise ValueError(f"{where}: a word may tell one gender only, got {sorted(both)} in both")
    clashes = _clashes(aliases)
    if clashes:
        raise ValueError(f"{where}: a form may name one canonical entity only, got {clashes}")
    labels, heads = data.get("labels", {}), data.get("heads", {})
    for key, value in (("labels", labels), ("heads", heads)):
        if not isinstance(value, dict) or not set(value) <= set(ENTITY_LABELS) or not all(
            isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words) for words in value.values()
        ):
            raise ValueError(f"{where}: {key} must map labels of {list(ENTITY_LABELS)} to lists of non-blank strings, like {EXAMPLE}")
        twice = sorted({w for a, b in itertools.combinations(value.values(), 2) for w in {*map(name_key, a)} & {*map(name_key, b)}})
        if twice:
            raise ValueError(f"{where}: a name or word may have one label only in {key}, got {twice} under two")
    return Aliases.of(aliases, titles, genders, labels, heads)


def _clashes(aliases: dict[str, list[str]]) -> dict[str, list[str]]:
    owners: dict[str, set[str]] = {}
    for name, forms in aliases.items():
        for form in (name, *forms):
            owners.setdefault(name_key(form), set()).add(name)
    return {form: sorted(names) for form, names in owners.items() if len(names) > 1}


@functools.lru_cache(maxsize=8)
def load_aliases(path: Path) -> Aliases:
    """The aliases file at ``path``, read once per process; a missing file means no aliases."""
    if not path.is_file():
        log.warning("aliases file %s not found: entities get no aliases and no titles are stripped", path)
        return Aliases()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); expected an object like {EXAMPLE}") from None
    return parse_aliases(data, str(path))


def packaged_aliases() -> Aliases:
    """The aliases shipped in the package: what the entity component's ``initialize()`` reads by default."""
    return load_aliases(PACKAGED_ALIASES)


def run_aliases(include_dir: Path) -> Aliases:
    """The packaged aliases extended with ``include_dir``'s ``entities/aliases.json`` when the run has one
    (``include_dir`` is ``Settings.include_dir``: the caller's settings, never read from the environment here)."""
    own = include_dir / ALIASES_FILE
    return packaged_aliases().extended(load_aliases(own)) if own.is_file() else packaged_aliases()
