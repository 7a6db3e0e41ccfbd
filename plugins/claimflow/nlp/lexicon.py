"""The word lists the claim component reads: cue words, stance classes, hedges, source nouns.

They are data shipped inside the package (``claimflow/lexicons/``, ``PACKAGED_DIR``) so they
can be reviewed, extended and round-tripped with the component's ``to_disk``/``from_disk`` and
``to_bytes``/``from_bytes``. ``cues.jsonl`` is mined from PolNeAR train by ``claimflow
train``; ``stances.json`` (cue lemma -> stance class), ``hedges.json`` and ``sources.json`` (role
nouns such as "spokesman", institution nouns such as "ministry", and the words that tell what kind
of source a phrase is: documents, generic groups, what marks an unnamed source) are written by hand.
Keys of ``sources.json`` other than ``titles`` are optional, so older saved pipelines still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly

CUES_FILE = "cues.jsonl"
STANCES_FILE = "stances.json"
HEDGES_FILE = "hedges.json"
SOURCES_FILE = "sources.json"
FILES = (CUES_FILE, STANCES_FILE, HEDGES_FILE, SOURCES_FILE)
PACKAGED_DIR = Path(__file__).resolve().parents[1] / "lexicons"  # what ``claimflow train`` writes by default
SOURCE_LISTS = ("documents", "groups", "insiders", "anonymity", "unnamed", "ranks")  # optional keys of sources.json


@dataclass
class Lexicon:
    """Cue lemmas with their prior cue rate, stance classes, hedge words and source nouns."""

    verbs: dict[str, float] = field(default_factory=dict)  # lemma -> share of its uses that are cues
    nouns: dict[str, float] = field(default_factory=dict)
    adjectives: dict[str, float] = field(default_factory=dict)  # "worried about", "critical of"
    stances: dict[str, str] = field(default_factory=dict)  # lemma -> stance class
    hedges: frozenset[str] = frozenset()
    titles: frozenset[str] = frozenset()  # role nouns that can name a known speaker: "spokesman"
    organisations: frozenset[str] = frozenset()  # institution nouns: "the finance department"
    documents: frozenset[str] = frozenset()  # documents, publications, data, recordings: "the report"
    groups: frozenset[str] = frozenset()  # generic collectives: "voters", "analysts", "the public"
    insiders: frozenset[str] = frozenset()  # people who tell what they know from inside: "officials", "aides"
    anonymity: frozenset[str] = frozenset()  # why a source is unnamed: "not authorized", "condition of anonymity"
    unnamed: frozenset[str] = frozenset()  # what marks a source as kept unnamed: "familiar with", "briefed on"
    ranks: frozenset[str] = frozenset()  # modifiers that say no affiliation: "senior", "former", "informed"
    cue_rows: list[dict] = field(default_factory=list)

    @classmethod
    def from_dir(cls, path: str | Path) -> Lexicon:
        """Read the lexicon files of a folder; a missing folder or file is an error, not a guess."""
        path = Path(path)
        missing = [name for name in FILES if not (path / name).is_file()]
        if missing:
            raise FileNotFoundError(f"lexicon folder {path} lacks {', '.join(missing)}")
        data = {name: srsly.read_json(path / name) for name in FILES if name != CUES_FILE}
        return cls.from_dict({CUES_FILE: list(srsly.read_jsonl(path / CUES_FILE)), **data})

    def to_dir(self, path: str | Path) -> None:
        """Write the lexicon files to a folder, in the layout ``from_dir`` reads."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, content in self.to_dict().items():
            if name == CUES_FILE:
                srsly.write_jsonl(path / name, content)
            else:
                srsly.write_json(path / name, content)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lexicon:
        """The lexicon from the contents of its files, keyed by file name (what ``to_dict`` gives)."""
        rows = list(data[CUES_FILE])
        sources = data[SOURCES_FILE]
        return cls(
            verbs={r["lemma"]: float(r["prior"]) for r in rows if r["pos"] == "VERB"},
            nouns={r["lemma"]: float(r["prior"]) for r in rows if r["pos"] == "NOUN"},
            adjectives={r["lemma"]: float(r["prior"]) for r in rows if r["pos"] == "ADJ"},
            stances={lemma: stance for stance, lemmas in data[STANCES_FILE].items() for lemma in lemmas},
            hedges=frozenset(w.lower() for w in data[HEDGES_FILE]),
            titles=frozenset(sources["titles"]),
            organisations=frozenset(sources.get("organisations", ())),
            **{key: frozenset(sources.get(key, ())) for key in SOURCE_LISTS},
            cue_rows=rows,
        )

    def to_dict(self) -> dict[str, Any]:
        """The contents of the lexicon files keyed by file name: one shape for folders and bytes."""
        by_stance: dict[str, list[str]] = {}
        for lemma, stance in sorted(self.stances.items()):
            by_stance.setdefault(stance, []).append(lemma)
        sources = {"titles": sorted(self.titles), "organisations": sorted(self.organisations)}
        sources.update({key: sorted(getattr(self, key)) for key in SOURCE_LISTS})
        return {CUES_FILE: self.cue_rows, STANCES_FILE: by_stance, HEDGES_FILE: sorted(self.hedges), SOURCES_FILE: sources}

    def stance(self, lemma: str) -> str:
        return self.stances.get(lemma, "neutral")

    def prior_bucket(self, lemma: str) -> str:
        """A coarse band of how often the lemma is a cue in the training data."""
        prior = self.verbs.get(lemma, self.nouns.get(lemma, self.adjectives.get(lemma)))
        if prior is None:
            return "none"
        return "hi" if prior >= 0.6 else "mid" if prior >= 0.3 else "lo" if prior >= 0.1 else "vlo"
