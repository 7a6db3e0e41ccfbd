"""The records that flow through claimflow: articles in, entities and claims out.

They are small frozen dataclasses so the core stays plain Python; ``to_dict`` gives the
JSON/Parquet row shape used everywhere downstream (CLI output, lake tables, quality suites).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass, field
from typing import Any

# what kind of source said a claim; docs/claims.md "Source kinds" documents each with examples
SOURCE_KINDS = ("person", "organisation", "anonymous", "group", "document", "pronoun", "other", "none")
# the labels of canonical entities (spaCy's own label is kept beside it as ``spacy_label``)
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE")
QUOTE_TYPES = ("direct", "indirect", "mixed")
STANCES = ("neutral", "emphatic", "doubtful", "denial", "internal_state")
MAX_ARTICLE_CHARS = 1_000_000  # characters of article text: ingest refuses more, the suite checks it, spaCy takes it


def stable_id(*parts: object) -> str:
    """A short id derived from its parts (sha256, never Python's salted ``hash``), so reruns, days
    and processes give the same ids: every id of the lake's rows is one."""
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def entity_id(name: str, label: str) -> str:
    """The id of the canonical entity (``name``, ``label``): the same in every article and day."""
    return stable_id(label, name)


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's text, with that text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``; the one way spans are made, so text always matches."""
        return cls(start, end, text[start:end])


@dataclass(frozen=True)
class Claim:
    """Who (source) said (cue) what (content) in one article, as spans into its text."""

    cue: Span
    content: tuple[Span, ...]
    source: Span | None
    source_kind: str  # one of SOURCE_KINDS
    speaker: str | None = None  # the resolved speaker's name, e.g. "Ian Kelly" for "he"
    quote_type: str = "indirect"  # one of QUOTE_TYPES
    stance: str = "neutral"  # one of STANCES
    hedges: tuple[str, ...] = ()  # hedging words inside the content ("allegedly")
    confidence: float = 1.0
    sentence: int = 0  # index of the sentence holding the cue
    # what an anonymous source's article discloses about it ("Egyptian security", "Hamas", "not authorized to ...")
    source_affiliation: str | None = None
    source_organisation: str | None = None
    anonymity_reason: str | None = None
    source_entity_id: str | None = None  # the canonical entity who said it, when known
    entity_ids: tuple[str, ...] = ()  # canonical entities the content mentions, in text order

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict(),
            "content": [s.to_dict() for s in self.content],
            "source_kind": self.source_kind,
            "speaker": self.speaker,
            "quote_type": self.quote_type,
            "stance": self.stance,
            "hedges": list(self.hedges),
            "confidence": round(float(self.confidence), 4),
            "sentence": self.sentence,
            "source_affiliation": self.source_affiliation,
            "source_organisation": self.source_organisation,
            "anonymity_reason": self.anonymity_reason,
            "source_entity_id": self.source_entity_id,
            "entity_ids": list(self.entity_ids),
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Claim:
        """The claim of a ``to_dict`` row (how claims cross process boundaries in ``nlp.pipe``)."""
        source = row.get("source")
        return cls(
            cue=Span(**row["cue"]),
            content=tuple(Span(**span) for span in row["content"]),
            source=Span(**source) if source else None,
            source_kind=row["source_kind"],
            speaker=row.get("speaker"),
            quote_type=row.get("quote_type", "indirect"),
            stance=row.get("stance", "neutral"),
            hedges=tuple(row.get("hedges", ())),
            confidence=row.get("confidence", 1.0),
            sentence=row.get("sentence", 0),
            source_affiliation=row.get("source_affiliation"),
            source_organisation=row.get("source_organisation"),
            anonymity_reason=row.get("anonymity_reason"),
            source_entity_id=row.get("source_entity_id"),
            entity_ids=tuple(row.get("entity_ids") or ()),
        )


@dataclass(frozen=True)
class Mention:
    """One occurrence of a named entity in an article."""

    start: int
    end: int
    text: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies field by field; it was half the parent's work per article in extract
        return {"start": self.start, "end": self.end, "text": self.text, "label": self.label}


@dataclass(frozen=True)
class Entity:
    """A canonical entity of one article: its canonical name and label, and every mention of it.

    ``entity_id`` is derived from the canonical name and label alone, so the same entity has
    the same id in every article, on every day and worker; ``spacy_label`` is the model's label
    before repair.
    """

    name: str
    label: str
    mentions: tuple[Mention, ...]
    entity_id: str = ""
    spacy_label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "label": self.label,
            "spacy_label": self.spacy_label or self.label,
            "mentions": [m.to_dict() for m in self.mentions],
        }


ARCHIVE_ONLY = ("original_gzip", "content_type")  # Article fields kept in the raw archive, not in tables or shards


@dataclass(frozen=True)
class Article:
    """A normalized, de-duplicated news article ready for extraction, with what its input said about it."""

    article_id: str
    text: str
    path: str  # where it came from: a file path or object-store URI, with #n for records
    title: str | None = None
    url: str | None = None  # the canonical address when the page names one, else where it came from
    published: str | None = None  # ISO 8601 date or datetime (UTC when the source gave a zone)
    language: str | None = None
    authors: tuple[str, ...] = ()
    site: str | None = None  # the publisher's name as the page gives it
    description: str | None = None
    external_id: str | None = None  # the id the input carried: a JSON "id", a feed item's guid
    # a revision's story: the article_id of the story's first publication at the same canonical
    # URL (another text, published on another day); None for a story's first publication
    revises: str | None = None
    # an HTML page's bytes as fetched, gzip-compressed: ingest holds a day of pages until the
    # raw archive is written, and HTML compresses five to ten times
    original_gzip: bytes | None = field(default=None, repr=False, compare=False)
    content_type: str | None = None  # the HTTP Content-Type of the original (it may name the charset)

    @property
    def original(self) -> bytes | None:
        """The page's original bytes, for extracting it again."""
        return gzip.decompress(self.original_gzip) if self.original_gzip else None

    def to_dict(self) -> dict[str, Any]:
        """The row of staged shards and extraction: everything but the original bytes."""
        row = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ARCHIVE_ONLY}
        row["authors"] = list(self.authors)
        return row

    def to_archive_dict(self) -> dict[str, Any]:
        """The raw archive's record: the row plus the original bytes, gzip-compressed and base64-encoded,
        so a backfill can extract the page again without fetching it."""
        compressed = self.original_gzip
        return {
            **self.to_dict(),
            "content_type": self.content_type,
            "original_gzip_base64": base64.b64encode(compressed).decode("ascii") if compressed else None,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Article:
        """The article of a ``to_dict`` or ``to_archive_dict`` row (original bytes included when archived)."""
        values = {k: row[k] for k in cls.__dataclass_fields__ if k in row}
        values["authors"] = tuple(row.get("authors") or ())
        if encoded := row.get("original_gzip_base64"):
            values["original_gzip"] = base64.b64decode(encoded)
        return cls(**values)


@dataclass(frozen=True)
class Extraction:
    """What the NLP found in one article."""

    article: Article
    entities: tuple[Entity, ...]
    claims: tuple[Claim, ...]
