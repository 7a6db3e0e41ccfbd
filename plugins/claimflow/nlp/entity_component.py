"""The ``claimflow_entities`` pipeline component: canonical entities and claims linked to them.

It runs after ``claimflow_claims``, inside ``nlp.pipe``'s worker processes, so the entity layer
costs the parent process nothing but reading the results back (``extract`` with two processes
is bound by the parent).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from claimflow.nlp.aliases import Aliases, load_aliases
from claimflow.nlp.entities import canonical_entities, link_claims

ENTITIES_COMPONENT = "claimflow_entities"

if not Doc.has_extension("entities"):
    Doc.set_extension("entities", default=None)


@Language.factory(ENTITIES_COMPONENT, assigns=["doc._.entities", "doc._.claims"], requires=["doc._.claims", "doc.ents"],
                  default_config={"aliases_file": None})
def make_claimflow_entities(nlp: Language, name: str, *, aliases_file: str | None) -> EntityLinker:
    """Build the component; ``aliases_file`` (``load_nlp`` passes ``entities/aliases.json`` of the
    run's include folder) None means no aliases: the component reads no settings itself."""
    return EntityLinker(load_aliases(Path(aliases_file)) if aliases_file else Aliases())


class EntityLinker:
    """Sets ``doc._.entities`` to the doc's canonical entities and links ``doc._.claims`` to them."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases

    def __call__(self, doc: Doc) -> Doc:
        claims = doc._.claims
        if claims is None:  # the claim component failed on this doc and its error handler let it through
            return doc
        entities = canonical_entities(doc, claims, self.aliases)
        doc._.entities = list(entities)
        doc._.claims = list(link_claims(claims, entities, self.aliases))
        return doc
