"""A small published lake for the claims explorer: two days of articles, entities, claims and
registry rows, with one id merged into another, doubtful, denied and hedged claims, and an
organisation whose name and words are hostile markup.

Written as publish leaves it (Delta tables partitioned by dt, each day's manifest with every
table's version), so the explorer reads it exactly as it reads a real lake.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from delta_rows import article_row, claim_row, entity_row, manifest_for, write_rows
from deltalake import DeltaTable, write_deltalake

from claimflow.config import Settings
from claimflow.manifest import TableVersion, write_manifest
from claimflow.models import stable_id
from claimflow.storage import LocalStore
from claimflow.storage.delta import table_uri
from claimflow.tables import REGISTRY_SCHEMA

DAY_1, DAY_2 = "2026-11-24", "2026-11-25"
RUN = "scheduled__{day}T23:30:00+00:00"
HOSTILE = "<script>alert(1)</script> Holdings"
HOSTILE_WORDS = '<img src=x onerror=alert(2)> and <a href="javascript:alert(3)">this</a>'
# name, label: the entities of the lake; "A. Lee" is merged into "Ann Lee" on DAY_2
ANN, A_LEE, COUNCIL, BOB, EVIL = (("Ann Lee", "PERSON"), ("A. Lee", "PERSON"), ("City Council", "ORG"),
                                  ("Bob Stone", "PERSON"), (HOSTILE, "ORG"))


def eid(entity: tuple[str, str]) -> str:
    return stable_id(entity[1], entity[0])


# per day, per article: the entities it names and its claims
# (source_kind, source entity or None, entities the content names, stance, hedges, content)
ARTICLES: dict[str, list[dict[str, Any]]] = {
    DAY_1: [
        {"entities": [ANN, COUNCIL], "claims": [
            ("person", ANN, [COUNCIL], "neutral", [], "the council will fund the bridge"),
            ("anonymous", None, [ANN], "doubtful", [], "Lee may not run again"),
        ]},
        {"entities": [COUNCIL, ANN, BOB, EVIL], "claims": [
            ("organisation", COUNCIL, [ANN], "neutral", ["reportedly"], "Lee reportedly asked for the money"),
            ("person", BOB, [EVIL], "denial", [], "the holdings never paid"),
            ("person", ANN, [], "emphatic", [], "the bridge will open in May"),
        ]},
    ],
    DAY_2: [
        {"entities": [A_LEE, EVIL], "claims": [
            ("person", A_LEE, [], "neutral", [], "the bridge is on time"),
            ("organisation", EVIL, [A_LEE], "denial", [], HOSTILE_WORDS),
        ]},
        {"entities": [ANN], "claims": [
            ("anonymous", None, [ANN], "neutral", ["allegedly"], "Lee allegedly met the donors"),
        ]},
        {"entities": [BOB], "claims": []},
    ],
}


def _registry_rows(day: str, run: str) -> list[dict[str, Any]]:
    """The day's registry rows: one per entity named, A. Lee merged into Ann Lee on DAY_2."""
    counts: dict[tuple[str, str], int] = {}
    for article in ARTICLES[day]:
        for entity in article["entities"]:
            counts[entity] = counts.get(entity, 0) + 1
    rows = []
    for (name, label), articles in counts.items():
        merged = eid(ANN) if (name, label) == A_LEE and day == DAY_2 else None
        rows.append({"entity_id": eid((name, label)), "name": name, "label": label,
                     "aliases": [{"form": name, "count": articles}, {"form": name.split()[-1], "count": 1}],
                     "article_count": articles, "merged_into": merged, "kb_id": None, "dt": day, "run_id": run})
    return rows


def publish(settings: Settings, day: str) -> None:
    """Write ``day`` to every table and its manifest, as publish would."""
    run = RUN.format(day=day)
    articles, entities, claims = [], [], []
    for number, article in enumerate(ARTICLES[day]):
        row = article_row(day, run, number)
        articles.append(row | {"title": f"{day} story {number}", "site": "news.example"})
        entities += [entity_row(day, run, number, name, label) for name, label in article["entities"]]
        for index, (kind, source, named, stance, hedges, content) in enumerate(article["claims"]):
            claim = claim_row(day, run, number, index, source_kind=kind, speaker=source[0] if source else None,
                              source_entity_id=eid(source) if source else None,
                              entity_ids=tuple(eid(e) for e in named))
            claims.append(claim | {"stance": stance, "hedges": hedges, "content_text": content,
                                   "content": [{"start": 11, "end": 11 + len(content), "text": content}]})
    tables = {}
    for table, rows in (("articles", articles), ("entities", entities), ("claims", claims)):
        tables[table] = (len(rows), write_rows(table_uri(settings, table), table, rows, day=day))
    registry = _registry_rows(day, run)
    write_deltalake(table_uri(settings, "registry"), pa.Table.from_pylist(registry, schema=REGISTRY_SCHEMA),
                    mode="overwrite", partition_by=["dt"], predicate=f"dt = '{day}'")
    version = DeltaTable(table_uri(settings, "registry")).version()
    store = LocalStore(settings.lake)
    manifest = manifest_for(day, run, store.root, tables=tables, accounting=(len(articles), len(articles), 0))
    write_manifest(store, replace(manifest, registry=TableVersion(len(registry), version)))


def build_explore_lake(root: Path) -> Path:
    """The lake at ``root / "lake"`` with DAY_1 and DAY_2 published."""
    settings = Settings(lake=str(root / "lake"))
    for day in (DAY_1, DAY_2):
        publish(settings, day)
    return root / "lake"
