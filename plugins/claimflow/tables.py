"""The lake's four tables and their quarantine: rows built from extraction records, Arrow schemas.

An extraction record is the JSON object ``claimflow extract`` prints per article; the DAG's
shards hold the same records, so the CLI and the pipeline share one format.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa

from claimflow import layout
from claimflow.models import Article, Extraction, entity_id, stable_id

_SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
_COMMON = [("dt", pa.string()), ("run_id", pa.string())]

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("article_id", pa.string()),
            ("path", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("published", pa.string()),
            ("language", pa.string()),
            ("authors", pa.list_(pa.string())),
            ("site", pa.string()),
            ("description", pa.string()),
            ("external_id", pa.string()),
            ("text", pa.string()),
            ("n_chars", pa.int64()),
            ("n_words", pa.int64()),
            ("content_sha256", pa.string()),
            ("ingested_at", pa.string()),
            ("revises", pa.string()),  # a revision's story: the article_id of its first publication
            *_COMMON,
        ]
    ),
    "entities": pa.schema(
        [
            ("entity_id", pa.string()),
            ("article_id", pa.string()),
            ("name", pa.string()),
            ("label", pa.string()),
            ("spacy_label", pa.string()),
            ("n_mentions", pa.int64()),
            *_COMMON,
        ]
    ),
    "mentions": pa.schema(
        [
            ("mention_id", pa.string()),
            ("entity_id", pa.string()),
            ("article_id", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("label", pa.string()),
            *_COMMON,
        ]
    ),
    "claims": pa.schema(
        [
            ("claim_id", pa.string()),
            ("article_id", pa.string()),
            ("sentence", pa.int64()),
            ("source_start", pa.int64()),
            ("source_end", pa.int64()),
            ("source_text", pa.string()),
            ("cue_start", pa.int64()),
            ("cue_end", pa.int64()),
            ("cue_text", pa.string()),
            ("content", pa.list_(_SPAN)),
            ("content_text", pa.string()),
            ("source_kind", pa.string()),
            ("speaker", pa.string()),
            ("quote_type", pa.string()),
            ("stance", pa.string()),
            ("hedges", pa.list_(pa.string())),
            ("confidence", pa.float64()),
            ("source_affiliation", pa.string()),
            ("source_organisation", pa.string()),
            ("anonymity_reason", pa.string()),
            ("source_entity_id", pa.string()),
            ("entity_ids", pa.list_(pa.string())),
            *_COMMON,
        ]
    ),
}

# The entity registry (layout.REGISTRY): per day, one row per entity id the day saw or decided on.
# A row with ``merged_into`` null stands: its name, label and kb_id are the entity's as of that day,
# ``aliases`` the surface forms the day's mentions used (with counts), ``article_count`` the day's
# articles naming it. A row with ``merged_into`` set records that the id is one with that surviving
# id (published ids never change: readers count through the merge). An id's latest row decides.
ALIAS = pa.struct([("form", pa.string()), ("count", pa.int64())])
REGISTRY_SCHEMA = pa.schema(
    [
        ("entity_id", pa.string()),
        ("name", pa.string()),
        ("label", pa.string()),
        ("aliases", pa.list_(ALIAS)),
        ("article_count", pa.int64()),
        ("merged_into", pa.string()),
        ("kb_id", pa.string()),
        *_COMMON,
    ]
)

# Every quarantined row of any table (and every refused input) as strings: the table it came from,
# its id (the table's ID_COLUMNS value), its article, the check that refused it and why, the row as JSON.
QUARANTINE_SCHEMA = pa.schema(
    [(name, pa.string()) for name in ("table", "record_id", "article_id", "reason", "detail", "record", "dt")]
)
QUARANTINE_COLUMNS = tuple(QUARANTINE_SCHEMA.names)


def schema_of(table: str) -> pa.Schema:
    """The Arrow schema of a table of ``layout.DELTA_TABLES`` (``claims``, ``quarantine/inputs``, ``registry``)."""
    if table == layout.REGISTRY:
        return REGISTRY_SCHEMA
    return QUARANTINE_SCHEMA if table.startswith("quarantine/") else SCHEMAS[table]


ID_COLUMNS = {"articles": "article_id", "entities": "entity_id", "mentions": "mention_id", "claims": "claim_id"}
CONTENT_SEPARATOR = " … "
RECORD_METADATA = ("title", "authors", "published", "url", "site", "description", "language", "external_id")


def extraction_record(extraction: Extraction) -> dict[str, Any]:
    """The JSON record of one article's extraction (the CLI's output line): the article's
    metadata, its text, and entities and claims as spans into that text."""
    article = extraction.article
    row = article.to_dict()
    return {
        "path": article.path,
        "article_id": article.article_id,
        **{key: row[key] for key in RECORD_METADATA},
        "text": article.text,
        "entities": [entity.to_dict() for entity in extraction.entities],
        "claims": [claim.to_dict() for claim in extraction.claims],
    }


def article_row(article: Article, *, day: str, run_id: str, ingested_at: str) -> dict[str, Any]:
    text = article.text
    return {
        "article_id": article.article_id,
        "path": article.path,
        "title": article.title,
        "url": article.url,
        "published": article.published,
        "language": article.language,
        "authors": list(article.authors),
        "site": article.site,
        "description": article.description,
        "external_id": article.external_id,
        "text": text,
        "n_chars": len(text),
        "n_words": len(text.split()),
        "content_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "ingested_at": ingested_at,
        "revises": article.revises,
        "dt": day,
        "run_id": run_id,
    }


def extraction_rows(record: dict[str, Any], *, day: str, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The entities, mentions and claims rows of one extraction record: one entities row per
    (entity_id, article_id), its mentions pointing at it."""
    aid = record["article_id"]
    common = {"dt": day, "run_id": run_id}
    rows: dict[str, list[dict[str, Any]]] = {"entities": [], "mentions": [], "claims": []}
    for entity in record["entities"]:
        # the canonical entity's id (name and label, not the article: the same entity in every article)
        eid = entity.get("entity_id") or entity_id(entity["name"], entity["label"])
        rows["entities"].append(
            {"entity_id": eid, "article_id": aid, "name": entity["name"], "label": entity["label"],
             "spacy_label": entity.get("spacy_label") or entity["label"], "n_mentions": len(entity["mentions"]), **common}
        )
        for m in entity["mentions"]:
            rows["mentions"].append(
                {"mention_id": stable_id(aid, m["start"], m["end"], m["label"]), "entity_id": eid, "article_id": aid,
                 "start": m["start"], "end": m["end"], "text": m["text"], "label": m["label"], **common}
            )
    for claim in record["claims"]:
        source, cue, content = claim["source"] or {}, claim["cue"], claim["content"]
        rows["claims"].append(
            {
                "claim_id": stable_id(aid, cue["start"], cue["end"], *(s["start"] for s in content)),
                "article_id": aid,
                "sentence": claim["sentence"],
                "source_start": source.get("start"),
                "source_end": source.get("end"),
                "source_text": source.get("text"),
                "cue_start": cue["start"],
                "cue_end": cue["end"],
                "cue_text": cue["text"],
                "content": content,
                "content_text": CONTENT_SEPARATOR.join(s["text"] for s in content),
                "source_kind": claim["source_kind"],
                "speaker": claim["speaker"],
                "quote_type": claim["quote_type"],
                "stance": claim["stance"],
                "hedges": claim["hedges"],
                "confidence": claim["confidence"],
                "source_affiliation": claim.get("source_affiliation"),
                "source_organisation": claim.get("source_organisation"),
                "anonymity_reason": claim.get("anonymity_reason"),
                "source_entity_id": claim.get("source_entity_id"),
                "entity_ids": claim.get("entity_ids") or [],
                **common,
            }
        )
    return rows
