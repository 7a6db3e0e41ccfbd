"""Synthetic day tables shaped like the pipeline's, and bad days made of them (``CASES``:
one mutation per expectation), for the quality tests and the benchmark; and ``validate_day``, a
whole day validated at once, the oracle of the tests.

Each article has five sentences "<person> said that <org> will invest <n> million dollars in
<place> next year.", giving 5 claims (the last without source in odd articles), 20 mentions
and their entities, all with exact offsets.

Benchmark: ``PYTHONPATH=plugins .venv/bin/python tests/quality/synthetic.py [N_ARTICLES]``.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from claimflow.layout import TABLES
from claimflow.quality.suites import load_config
from claimflow.quality.validate import QualityOutcome, _validate

DAY = "2026-11-27"
RUN_ID = "manual__2026-11-27T00:00:00+00:00"
SUITES_DIR = Path(__file__).resolve().parents[2] / "include" / "gx"
PEOPLE = ["Maria Lopez", "John Okafor", "Ian Kelly", "Aiko Tanaka", "Lena Fischer"]
Tables = dict[str, pd.DataFrame]
Mutation = Callable[[Tables], None]
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
                "revises": f"{i:016x}" if i % 2 else None,  # odd articles revise a story of another day
                "run_id": RUN_ID,
            }
        )
    return {
        "articles": pd.DataFrame(articles),
        "entities": pd.DataFrame(entities),
        "mentions": pd.DataFrame(mentions),
        "claims": pd.DataFrame(claims),
    }


# Bad days: each mutation below breaks one expectation of one suite.


def cell(table: str, column: str, value: object, row: int = 0) -> Mutation:
    """Set one cell (any value, lists included) of ``table``."""

    def mutate(tables: Tables) -> None:
        values = tables[table][column].tolist()
        values[row] = value
        tables[table][column] = pd.Series(values, index=tables[table].index, dtype=object)

    return mutate


def copy_cells(table: str, columns: list[str], src: int = 0, dst: int = 1) -> Mutation:
    """Copy row ``src``'s ``columns`` onto row ``dst``."""

    def mutate(tables: Tables) -> None:
        for column in columns:
            cell(table, column, tables[table].at[src, column], dst)(tables)

    return mutate


def drop_column(table: str, column: str) -> Mutation:
    def mutate(tables: Tables) -> None:
        tables[table] = tables[table].drop(columns=[column])

    return mutate


def empty_day(tables: Tables) -> None:
    for table in TABLES:
        tables[table] = tables[table].iloc[0:0]


def append_to_text(suffix: str) -> Mutation:
    """Append to article 0's text, keeping its spans valid and its hash honest."""

    def mutate(tables: Tables) -> None:
        text = tables["articles"].at[0, "text"] + suffix
        cell("articles", "text", text)(tables)
        cell("articles", "content_sha256", "f" * 64)(tables)

    return mutate


def content_text(text: str) -> Mutation:
    """Claim 0's only content span gets ``text`` (its content_text follows, so only the span is wrong)."""

    def mutate(tables: Tables) -> None:
        span = dict(tables["claims"].at[0, "content"][0], text=text)
        cell("claims", "content", [span])(tables)
        cell("claims", "content_text", text)(tables)

    return mutate


def case(table: str, name: str, mutate: Mutation, row: int = 0) -> object:
    """Breaking ``mutate`` fails expectation ``name`` of ``table`` (and quarantines ``row``)."""
    return pytest.param(table, name, mutate, row, id=f"{table}.{name}")


# one case per expectation of every suite
CASES = [
    case("articles", "columns", drop_column("articles", "language")),
    case("articles", "volume", empty_day),
    case("articles", "article_id_present", cell("articles", "article_id", None)),
    case("articles", "article_id_unique", copy_cells("articles", ["article_id"])),
    case("articles", "article_id_format", cell("articles", "article_id", "NOT-HEX")),
    case("articles", "dt_is_run_day", cell("articles", "dt", "2026-11-26")),
    case("articles", "content_sha256_format", cell("articles", "content_sha256", "abc")),
    case("articles", "revises_format", cell("articles", "revises", "first-story")),
    case("articles", "text_missing", cell("articles", "text", None)),
    case("articles", "blank", cell("articles", "text", " \n\t ")),
    case("articles", "too_large", append_to_text(" " * 2_000_001)),
    case("articles", "control_chars", append_to_text("\x00\x07")),
    case("articles", "language", cell("articles", "language", "es")),
    # article 1's path sorts after article 0's, so article 1 is the copy that goes
    case("articles", "duplicate", copy_cells("articles", ["text", "content_sha256"], src=0, dst=1), 1),
    case("articles", "published_unparseable", cell("articles", "published", "last Tuesday")),
    case("articles", "published_in_future", cell("articles", "published", "2026-11-29T00:00:00Z")),
    case("entities", "columns", drop_column("entities", "label")),
    case("entities", "entity_id_present", cell("entities", "entity_id", None)),
    case("entities", "entity_id_unique", copy_cells("entities", ["entity_id"])),
    case("entities", "dt_is_run_day", cell("entities", "dt", "2026-11-28")),
    case("entities", "unknown_article", cell("entities", "article_id", "f" * 16)),
    case("entities", "name_blank", cell("entities", "name", "  ")),
    case("entities", "label_unknown", cell("entities", "label", "PERSONA")),
    case("entities", "n_mentions", cell("entities", "n_mentions", 0)),
    case("mentions", "columns", drop_column("mentions", "end")),
    case("mentions", "mention_id_present", cell("mentions", "mention_id", None)),
    case("mentions", "mention_id_unique", copy_cells("mentions", ["mention_id"])),
    case("mentions", "dt_is_run_day", cell("mentions", "dt", "2026-11-28")),
    case("mentions", "unknown_article", cell("mentions", "article_id", "f" * 16)),
    case("mentions", "unknown_entity", cell("mentions", "entity_id", "no-such-entity")),
    case("mentions", "span_out_of_range", cell("mentions", "end", 10**6)),
    case("mentions", "span_text_mismatch", cell("mentions", "text", "Someone Else")),
    case("mentions", "label_unknown", cell("mentions", "label", "person")),
    case("claims", "columns", drop_column("claims", "content")),
    case("claims", "claim_id_present", cell("claims", "claim_id", None)),
    case("claims", "claim_id_unique", copy_cells("claims", ["claim_id"])),
    case("claims", "dt_is_run_day", cell("claims", "dt", "2026-11-28")),
    case("claims", "unknown_article", cell("claims", "article_id", "f" * 16)),
    case("claims", "sentence_negative", cell("claims", "sentence", -1)),
    case("claims", "cue_out_of_range", cell("claims", "cue_start", -3)),
    case("claims", "cue_text_mismatch", cell("claims", "cue_text", "told")),
    case("claims", "source_out_of_range", cell("claims", "source_end", None)),
    case("claims", "source_text_mismatch", cell("claims", "source_text", "Nobody")),
    case("claims", "content_out_of_range", cell("claims", "content", [])),
    case("claims", "content_text_mismatch", content_text("something never said")),
    case("claims", "content_text_not_joined", cell("claims", "content_text", "a … b")),
    case("claims", "source_kind_unknown", cell("claims", "source_kind", "officials")),
    case("claims", "quote_type_unknown", cell("claims", "quote_type", "paraphrase")),
    case("claims", "stance_unknown", cell("claims", "stance", "angry")),
    case("claims", "confidence_out_of_range", cell("claims", "confidence", 1.5)),
]


def validate_day(
    tables: Tables, *, day: str = DAY, suites_dir: Path = SUITES_DIR, history: list[int] | None = None
) -> QualityOutcome:
    """A whole day validated at once with every check, the volume against ``history`` included:
    the oracle the pipeline's path (``validate_shard`` per shard, then ``DayCheck``) must agree
    with, and the easy way to test one expectation."""
    config = load_config(Path(suites_dir))
    return _validate(tables, day, config.suites, {"min_articles": config.volume.floor(history)})


def main(n_articles: int) -> None:
    """Print validation time for ``n_articles`` synthetic articles, per 1,000 articles."""
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
