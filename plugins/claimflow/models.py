"""The records that flow through claimflow: articles in, entities and claims out.

They are small frozen dataclasses so the core stays plain Python; ``to_dict`` gives the
JSON/Parquet row shape used everywhere downstream (CLI output, lake tables, quality suites).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SOURCE_KINDS = ("person", "organisation", "anonymous", "pronoun", "none")
QUOTE_TYPES = ("direct", "indirect", "mixed")
STANCES = ("neutral", "emphatic", "doubtful", "denial", "internal_state")


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
    """A named entity of one article: its mentions grouped by normalized name and label."""

    name: str
    label: str
    mentions: tuple[Mention, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass(frozen=True)
class Article:
    """A normalized, de-duplicated news article ready for extraction."""

    article_id: str
    text: str
    path: str  # where it came from: a file path or object-store URI, with #n for records
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date or datetime as given by the source
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Article:
        return cls(**{k: row.get(k) for k in cls.__dataclass_fields__ if k in row})
