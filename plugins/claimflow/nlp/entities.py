"""Entities of an article from spaCy's NER.

``raw_entities`` is spaCy's output grouped by exact string and label within one article: the
baseline the canonical layer is measured against.
"""

from __future__ import annotations

from spacy.tokens import Doc

from claimflow.models import Entity, Mention


def raw_entities(doc: Doc) -> tuple[Entity, ...]:
    """Named entities grouped by (normalized name, label), mentions in text order."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for ent in doc.ents:
        name = " ".join(ent.text.split())
        groups.setdefault((name, ent.label_), []).append(Mention(ent.start_char, ent.end_char, ent.text, ent.label_))
    return tuple(Entity(name, label, tuple(mentions)) for (name, label), mentions in groups.items())
