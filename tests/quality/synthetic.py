"""Synthetic day tables shaped like the pipeline's, for the quality tests and the benchmark.

Each article has five sentences "<person> said that <org> will invest <n> million dollars in
<place> next year.", giving 5 claims (the last without source in odd articles), 20 mentions
and their entities, all with exact offsets.

Benchmark: ``PYTHONPATH=plugins .venv/bin/python tests/quality/synthetic.py [N_ARTICLES]``.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import pandas as pd

DAY = "2026-11-27"
RUN_ID = "manual__2026-11-27T00:00:00+00:00"
SUITES_DIR = Path(__file__).resolve().parents[2] / "include" / "gx"
PEOPLE = ["Maria Lopez", "John Okafor", "Ian Kelly", "Aiko Tanaka", "Lena Fischer"]
ORGS = ["the Health Ministry", "Acme Corp", "the World Bank", "Globex", "the city council"]
PLACES = ["Cairo", "Lagos", "Lima", "Oslo", "Hanoi"]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_tables(n_articles: int = 3, *, day: str = DAY) -> dict[str, pd.DataFrame]:
    """A valid day: ``n_articles`` articles with 5 claims, 20 mentions and ~15 entities each."""
    articles, entities, mentions, claims = [], [], [], []
    for i in range(n_articles):
        article_id = _sha(f"article {i}")[:16]
        common = {"article_id": article_id, "dt": day, "run_id": RUN_ID}
        text = ""
        by_entity: dict[tuple[str, str], list[dict]] = {}
        for k in range(5):
            person, org, place = PEOPLE[(i + k) % 5], ORGS[(i * 3 + k) % 5], PLACES[(i + 2 * k) % 5]
            start = len(text)
            content = f"that {org} will invest {i * 5 + k + 1} million dollars in {place} next year"
            sentence = f"{person} said {content}. "
            text += sentence
            cue_start = start + len(person) + 1
            content_start = cue_start + len("said ")
            sourced = k < 4 or i % 2 == 0  # some claims name no source
            claims.append(
                {
                    "claim_id": f"{article_id}-c{k}",
                    "article_id": article_id,
                    "sentence": k,
                    "source_start": start if sourced else None,
                    "source_end": start + len(person) if sourced else None,
                    "source_text": person if sourced else None,
                    "cue_start": cue_start,
                    "cue_end": cue_start + 4,
                    "cue_text": "said",
                    "content": [{"start": content_start, "end": content_start + len(content), "text": content}],
                    "content_text": content,
                    "source_kind": "person" if sourced else "none",
                    "speaker": person if sourced else None,
                    "quote_type": "indirect",
                    "stance": "neutral",
                    "hedges": [],
                    "confidence": 0.9,
                    "dt": day,
                    "run_id": RUN_ID,
                }
            )
            for surface, label in ((person, "PERSON"), (org, "ORG"), (place, "GPE"), ("next year", "DATE")):
                at = text.index(surface, start)
                by_entity.setdefault((surface, label), []).append(
                    {"start": at, "end": at + len(surface), "text": surface}
                )
        for e, ((name, label), spans) in enumerate(sorted(by_entity.items())):
            entity_id = f"{article_id}-e{e}"
            entities.append({"entity_id": entity_id, "name": name, "label": label, "n_mentions": len(spans), **common})
            for span in spans:
                mentions.append(
                    {
                        "mention_id": f"{entity_id}-m{span['start']}",
                        "entity_id": entity_id,
                        **span,
                        "label": label,
                        **common,
                    }
                )
        articles.append(
            {
                "article_id": article_id,
                "dt": day,
                "path": f"seeds/article-{i}.txt",
                "title": f"Investment news {i}",
                "url": f"https://news.example/{i}",
                "published": day if i % 2 else f"{day}T06:30:00+00:00",
                "language": "en",
                "authors": [PEOPLE[i % 5]],
                "site": "News Example",
                "description": None,
                "external_id": f"inv-{i}",
                "text": text,
                "n_chars": len(text),
                "n_words": len(text.split()),
                "content_sha256": _sha(text),
                "ingested_at": f"{day}T02:00:00+00:00",
                "run_id": RUN_ID,
            }
        )
    return {
        "articles": pd.DataFrame(articles),
        "entities": pd.DataFrame(entities),
        "mentions": pd.DataFrame(mentions),
        "claims": pd.DataFrame(claims),
    }


def main(n_articles: int) -> None:
    """Print validation time for ``n_articles`` synthetic articles, per 1,000 articles."""
    from claimflow.quality import validate_day

    tables = make_tables(n_articles)
    validate_day(make_tables(2), day=DAY, suites_dir=SUITES_DIR)  # import GX and build the context once
    started = time.perf_counter()
    outcome = validate_day(tables, day=DAY, suites_dir=SUITES_DIR)
    seconds = time.perf_counter() - started
    rows = {t: len(df) for t, df in tables.items()}
    print(f"rows {rows}; passed={outcome.passed}; quarantined={len(outcome.quarantine)}")
    print(
        f"validation {seconds:.2f} s for {n_articles} articles = {seconds * 1000 / n_articles:.2f} s per 1,000 articles"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
