"""US states by the abbreviations news text writes them with: ``claimflow/lexicons/states.json``.

A postal code or an AP-style abbreviation ("VT", "Vt.", "Calif.", "N.Y.") names a state only where it
stands as one, so the table is read at two places of the entity layer only: a political designation
("Sen. Ted Cruz (R-Texas)", "Rep. Tim Ryan, D-Ohio") and a place after a city and a comma
("Burlington, Vt."). Elsewhere "IN", "OR" or "Miss." are no states.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from claimflow.nlp.aliases import name_key

STATES_FILE = Path(__file__).resolve().parents[1] / "lexicons" / "states.json"
# "(R-Texas)", "(D-Vt.)", "R-Ohio", "(I-New York)": a party letter, a hyphen, one or two capitalized words
DESIGNATION = re.compile(r"(?<![\w-])([RDI])-([A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)?)")


def parse_states(data: object, where: str) -> dict[str, str]:
    """name_key of each form (and of each state's name) -> the state's name; ``where`` names the file in errors."""
    states = data.get("states") if isinstance(data, dict) else None
    if not isinstance(states, dict) or not all(
        isinstance(name, str) and isinstance(forms, list) and all(isinstance(f, str) and f.strip() for f in forms)
        for name, forms in states.items()
    ):
        raise ValueError(f'{where}: expected {{"states": {{"Vermont": ["VT", "Vt."]}}}}')
    by_form: dict[str, str] = {}
    for name, forms in states.items():
        for form in (name, *forms):
            if by_form.setdefault(name_key(form), name) != name:
                raise ValueError(f"{where}: {form!r} is a form of two states")
    return by_form


@functools.lru_cache(maxsize=1)
def packaged_states() -> dict[str, str]:
    """The states shipped with the package, read once per process."""
    return parse_states(json.loads(STATES_FILE.read_text(encoding="utf-8")), str(STATES_FILE))


def state_name(form: str) -> str | None:
    """The state ``form`` abbreviates or spells ("Vt." -> "Vermont"), None when it is none."""
    return packaged_states().get(name_key(form))


def designations(text: str) -> list[tuple[int, int, str]]:
    """(start, end, state) of the state of each political designation in ``text`` ("Vt." of "(I-Vt.)"):
    the two words when they are a state ("D-New York"), else the first; a full stop closes the
    sentence, not the name, unless the abbreviation has one ("R-Ohio." -> "Ohio", "D-Vt." -> "Vt.")."""
    found = []
    for match in DESIGNATION.finditer(text):
        start = match.start(2)
        words = match.group(2).split(" ")
        for form in (" ".join(words), words[0]) if len(words) > 1 else (words[0],):
            state = state_name(form)
            if state is None:
                continue
            if form.endswith(".") and name_key(form) == name_key(state):
                form = form[:-1]
            found.append((start, start + len(form), state))
            break
    return found
