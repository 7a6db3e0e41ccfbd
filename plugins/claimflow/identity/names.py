"""What the resolver knows about names, shipped with the package (``identity/names.json``):
the short forms of first names ("Joe" of Joseph), the other names of countries ("America") and
the US states whose plain name news uses for a city ("Washington").

Both apply across articles only, in the registry's rules: an article's own entities keep the
names it gives them (the gold sets name an article's "America" as written), and the in-article
renames stay the aliases' (``lexicons/aliases.json``, extended by a run's
``include/entities/aliases.json``), their one owner.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claimflow.nlp.aliases import name_key

NAMES_FILE = Path(__file__).resolve().parent / "names.json"
EXAMPLE = '{"first_names": {"Joseph": ["Joe"]}, "places": {"United States": ["America"]}}'


@dataclass(frozen=True)
class Names:
    """First names by key -> the keys of the formal names they are (a formal name is itself),
    and a place's other names by key -> the key of its name."""

    formal: Mapping[str, frozenset[str]] = field(default_factory=dict)
    places: Mapping[str, str] = field(default_factory=dict)
    city_states: frozenset[str] = frozenset()  # keys of US states whose plain name news uses for a city

    def formals(self, first: str) -> frozenset[str]:
        """The formal names a first name may be ("Ted": Edward and Theodore; an unknown name: itself)."""
        key = name_key(first)
        return self.formal.get(key, frozenset({key}))

    def place(self, name: str) -> str:
        """The key a place's name compares by: its country's name's when it is another name of one."""
        key = name_key(name)
        return self.places.get(key, key)


def _groups(data: dict, section: str, where: str) -> dict[str, list[str]]:
    groups = data.get(section, {})
    if not isinstance(groups, dict) or not all(
        isinstance(name, str) and name.strip() and isinstance(forms, list) and all(isinstance(f, str) and f.strip() for f in forms)
        for name, forms in groups.items()
    ):
        raise ValueError(f"{where}: {section} must map names to lists of non-blank forms, like {EXAMPLE}")
    return groups


def parse_names(data: object, where: str) -> Names:
    """The names of a parsed names file; ``where`` names it in errors."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object like {EXAMPLE}, got {type(data).__name__}")
    firsts, countries = _groups(data, "first_names", where), _groups(data, "places", where)
    formal: dict[str, set[str]] = {}
    for name, forms in firsts.items():
        for form in forms:
            formal.setdefault(name_key(form), set()).add(name_key(name))
    for name in firsts:  # a formal name is itself, even where it is another's short form
        formal[name_key(name)] = {name_key(name)}
    places: dict[str, str] = {}
    for name, forms in countries.items():
        for form in (name, *forms):
            if places.setdefault(name_key(form), name_key(name)) != name_key(name):
                raise ValueError(f"{where}: {form!r} is another name of two places")
    cities = data.get("city_states", [])
    if not isinstance(cities, list) or not all(isinstance(c, str) and c.strip() for c in cities):
        raise ValueError(f'{where}: city_states must list non-blank state names, like ["Washington"]')
    return Names({k: frozenset(v) for k, v in formal.items()}, places, frozenset(map(name_key, cities)))


@functools.lru_cache(maxsize=1)
def packaged_names() -> Names:
    """The names shipped with the package, read once per process."""
    return parse_names(json.loads(NAMES_FILE.read_text(encoding="utf-8")), str(NAMES_FILE))
