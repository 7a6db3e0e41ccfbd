"""The candidate record every cue construction produces and the scorer judges."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    """A possible attribution: token index ranges for cue and source, char ranges for content."""

    kind: str  # the construction that produced it, e.g. "ccomp", "inverted", "according"
    cue: tuple[int, int]  # token range [start, end)
    head: int  # the cue's head token index (the verb, "according", the noun)
    content: list[tuple[int, int]]  # character ranges, in text order
    source: tuple[int, int] | None  # token range, or None
    features: list[str] = field(default_factory=list)
