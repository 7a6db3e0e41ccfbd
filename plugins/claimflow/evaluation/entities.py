"""Scores of an entity layer against the hand-annotated gold set of issue 12.

An entity layer is any callable ``entities_of(doc) -> Iterable[Entity]``: spaCy's raw NER grouped
by string (the baseline) and the canonical layer are scored the same way over the same parsed docs.
Three measures, counts summed over all articles before dividing:

- entity: an entity is its (normalized name, label) in one article; a predicted entity matches a
  gold one with the same normalized name and its label or one of its ``also`` labels. Predicted
  entities count once per distinct (normalized name, label), as in an entity table keyed by them.
- mention: exact (start, end) character offsets, whatever the label.
- linked-mention accuracy: the share of gold mentions found at their exact offsets in a predicted
  entity whose normalized name and label match the gold entity's: are mentions grouped under
  the right canonical entity?

Names are normalized by case, spaces, a leading "the " and a trailing possessive, nothing
smarter, so the choice of canonical name counts.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from claimflow.config import PROJECT_ROOT
from claimflow.evaluation.brat import read_text
from claimflow.evaluation.metrics import pct
from claimflow.models import ENTITY_LABELS, Entity
from claimflow.nlp.scoring import f1, ratio

DEFAULT_GOLD = PROJECT_ROOT / "tests" / "fixtures" / "entities_gold.json"
POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimflow.nlp.aliases import Aliases

EntityLayer = Callable[["Doc"], Iterable[Entity]]


@dataclass(frozen=True)
class GoldEntity:
    """One hand-annotated entity: its name, the labels accepted for it, its mentions' offsets."""

    name: str
    labels: frozenset[str]
    mentions: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldArticle:
    """An article of the gold set: its id, its exact text and its entities."""

    article_id: str
    text: str
    entities: tuple[GoldEntity, ...]


def normalize(name: str) -> str:
    """The form names are compared in: casefolded, spaces collapsed, no leading "the ", no trailing possessive."""
    key = " ".join(name.casefold().split())
    key = key.removeprefix("the ")
    if POSSESSIVE.search(key):
        key = key[:-2] if key[-2] in "'’" else key[:-1]
    return key


def article_text(seeds: Path, file: str, record: str | None) -> str:
    """The text of a seed file, or of the record with id ``record`` in a .json/.jsonl seed file."""
    raw = read_text(seeds / file)
    if record is None:
        return raw
    lines = raw.splitlines() if file.endswith(".jsonl") else [raw]
    rows = [json.loads(line) for line in lines if line.strip()]
    for row in rows:
        if row.get("id") == record:
            return row["text"]
    raise ValueError(f"gold article {record}: no record with this id in {seeds / file}")


def read_gold(path: Path) -> list[GoldArticle]:
    """The gold set at ``path``, every mention checked against its article's text.

    Raises:
        FileNotFoundError: the gold file or a seed file it names is missing.
        ValueError: the file is not a gold set, an article's label is not in ENTITY_LABELS, or a
            mention's text differs from the article text at its offsets (the seed changed since it
            was annotated).
    """
    try:
        return list(_articles(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).parent))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"gold set {path}: not in the shape of tests/fixtures/entities_gold.json ({exc!r})") from exc


def _articles(gold: dict, folder: Path) -> Iterator[GoldArticle]:
    """The articles of a parsed gold file whose ``seeds`` folder is relative to ``folder``."""
    seeds = (folder / gold["seeds"]).resolve()
    for item in gold["articles"]:
        text = article_text(seeds, item["file"], item.get("record"))
        entities = []
        for ent in item["entities"]:
            labels = frozenset([ent["label"], *ent.get("also", ())])
            if not labels <= set(ENTITY_LABELS):
                raise ValueError(
                    f"gold article {item['id']}: {ent['name']!r} has labels outside ENTITY_LABELS: {sorted(labels)}"
                )
            for start, end, mention in ent["mentions"]:
                if text[start:end] != mention:
                    raise ValueError(
                        f"gold article {item['id']}: mention {mention!r} at [{start}, {end}] reads {text[start:end]!r}"
                    )
            entities.append(GoldEntity(ent["name"], labels, tuple((s, e) for s, e, _ in ent["mentions"])))
        yield GoldArticle(item["id"], text, tuple(entities))


@dataclass
class EntityCounts:
    """Running totals over the gold set; ``report`` turns them into percentages.

    ``entity`` and ``mention`` hold [matched, predicted, gold]; ``linked`` holds
    [gold mentions linked right, gold mentions].
    """

    entity: list[int] = field(default_factory=lambda: [0, 0, 0])
    mention: list[int] = field(default_factory=lambda: [0, 0, 0])
    linked: list[int] = field(default_factory=lambda: [0, 0])
    articles: int = 0

    def add(self, gold: GoldArticle, predicted: Iterable[Entity]) -> None:
        """Add one article's gold and predicted entities to the totals."""
        keys: set[tuple[str, str]] = set()
        at: dict[tuple[int, int], set[tuple[str, str]]] = {}  # predicted mention offsets -> their entities' keys
        for e in predicted:
            key = (normalize(e.name), e.label)
            keys.add(key)
            for m in e.mentions:
                at.setdefault((m.start, m.end), set()).add(key)
        unmatched = set(keys)
        for g in gold.entities:
            name = normalize(g.name)
            hit = next(((name, label) for label in sorted(g.labels) if (name, label) in unmatched), None)
            if hit:
                unmatched.discard(hit)
                self.entity[0] += 1
            for offsets in g.mentions:
                self.linked[0] += any(n == name and label in g.labels for n, label in at.get(offsets, ()))
            self.linked[1] += len(g.mentions)
        gold_mentions = {offsets for g in gold.entities for offsets in g.mentions}
        self.entity[1] += len(keys)
        self.entity[2] += len(gold.entities)
        self.mention[0] += len(gold_mentions & at.keys())
        self.mention[1] += len(at)
        self.mention[2] += len(gold_mentions)
        self.articles += 1

    def report(self) -> dict[str, float | int]:
        """Percentages (one decimal) keyed by metric name, plus the entity counts and articles."""
        out: dict[str, float | int] = {"gold_entities": self.entity[2], "predicted_entities": self.entity[1]}
        for level, (hit, n_pred, n_gold) in (("entity", self.entity), ("mention", self.mention)):
            p, r = ratio(hit, n_pred), ratio(hit, n_gold)
            out[f"{level}_precision"] = pct(p)
            out[f"{level}_recall"] = pct(r)
            out[f"{level}_f1"] = pct(f1(p, r))
        out["linked_mention_accuracy"] = pct(ratio(*self.linked))
        out["articles"] = self.articles
        return out


def score_entities(docs: Iterable[Doc], gold: Iterable[GoldArticle], entities_of: EntityLayer) -> EntityCounts:
    """One entity layer's output on the parsed docs, counted against the gold articles in the same order."""
    counts = EntityCounts()
    for doc, article in zip(docs, gold, strict=True):
        counts.add(article, entities_of(doc))
    return counts


def entity_layers(aliases: Aliases) -> dict[str, EntityLayer]:
    """The layers to score: raw spaCy NER grouped by string (the baseline) and the canonical layer
    with ``aliases`` (those of the pipeline's entity component)."""
    from claimflow.nlp.entities import canonical_entities, raw_entities

    return {"baseline": raw_entities, "canonical": lambda doc: canonical_entities(doc, doc._.claims, aliases)}


def evaluate_entities(nlp, gold_path: Path = DEFAULT_GOLD, limit: int | None = None) -> dict[str, dict | float]:
    """Parse the gold articles once and score every entity layer on the same docs.

    Args:
        nlp: the claimflow pipeline (its claim component fills ``doc._.claims``).
        gold_path: the gold set.
        limit: score only the first N gold articles.

    Returns:
        ``{"baseline": metrics, "canonical": metrics, "parse_seconds": s}``; each
        metrics dict has the layer's own ``seconds`` (parsing excluded).
    """
    gold = read_gold(gold_path)[:limit]
    started = time.perf_counter()
    docs = list(nlp.pipe(a.text for a in gold))
    parse_seconds = round(time.perf_counter() - started, 3)
    out: dict[str, dict | float] = {}
    from claimflow.nlp.entity_component import ENTITIES_COMPONENT

    for name, layer in entity_layers(nlp.get_pipe(ENTITIES_COMPONENT).aliases).items():
        started = time.perf_counter()
        report = score_entities(docs, gold, layer).report()
        report["seconds"] = round(time.perf_counter() - started, 3)
        out[name] = report
    out["parse_seconds"] = parse_seconds
    return out
