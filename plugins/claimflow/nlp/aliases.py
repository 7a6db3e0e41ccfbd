"""The name forms of canonical entities: ``claimflow/lexicons/aliases.json`` in the package, and a
run's own ``include/entities/aliases.json`` on top of it.

Aliases map the forms an article may use ("U.N.", "UN") to one canonical name ("United
Nations"); titles are the words stripped from the front of a person's name ("Sen. John Kerry").
Both are data, so a newsroom can add its own without touching code: the include folder's file
adds forms and titles to the packaged ones, and its forms win where both name one.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ALIASES_FILE = Path("entities") / "aliases.json"  # under the include folder the caller passes (Settings.include_dir)
PACKAGED_ALIASES = Path(__file__).resolve().parents[1] / "lexicons" / "aliases.json"
EXAMPLE = '{"aliases": {"United Nations": ["U.N.", "UN"]}, "titles": ["President", "Sen."], "genders": {"female": ["Mrs."]}}'
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

    def extended(self, other: Aliases) -> Aliases:
        """These aliases with ``other``'s added; where both name a form or a word, ``other``'s wins."""
        return Aliases({**self.canonical, **other.canonical}, self.titles | other.titles, {**self.genders, **other.genders})

    def to_dict(self) -> dict[str, object]:
        """The aliases in the file's shape (forms as their keys): what :func:`parse_aliases` reads back equal."""
        forms: dict[str, list[str]] = {}
        for key, name in sorted(self.canonical.items()):
            forms.setdefault(name, []).append(key)
        genders = {gender: sorted(w for w, g in self.genders.items() if g == gender) for gender in GENDERS}
        return {"aliases": forms, "titles": sorted(self.titles), "genders": genders}

    @classmethod
    def of(cls, aliases: dict[str, list[str]], titles: list[str] = (), genders: dict[str, list[str]] | None = None) -> Aliases:
        canonical: dict[str, str] = {}
        for name, forms in aliases.items():
            for form in (name, *forms):
                canonical[name_key(form)] = name
        by_word = {word_key(w): gender for gender, words in (genders or {}).items() for w in words}
        return cls(canonical, frozenset(" ".join(t.split()).casefold() for t in titles), by_word)


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
    return Aliases.of(aliases, titles, genders)


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
