"""Extraction records with chosen entities and claims, without running the NLP: for the tests of
entity identity across articles, shards and days."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claimflow.models import entity_id


def record(article_id: str, entities: Sequence[tuple[str, str, Sequence[str]]],
           claims: Sequence[tuple[str | None, Sequence[str]]] = ()) -> dict[str, Any]:
    """The record of one article: each entity as (canonical name, label, the forms its mentions
    use), each claim as (the canonical name of who said it, None for an anonymous source; the
    canonical names it is about). Ids are extraction's: ``entity_id(name, label)``."""
    text, found, ids = "", [], {}
    for name, label, forms in entities:
        mentions = []
        for form in forms:
            start = len(text)
            text += form + ". "
            mentions.append({"start": start, "end": start + len(form), "text": form, "label": label})
        ids[name] = entity_id(name, label)
        found.append({"entity_id": ids[name], "name": name, "label": label, "spacy_label": label, "mentions": mentions})
    said = []
    for sentence, (who, about) in enumerate(claims):
        start = len(text)
        text += "said something. "
        said.append({
            "source": None, "cue": {"start": start, "end": start + 4, "text": "said"},
            "content": [{"start": start + 5, "end": start + 14, "text": "something"}],
            "source_kind": "person" if who else "anonymous", "speaker": who, "quote_type": "direct",
            "stance": "neutral", "hedges": [], "confidence": 0.9, "sentence": sentence,
            "source_entity_id": ids.get(who), "entity_ids": [ids[a] for a in about],
        })
    return {"path": f"{article_id}.txt", "article_id": article_id, "text": text, "entities": found, "claims": said,
            **dict.fromkeys(("title", "authors", "published", "url", "site", "description", "language", "external_id"))}
