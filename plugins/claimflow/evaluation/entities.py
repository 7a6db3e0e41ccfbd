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
- identity across articles: for each real-world entity (a gold ``ref``) in two or more articles,
  whether one ``entity_id`` covers it in all of them, which is what a dashboard counting people
  across days relies on. The ids are those a ``Resolve`` step gives the per-article entities of
  all articles at once (by default each article's own ``entity_id``), so a cross-article
  registry can be scored the same way.

Names are normalized by case, spaces, a leading "the " and a trailing possessive, nothing
smarter, so the choice of canonical name counts.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from claimflow.config import PROJECT_ROOT
from claimflow.evaluation.brat import read_text
from claimflow.evaluation.metrics import pct
from claimflow.models import ENTITY_LABELS, Entity, entity_id
from claimflow.nlp.scoring import f1, ratio

UNDATED = "1970-01-01"  # the day of a gold article with no publication date, for the registry's replay
DEFAULT_GOLD = PROJECT_ROOT / "tests" / "fixtures" / "entities_gold.json"
POLNEAR_GOLD = PROJECT_ROOT / "tests" / "fixtures" / "entities_gold_polnear.json"  # texts under ../shared/data/polnear
GOLD_SETS = {"seeds": DEFAULT_GOLD, "polnear": POLNEAR_GOLD}
POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimflow.identity.files import Identities, KbEntry
    from claimflow.nlp.aliases import Aliases

EntityLayer = Callable[["Doc"], Iterable[Entity]]


@dataclass(frozen=True)
class GoldEntity:
    """One hand-annotated entity: its name, the labels accepted for it, its mentions' offsets and
    ``ref``, the key of the real-world entity it is in every article (None: not compared across articles)."""

    name: str
    labels: frozenset[str]
    mentions: tuple[tuple[int, int], ...]
    ref: str | None = None


@dataclass(frozen=True)
class GoldArticle:
    """An article of the gold set: its id, its exact text, its entities and its publication day."""

    article_id: str
    text: str
    entities: tuple[GoldEntity, ...]
    published: str | None = None


@dataclass(frozen=True)
class PredictedArticle:
    """One article's predicted entities, with what a cross-article resolver may use: its id and day."""

    article_id: str
    published: str | None
    entities: tuple[Entity, ...]


Resolve = Callable[[Sequence[PredictedArticle]], Sequence[Sequence[Entity]]]
"""Final entities (with their ``entity_id``) of all articles at once, aligned with the input."""


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


def texts_folder(gold: dict, folder: Path) -> Path:
    """Where a parsed gold file's article files are: ``seeds`` relative to the gold file's
    ``folder``, or ``texts`` relative to the project root (data kept outside the repository)."""
    if "texts" in gold:
        return (PROJECT_ROOT / gold["texts"]).resolve()
    return (folder / gold["seeds"]).resolve()


def gold_texts_present(path: Path) -> bool:
    """Whether the gold file at ``path`` exists and the folder of its texts is there."""
    path = Path(path)
    return path.is_file() and texts_folder(json.loads(path.read_text(encoding="utf-8")), path.parent).is_dir()


def read_gold(path: Path) -> list[GoldArticle]:
    """The gold set at ``path``, every mention checked against its article's text.

    Raises:
        FileNotFoundError: the gold file or an article file it names is missing.
        ValueError: the file is not a gold set, an article's label is not in ENTITY_LABELS, or a
            mention's text differs from the article text at its offsets (the seed changed since it
            was annotated).
    """
    try:
        return list(_articles(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).parent))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"gold set {path}: not in the shape of tests/fixtures/entities_gold.json ({exc!r})") from exc


def _articles(gold: dict, folder: Path) -> Iterator[GoldArticle]:
    """The articles of a parsed gold file found in ``folder``."""
    seeds = texts_folder(gold, folder)
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
            mentions = tuple((s, e) for s, e, _ in ent["mentions"])
            entities.append(GoldEntity(ent["name"], labels, mentions, ent.get("ref")))
        refs = [e.ref for e in entities if e.ref is not None]
        if len(refs) != len(set(refs)):
            twice = sorted({r for r in refs if refs.count(r) > 1})
            raise ValueError(f"gold article {item['id']}: one ref on two entities: {twice}")
        yield GoldArticle(item["id"], text, tuple(entities), item.get("published"))


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


def per_article_ids(articles: Sequence[PredictedArticle]) -> list[tuple[Entity, ...]]:
    """The default ``Resolve``: every entity keeps the id its article gave it, or, for a layer that
    gives none (raw spaCy), the id derived from its name and label as the canonical layer derives it."""
    return [
        tuple(e if e.entity_id else replace(e, entity_id=entity_id(e.name, e.label)) for e in a.entities)
        for a in articles
    ]


def holder(gold: GoldEntity, predicted: Sequence[Entity]) -> Entity | None:
    """The predicted entity holding most of ``gold``'s mentions (ties: the one holding the earliest).

    A gold mention votes for the predicted entities with a mention at its exact offsets, else for
    the one whose mention overlaps it most; None when no predicted mention touches any of them.
    """
    votes: Counter[int] = Counter()
    for start, end in gold.mentions:
        exact = [i for i, e in enumerate(predicted) if any(m.start == start and m.end == end for m in e.mentions)]
        if exact:
            votes.update(exact)
            continue
        overlap: dict[int, int] = {}  # predicted entity index -> its largest overlap with this mention
        for i, e in enumerate(predicted):
            for m in e.mentions:
                if m.start < end and start < m.end:
                    overlap[i] = max(overlap.get(i, 0), min(end, m.end) - max(start, m.start))
        if overlap:
            votes[max(overlap, key=lambda i: overlap[i])] += 1  # ties: the first entity
    if not votes:
        return None
    return predicted[max(votes, key=lambda i: votes[i])]  # Counter keeps first-voted order on ties


@dataclass
class IdentityCounts:
    """For each gold ``ref``, the predicted entity holding it in each article it appears in.

    A ref in two or more articles keeps one id when the same ``entity_id`` holds it in all of them;
    an article where nothing was predicted at its mentions splits it.
    """

    held: dict[str, dict[str, Entity | None]] = field(default_factory=dict)  # ref -> article id -> holder

    def add(self, gold: GoldArticle, resolved: Sequence[Entity]) -> None:
        """Add one article's gold entities and its resolved predicted entities."""
        for g in gold.entities:
            if g.ref is not None:
                self.held.setdefault(g.ref, {})[gold.article_id] = holder(g, resolved)

    def shared(self) -> dict[str, dict[str, Entity | None]]:
        """The refs found in two or more articles."""
        return {ref: held for ref, held in sorted(self.held.items()) if len(held) > 1}

    def report(self) -> dict[str, float | int | list | None]:
        """How many shared refs keep one id, their share (None when no ref is shared) and each split ref
        with the holder per article (``None``: no predicted entity at its mentions)."""
        shared = self.shared()
        split = []
        for ref, held in shared.items():
            ids = {e.entity_id if e else None for e in held.values()}
            if len(ids) > 1 or None in ids:
                holders = {
                    article: {"entity_id": e.entity_id, "name": e.name, "label": e.label} if e else None
                    for article, e in held.items()
                }
                split.append({"ref": ref, "articles": holders})
        kept = len(shared) - len(split)
        return {
            "identity_entities": len(shared),
            "identity_kept": kept,
            "identity_share": pct(ratio(kept, len(shared))) if shared else None,
            "identity_split": split,
        }


def score_identity(
    gold: Sequence[GoldArticle], predicted: Sequence[Sequence[Entity]], resolve: Resolve | None = None
) -> IdentityCounts:
    """Identity across articles of the predicted entities of each gold article (same order), after
    ``resolve`` (default :func:`per_article_ids`) has given them their final ids."""
    articles = [PredictedArticle(g.article_id, g.published, tuple(p)) for g, p in zip(gold, predicted, strict=True)]
    resolved = (resolve or per_article_ids)(articles)
    if len(resolved) != len(articles):
        raise ValueError(f"resolve returned entities for {len(resolved)} articles, expected {len(articles)}")
    counts = IdentityCounts()
    for article, entities in zip(gold, resolved, strict=True):
        counts.add(article, entities)
    return counts


def count_entities(gold: Iterable[GoldArticle], predicted: Iterable[Iterable[Entity]]) -> EntityCounts:
    """One entity layer's entities of each gold article (same order), counted against the gold."""
    counts = EntityCounts()
    for article, entities in zip(gold, predicted, strict=True):
        counts.add(article, entities)
    return counts


def registry_ids(articles: Sequence[PredictedArticle], titles: frozenset[str] = frozenset(),
                 identities: Identities | None = None, kb: Sequence[KbEntry] = ()) -> list[tuple[Entity, ...]]:
    """A ``Resolve``: the ids the lake's entity registry gives the articles when their days are
    published in order (:func:`claimflow.identity.registry.replay`, with the run's pins, splits
    and knowledge base, as publish has them); an undated article is read as of one day before
    every dated one."""
    from claimflow.identity.registry import replay
    from claimflow.identity.resolve import Seen, article_id_of

    own = per_article_ids(articles)
    days: dict[str, list[list[Seen]]] = {}
    for article, entities in zip(articles, own, strict=True):
        days.setdefault(article.published or UNDATED, []).append([Seen(article_id_of(e), e.name, e.label, 1) for e in entities])
    final = replay(days, titles=titles, identities=identities, kb=kb)
    return [
        tuple(replace(e, entity_id=final[a.published or UNDATED][article_id_of(e)]) for e in entities)
        for a, entities in zip(articles, own, strict=True)
    ]


def entity_layers(aliases: Aliases) -> dict[str, EntityLayer]:
    """The layers to score: raw spaCy NER grouped by string (the baseline) and the canonical layer
    with ``aliases`` (those of the pipeline's entity component)."""
    from claimflow.nlp.entities import canonical_entities, raw_entities

    return {"baseline": raw_entities, "canonical": lambda doc: canonical_entities(doc, doc._.claims, aliases)}


def evaluate_entities(
    nlp, gold_path: Path = DEFAULT_GOLD, limit: int | None = None, resolve: Resolve | None = None,
    identities: Identities | None = None, kb: Sequence[KbEntry] = (),
) -> dict[str, dict | float]:
    """Parse the gold articles once and score every entity layer on the same docs.

    Args:
        nlp: the claimflow pipeline (its claim component fills ``doc._.claims``).
        gold_path: the gold set.
        limit: score only the first N gold articles.
        resolve: the cross-article step giving every layer's entities their final ids
            (default: each article's own ``entity_id``).
        identities, kb: the run's pins and splits and its knowledge base, for the ``registry``
            row (the canonical entities through the lake's registry, replayed day by day).

    Returns:
        ``{"baseline": metrics, "canonical": metrics, "parse_seconds": s}``; each
        metrics dict has the identity measures and the layer's own ``seconds`` (parsing excluded).
    """
    gold = read_gold(gold_path)[:limit]
    started = time.perf_counter()
    docs = list(nlp.pipe(a.text for a in gold))
    parse_seconds = round(time.perf_counter() - started, 3)
    out: dict[str, dict | float] = {}
    from claimflow.nlp.entity_component import ENTITIES_COMPONENT

    aliases = nlp.get_pipe(ENTITIES_COMPONENT).aliases
    for name, layer in entity_layers(aliases).items():
        started = time.perf_counter()
        predicted = [tuple(layer(doc)) for doc in docs]
        report = count_entities(gold, predicted).report()
        report.update(score_identity(gold, predicted, resolve).report())
        report["seconds"] = round(time.perf_counter() - started, 3)
        out[name] = report
        if name == "canonical" and resolve is None:  # and as the lake's registry counts them across days
            started = time.perf_counter()
            registry = partial(registry_ids, titles=aliases.titles, identities=identities, kb=kb)
            through = score_identity(gold, predicted, registry).report()
            out["registry"] = {**report, **through, "seconds": round(time.perf_counter() - started, 3)}
    out["parse_seconds"] = parse_seconds
    return out


def evaluate_gold_sets(
    nlp, gold_sets: dict[str, Path], limit: int | None = None, resolve: Resolve | None = None,
    identities: Identities | None = None, kb: Sequence[KbEntry] = (),
) -> dict[str, dict]:
    """:func:`evaluate_entities` on each named gold set, keyed by its name."""
    return {name: evaluate_entities(nlp, path, limit, resolve, identities, kb) for name, path in gold_sets.items()}


def present_gold_sets() -> dict[str, Path]:
    """The team's gold sets whose texts are on this machine: the seeds always, PolNeAR when
    ../shared/data/polnear is there."""
    return {name: path for name, path in GOLD_SETS.items() if name == "seeds" or gold_texts_present(path)}
