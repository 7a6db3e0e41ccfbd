"""What users tell the resolver: pins and splits (``include/entities/identities.json``) and an
optional knowledge base (JSON lines, ``CLAIMFLOW_ENTITY_KB``). Both are read from disk only.

A pin says which forms are one entity ("Trump" and "The Donald" are "Donald Trump"), whatever
the rules would say; a split names forms that stand for themselves (a surname two people share,
"Clinton"): the rules never join them to another entity, and a merge recorded for one is undone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claimflow.nlp.aliases import name_key

log = logging.getLogger(__name__)

IDENTITIES_FILE = Path("entities") / "identities.json"  # under the include folder (Settings.include_dir)
IDENTITIES_EXAMPLE = '{"pin": {"Donald Trump": ["Trump", "Donald J. Trump"]}, "split": ["Clinton"]}'
KB_EXAMPLE = '{"id": "Q22686", "name": "Donald Trump", "aliases": ["Donald J. Trump"], "label": "PERSON"}'


@dataclass(frozen=True)
class Identities:
    """The user's pins (canonical name -> its forms) and splits (name keys that stand alone)."""

    pins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    splits: frozenset[str] = frozenset()

    def pinned(self) -> dict[str, str]:
        """The pinned canonical name of each form's key (the canonical name's own key included)."""
        return {name_key(form): name for name, forms in self.pins.items() for form in (name, *forms)}


def parse_identities(data: object, where: str) -> Identities:
    """The pins and splits of a parsed identities file; ``where`` names it in errors."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object like {IDENTITIES_EXAMPLE}, got {type(data).__name__}")
    pins, splits = data.get("pin", {}), data.get("split", [])
    if not isinstance(pins, dict) or not all(
        isinstance(name, str) and name.strip() and isinstance(forms, list) and all(isinstance(f, str) and f.strip() for f in forms)
        for name, forms in pins.items()
    ):
        raise ValueError(f"{where}: pin must map canonical names to lists of non-blank forms, like {IDENTITIES_EXAMPLE}")
    if not isinstance(splits, list) or not all(isinstance(s, str) and s.strip() for s in splits):
        raise ValueError(f"{where}: split must be a list of non-blank names, like {IDENTITIES_EXAMPLE}")
    identities = Identities({name: tuple(forms) for name, forms in pins.items()}, frozenset(map(name_key, splits)))
    owners: dict[str, set[str]] = {}
    for name, forms in pins.items():
        for form in (name, *forms):
            owners.setdefault(name_key(form), set()).add(name)
    clashes = {form: sorted(names) for form, names in owners.items() if len(names) > 1}
    if clashes:
        raise ValueError(f"{where}: a form may be pinned to one entity only, got {clashes}")
    if both := sorted(identities.splits & owners.keys()):
        raise ValueError(f"{where}: a form cannot be pinned and split at once, got {both}")
    return identities


def load_identities(include_dir: Path) -> Identities:
    """The identities file of ``include_dir``; a missing file means no pins and no splits."""
    path = include_dir / IDENTITIES_FILE
    if not path.is_file():
        return Identities()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); expected an object like {IDENTITIES_EXAMPLE}") from None
    return parse_identities(data, str(path))


@dataclass(frozen=True)
class KbEntry:
    """One entity of a knowledge base: its external id (a Wikidata QID), name, aliases and label
    (None: any label)."""

    kb_id: str
    name: str
    aliases: tuple[str, ...] = ()
    label: str | None = None


def _kb_entry(line: str) -> KbEntry:
    row = json.loads(line)
    if not isinstance(row, dict):
        raise ValueError(f"expected an object like {KB_EXAMPLE}")
    kb_id, name, aliases, label = row.get("id"), row.get("name"), row.get("aliases", []), row.get("label")
    if not (isinstance(kb_id, str) and kb_id.strip() and isinstance(name, str) and name.strip()):
        raise ValueError(f"expected a non-blank id and name, like {KB_EXAMPLE}")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ValueError("expected aliases to be a list of non-blank strings")
    if label is not None and not isinstance(label, str):
        raise ValueError("expected label to be a string such as PERSON")
    return KbEntry(kb_id.strip(), " ".join(name.split()), tuple(" ".join(a.split()) for a in aliases), label)


def load_kb(path: Path | None) -> tuple[KbEntry, ...]:
    """The entries of the knowledge base at ``path`` (None: no knowledge base). A line that is not
    an entry is skipped with a warning naming it: one bad line does not stop a day's publish."""
    if path is None:
        return ()
    if not path.is_file():
        raise ValueError(f"CLAIMFLOW_ENTITY_KB: no knowledge base file at {path}; expected JSON lines like {KB_EXAMPLE}")
    entries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entries.append(_kb_entry(line))
            except (ValueError, RecursionError) as error:
                log.warning("knowledge base %s line %d skipped: %s", path, number, error)
    return tuple(entries)
