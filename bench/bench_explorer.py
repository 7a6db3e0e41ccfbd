"""Time to first byte of the claims explorer on a long history: the day view, and an entity view
over 90 days, on a synthetic lake of ``--days`` days x ``--articles`` articles.

The lake is written as publish leaves it: one Delta commit per table per day (so the tables carry
a year of versions and checkpoints), partitioned by ``dt``, each day's manifest naming the
versions; the registry holds every id a day saw, with a few per cent of people under a second id
merged into their first. Names follow a Zipf law over pools of people, organisations and
places (a few are in most days' news, most appear rarely), so the "most quoted" lists and the
entity of a busy person are as heavy as real ones. Each article names about 8 entities and
carries about 5 claims whose source kinds, stances and hedges are drawn with the shares the
pipeline produces on news.

Requests go through FastAPI's TestClient to the real app (no server). The first request of a
process opens the tables and builds the registry's view (once per registry version, i.e. once
per publish); each view is then asked ``--repeat`` times on another app in the same process (the
opened tables and the registry's view are kept per process; nothing of a page is cached).
Wall-clock and CPU medians are reported: on a machine others share, CPU time is the view's own
work. Goals (issue #21): day view < 300 ms, entity view over 90 days < 1 s.

    PYTHONPATH=plugins python bench/bench_explorer.py [--lake /tmp/explorer-lake] [--days 365] [--articles 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from claimflow import layout  # noqa: E402
from claimflow.config import Settings  # noqa: E402
from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion, write_manifest  # noqa: E402
from claimflow.storage import LocalStore  # noqa: E402
from claimflow.storage.delta import table_uri  # noqa: E402
from claimflow.tables import REGISTRY_SCHEMA, SCHEMAS  # noqa: E402

FIRST_DAY = dt.date(2025, 12, 1)
FIRST_NAMES = ("Ann Bob Carla David Elena Farid Grace Hiro Ines Jonas Kemal Lena Marta Nils Omar Priya Quinn Rosa Sven "
               "Tariq Uma Viktor Wen Xenia Yusuf Zoe Adam Beata Chen Dara Emil Fatma Gita Hugo Ivana Jorge Kaito Lucia "
               "Mehmet Nadia").split()
SURNAMES = [f"{stem}{suffix}" for stem in ("Lee Stone Berg Novak Costa Haddad Kim Ortiz Meyer Rossi Sato Khan Silva "
                                           "Dubois Jensen Moreau Weber Kowal Popescu Ivanov").split()
            for suffix in ("", "son", "er", "i", "ova", "ez", "man", "berg", "ski", "o", "e", "ford", "ley", "ing", "a")]
ORG_KINDS = ("Ministry of {}", "{} Holdings", "{} Council", "{} University", "{} Party", "Bank of {}", "{} Group",
             "{} Energy", "{} Times", "{} Police")
PLACES = [f"{a}{b}" for a in ("North", "South", "East", "West", "New", "Port", "Lake", "Fort", "Saint", "Old")
          for b in ("haven", "ford", "bury", "field", "wick", "mouth", "stead", "ton", "vale", "moor",
                    "bridge", "gate", "dale", "holm", "wood", "cliff", "marsh", "brook", "ridge", "well")]
PEOPLE = [f"{f} {s}" for s in SURNAMES for f in FIRST_NAMES]  # 12,000
ORGS = [kind.format(place) for place in PLACES for kind in ORG_KINDS]  # 2,000
KINDS = ("person", "organisation", "anonymous", "group", "document", "pronoun", "other", "none")
KIND_SHARES = (0.45, 0.15, 0.12, 0.08, 0.05, 0.10, 0.03, 0.02)
STANCES = ("neutral", "emphatic", "doubtful", "denial", "internal_state")
STANCE_SHARES = (0.80, 0.08, 0.05, 0.04, 0.03)
CONTENTS = [f"the {what} would {verb} before the {when}" for what in ("bridge", "budget", "vote", "strike", "deal", "inquiry")
            for verb in ("be finished", "go ahead", "be delayed", "collapse", "pass") for when in ("summer", "election", "winter")]
TEXT = ("The council met on Tuesday. " * 20).strip()
MERGED_SHARE = 0.03  # people also written under a second id, merged into the first by the registry
ENTITIES_PER_ARTICLE, CLAIMS_PER_ARTICLE = 8, 5


def zipf(rng: np.random.Generator, n: int, size: int, s: float = 1.1) -> np.ndarray:
    """``size`` draws from 0..n-1, rank r with weight 1/(r+1)**s."""
    weights = 1.0 / np.arange(1, n + 1) ** s
    return rng.choice(n, size=size, p=weights / weights.sum())


class Pools:
    """Every entity of the lake: (id, name, label) by index, PERSON then ORG then GPE, and the
    merged second ids of some people."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.names = np.array(PEOPLE + ORGS + PLACES, dtype=object)
        self.labels = np.array(["PERSON"] * len(PEOPLE) + ["ORG"] * len(ORGS) + ["GPE"] * len(PLACES), dtype=object)
        self.ids = np.array([f"e{i:015x}" for i in range(len(self.names))], dtype=object)
        self.offsets = {"PERSON": 0, "ORG": len(PEOPLE), "GPE": len(PEOPLE) + len(ORGS)}
        self.sizes = {"PERSON": len(PEOPLE), "ORG": len(ORGS), "GPE": len(PLACES)}
        merged = rng.choice(len(PEOPLE), size=int(len(PEOPLE) * MERGED_SHARE), replace=False)
        self.alias_of = {int(i): f"m{int(i):015x}" for i in merged}  # person index -> its second id

    def draw(self, rng: np.random.Generator, label: str, size: int) -> np.ndarray:
        return self.offsets[label] + zipf(rng, self.sizes[label], size)


def day_tables(rng: np.random.Generator, pools: Pools, day: str, run: str, n: int) -> dict[str, pa.Table]:
    """One day's articles, entities, claims and registry rows as Arrow tables of the lake's schemas."""
    article_ids = np.array([f"{day.replace('-', '')}{i:08d}" for i in range(n)], dtype=object)
    articles = pa.table({
        "article_id": article_ids, "path": [f"{day}/{i}.html" for i in range(n)],
        "title": [f"{CONTENTS[i % len(CONTENTS)].capitalize()}, says report {i}" for i in range(n)],
        "url": [f"https://news.example/{day}/{i}" for i in range(n)], "published": [day] * n, "language": ["en"] * n,
        "authors": [["Staff"]] * n, "site": [f"site{i % 40}.example" for i in range(n)], "description": [None] * n,
        "external_id": [None] * n, "text": [TEXT] * n, "n_chars": [len(TEXT)] * n, "n_words": [len(TEXT.split())] * n,
        "content_sha256": article_ids, "ingested_at": [f"{day}T23:30:00+00:00"] * n, "revises": [None] * n,
        "dt": [day] * n, "run_id": [run] * n,
    }, schema=SCHEMAS["articles"])
    # entities: per article, people, organisations and places drawn by their Zipf law
    labels = rng.choice(["PERSON", "ORG", "GPE"], size=n * ENTITIES_PER_ARTICLE, p=(0.45, 0.3, 0.25))
    ent = np.empty(len(labels), dtype=np.int64)
    for label in ("PERSON", "ORG", "GPE"):
        mask = labels == label
        ent[mask] = pools.draw(rng, label, int(mask.sum()))
    ent_article = np.repeat(np.arange(n), ENTITIES_PER_ARTICLE)
    # claims: a source kind each; people and organisations quoted are ones the article names
    per_article = rng.poisson(CLAIMS_PER_ARTICLE, size=n)
    claim_article = np.repeat(np.arange(n), per_article)
    m = len(claim_article)
    kinds = rng.choice(len(KINDS), size=m, p=KIND_SHARES)
    pick = claim_article * ENTITIES_PER_ARTICLE + rng.integers(0, ENTITIES_PER_ARTICLE, size=m)
    quoted = np.isin(kinds, (0, 1))
    source = np.where(quoted, ent[pick], -1)
    source_label = pools.labels[np.maximum(source, 0)]
    # the kind follows the entity quoted: a person, an organisation, a place (its people: a group)
    kinds = np.where(quoted, np.select([source_label == "PERSON", source_label == "ORG"], [0, 1], 3), kinds)
    source = np.where(kinds == 3, -1, source)
    # some people appear under their second id (the registry merges it into the first)
    def entity_id(index: int, second: bool) -> str:
        return pools.alias_of[index] if second and index in pools.alias_of else pools.ids[index]

    second_ent = rng.random(len(ent)) < 0.3
    ent_ids = np.array([entity_id(int(i), bool(s)) for i, s in zip(ent, second_ent, strict=True)], dtype=object)
    src_ids = [None if s < 0 else ent_ids[p] for s, p in zip(source, pick, strict=True)]
    about_n = rng.integers(0, 3, size=m)
    about = [[ent_ids[a * ENTITIES_PER_ARTICLE + j] for j in rng.integers(0, ENTITIES_PER_ARTICLE, size=k)]
             for a, k in zip(claim_article, about_n, strict=True)]
    stances = rng.choice(STANCES, size=m, p=STANCE_SHARES)
    hedged = rng.random(m) < 0.1
    contents = [CONTENTS[i] for i in rng.integers(0, len(CONTENTS), size=m)]
    speakers = [None if s is None else pools.names[int(source[i])] for i, s in enumerate(src_ids)]
    claim_ids = [f"{article_ids[a]}c{i:04d}" for i, a in enumerate(claim_article)]
    claims = pa.table({
        "claim_id": claim_ids, "article_id": article_ids[claim_article], "sentence": np.arange(m) % 30,
        "source_start": [0] * m, "source_end": [8] * m, "source_text": [s or "officials" for s in speakers],
        "cue_start": [9] * m, "cue_end": [13] * m, "cue_text": ["said"] * m,
        "content": [[{"start": 14, "end": 14 + len(c), "text": c}] for c in contents], "content_text": contents,
        "source_kind": [KINDS[k] for k in kinds], "speaker": speakers, "quote_type": ["direct"] * m,
        "stance": stances, "hedges": [["reportedly"] if h else [] for h in hedged], "confidence": [0.9] * m,
        "source_affiliation": [None] * m, "source_organisation": [None] * m, "anonymity_reason": [None] * m,
        "source_entity_id": src_ids, "entity_ids": about, "dt": [day] * m, "run_id": [run] * m,
    }, schema=SCHEMAS["claims"])
    pairs = {(int(a), ent_ids[i], int(ent[i])) for i, a in enumerate(ent_article)}
    rows = sorted(pairs)
    entities = pa.table({
        "entity_id": [r[1] for r in rows], "article_id": [article_ids[r[0]] for r in rows],
        "name": [pools.names[r[2]] for r in rows], "label": [pools.labels[r[2]] for r in rows],
        "spacy_label": [pools.labels[r[2]] for r in rows], "n_mentions": rng.integers(1, 6, size=len(rows)),
        "dt": [day] * len(rows), "run_id": [run] * len(rows),
    }, schema=SCHEMAS["entities"])
    seen: dict[str, tuple[int, int]] = {}
    for _article, eid, index in rows:
        count, _ = seen.get(eid, (0, index))
        seen[eid] = (count + 1, index)
    registry = pa.table({
        "entity_id": list(seen), "name": [pools.names[i] for _, i in seen.values()],
        "label": [pools.labels[i] for _, i in seen.values()],
        "aliases": [[{"form": pools.names[i], "count": c}] for c, i in seen.values()],
        "article_count": [c for c, _ in seen.values()],
        "merged_into": [pools.ids[i] if eid.startswith("m") else None for eid, (_, i) in seen.items()],
        "kb_id": [None] * len(seen), "dt": [day] * len(seen), "run_id": [run] * len(seen),
    }, schema=REGISTRY_SCHEMA)
    return {"articles": articles, "entities": entities, "claims": claims, layout.REGISTRY: registry}


def build(lake: Path, days: int, articles: int, seed: int) -> None:
    """Write ``days`` days to ``lake`` (one commit per table per day) and their manifests."""
    from deltalake import write_deltalake

    rng = np.random.default_rng(seed)
    pools = Pools(rng)
    settings = Settings(lake=str(lake))
    store = LocalStore(str(lake))
    versions = dict.fromkeys(("articles", "entities", "mentions", "claims", layout.REGISTRY), -1)
    started = time.perf_counter()
    for number in range(days):
        day = (FIRST_DAY + dt.timedelta(days=number)).isoformat()
        run = f"scheduled__{day}T23:30:00+00:00"
        tables = day_tables(rng, pools, day, run, articles)
        for name, data in tables.items():
            write_deltalake(table_uri(settings, name), data, mode="overwrite" if number == 0 else "append",
                            partition_by=["dt"])
            versions[name] += 1
        rows = {name: data.num_rows for name, data in tables.items()}
        manifest = Manifest(
            day=day, run_id=run, published_at=f"{day}T23:59:00+00:00", code_version="bench",
            model=Model("bench", None), lake=store.root,
            tables={t: TableVersion(rows.get(t, 0), max(versions[t], 0)) for t in layout.TABLES},
            quarantine={t: TableVersion(0, 0) for t in layout.QUARANTINE_TABLES},
            accounting=Accounting(articles, articles, 0),
            quality=Quality(True, layout.quality_file(day, run, layout.VALIDATION), layout.quality_file(day, run, layout.REPORT)),
            raw_archive=layout.raw_archive(day, run),
            registry=TableVersion(rows[layout.REGISTRY], versions[layout.REGISTRY]),
        )
        write_manifest(store, manifest)
        if number % 30 == 0:
            print(f"built {number + 1}/{days} days in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def timed(client, path: str) -> tuple[float, float, int, int]:
    """Seconds until the response's first byte (the app builds the whole page before sending),
    CPU seconds of this process meanwhile (all its threads: on a machine others share, the
    part of the wait that is this view's own work), status, bytes."""
    started, cpu = time.perf_counter(), time.process_time()
    with client.stream("GET", path) as response:
        chunks = response.iter_bytes()
        size = len(next(chunks, b""))
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
        size += sum(len(chunk) for chunk in chunks)
    return elapsed, used, response.status_code, size


def measure(lake: Path, paths: dict[str, str], repeat: int) -> dict[str, dict[str, float]]:
    from fastapi.testclient import TestClient

    from claimflow.ui.app import create_claimflow_app

    results = {}
    for name, path in paths.items():
        cold, cold_cpu, status, size = timed(TestClient(create_claimflow_app(str(lake))), path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        client = TestClient(create_claimflow_app(str(lake)))
        warm = [timed(client, path) for _ in range(repeat)]
        results[name] = {
            "path": path, "first_ms": round(cold * 1000), "first_cpu_ms": round(cold_cpu * 1000),
            "median_ms": round(statistics.median(w[0] for w in warm) * 1000),
            "median_cpu_ms": round(statistics.median(w[1] for w in warm) * 1000),
            "min_ms": round(min(w[0] for w in warm) * 1000), "bytes": size,
        }
    results["load average at the end"] = os.getloadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, default=Path("/tmp/claimflow-explorer-lake"))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--rebuild", action="store_true", help="write the lake even if it is there")
    args = parser.parse_args()
    if args.rebuild or not (args.lake / layout.MANIFESTS).is_dir():
        build(args.lake, args.days, args.articles, args.seed)
    last = (FIRST_DAY + dt.timedelta(days=args.days - 1)).isoformat()
    first_90 = (FIRST_DAY + dt.timedelta(days=max(0, args.days - 90))).isoformat()
    busiest, rare = f"e{0:015x}", f"e{1000:015x}"  # the most quoted person; the 1,001st (a few a week)
    paths = {
        "day view (last day)": f"/day/{last}",
        "day view (mid-year)": f"/day/{(FIRST_DAY + dt.timedelta(days=args.days // 2)).isoformat()}",
        "entity view, 90 days, busiest person": f"/entity/{busiest}?from={first_90}&to={last}",
        "entity view, 90 days, 1,001st person": f"/entity/{rare}?from={first_90}&to={last}",
    }
    print(json.dumps({"lake": str(args.lake), "days": args.days, "articles_per_day": args.articles,
                      "results": measure(args.lake, paths, args.repeat)}, indent=2))


if __name__ == "__main__":
    main()
