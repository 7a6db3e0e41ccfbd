"""The ``claimflow_entities`` pipeline component: canonical entities and claims linked to them.

It runs after ``claimflow_claims``, inside ``nlp.pipe``'s worker processes, so the entity layer
costs the parent process nothing but reading the results back (``extract`` with two processes
is bound by the parent). It follows spaCy's lifecycle as the claim component does: the factory
builds it empty and reads no file or environment, its aliases arrive through ``initialize()``
(by default the ones shipped in the package) and travel with ``to_disk``/``from_disk`` and
``to_bytes``/``from_bytes``, and the ``spacy_factories`` entry point finds the factory in a
process that never imported claimflow.

    nlp.add_pipe("claimflow_claims").initialize()
    nlp.add_pipe("claimflow_entities").initialize()  # or initialize(aliases=run_aliases(include_dir).to_dict())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import srsly
from spacy import util
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.training import Example

import claimflow.nlp.claims  # noqa: F401 - sets the doc._.claims extension this component reads, in a process that loads it alone
from claimflow.exceptions import ComponentNotInitialized
from claimflow.nlp.aliases import Aliases, load_aliases, packaged_aliases, parse_aliases
from claimflow.nlp.entities import canonical_entities, link_claims

ENTITIES_COMPONENT = "claimflow_entities"
ALIASES_JSON = "aliases.json"  # the component's file in a saved pipeline

if not Doc.has_extension("entities"):
    Doc.set_extension("entities", default=None)


@Language.factory(ENTITIES_COMPONENT, assigns=["doc._.entities", "doc._.claims"], requires=["doc._.claims", "doc.ents"])
def make_claimflow_entities(nlp: Language, name: str) -> EntityLinker:
    """Build the component empty: ``initialize()`` or ``from_disk`` gives it its aliases."""
    return EntityLinker(nlp, name)


class EntityLinker(Pipe):
    """Sets ``doc._.entities`` to the doc's canonical entities and links ``doc._.claims`` to them."""

    def __init__(self, nlp: Language | None, name: str = ENTITIES_COMPONENT, *, aliases: Aliases | None = None) -> None:
        self.name = name
        self.aliases = aliases  # None until initialized or loaded

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.entities`` and link ``doc._.claims``; a doc the claim component failed on passes as it is."""
        if self.aliases is None:
            raise ComponentNotInitialized(
                f"component {self.name!r} has no aliases: call nlp.get_pipe({self.name!r}).initialize() or load a saved pipeline"
            )
        claims = doc._.claims
        if claims is None:  # the claim component failed on this doc and its error handler let it through
            return doc
        entities = canonical_entities(doc, claims, self.aliases)
        doc._.entities = list(entities)
        doc._.claims = list(link_claims(claims, entities, self.aliases))
        return doc

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        aliases: str | dict | None = None,
    ) -> None:
        """Take ``aliases``: the path of an aliases file (``[initialize.components.claimflow_entities]
        aliases`` in a config), the content of one (``load_nlp`` passes the run's, ``Aliases.to_dict()``),
        or None for the ones shipped in the package. spaCy validates these settings against this
        signature, so it names JSON types only."""
        if aliases is None:
            self.aliases = packaged_aliases()
        elif isinstance(aliases, dict):
            self.aliases = parse_aliases(aliases, f"{self.name} initialize(aliases=...)")
        else:
            self.aliases = load_aliases(Path(aliases))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the aliases as ``aliases.json`` in ``path``: a file ``initialize(aliases=...)`` reads too."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / ALIASES_JSON, self._aliases().to_dict())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityLinker:
        """Load what ``to_disk`` saved."""
        file = Path(path) / ALIASES_JSON
        self.aliases = parse_aliases(srsly.read_json(file), str(file))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """What ``to_disk`` saves, as one msgpack blob."""
        return util.to_bytes({"aliases": lambda: self._aliases().to_dict()}, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> EntityLinker:
        """Load what ``to_bytes`` gave."""
        util.from_bytes(bytes_data, {"aliases": lambda data: setattr(self, "aliases", parse_aliases(data, self.name))}, exclude)
        return self

    def _aliases(self) -> Aliases:
        if self.aliases is None:
            raise ComponentNotInitialized(f"component {self.name!r} has nothing to save: initialize it first")
        return self.aliases

