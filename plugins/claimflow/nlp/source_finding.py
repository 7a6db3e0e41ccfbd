"""Finding the source of a cue: who the text says said it, read off the parse.

Each ``*_source`` function reads one construction and gives the source as a ``SourcePhrase``,
or None when the construction does not apply. A phrase carries its head word, which the rules
reason about (is it inside a quote? what does it hang from?), and its token range, which is what
a candidate reports. Most phrases are their head's subtree (``source_phrase``); the appositive
construction is not, which is why every function returns both rather than a bare token.
``verb_source`` tries them in turn for a verb cue, working around the small parser's usual slips.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from claimflow.nlp.quotes import QuoteRegions

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("conj", "xcomp", "advcl", "pcomp", "prep", "acomp")


@dataclass(frozen=True, slots=True)
class SourcePhrase:
    """A cue's source: its head word and its token range [start, end)."""

    root: Token
    tokens: tuple[int, int]


def source_phrase(root: Token) -> SourcePhrase:
    """The phrase headed by ``root``, without relative clauses, trailing appositive commas or punctuation.

    A relative pronoun stays itself ("who"), as PolNeAR marks it; the speaker is resolved later.
    """
    doc = root.doc
    if root.dep_ in ("nsubj", "nsubjpass", "csubj", "pobj"):
        ids = [t.i for t in root.subtree]
    else:  # a relative clause's head noun: keep its left modifiers only
        ids = [t.i for t in root.lefts for t in t.subtree] + [root.i]
        ids += [t.i for c in root.rights if c.dep_ in ("compound", "appos", "prep") for t in c.subtree]
    start, end = min(ids), max(ids) + 1
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return SourcePhrase(root, (start, end))


def subject_source(verb: Token) -> SourcePhrase | None:
    """The verb's subject, climbing out of conjuncts, adjuncts and open complements that lack one.

    "He echoed that promise, saying ..." gives "saying" the subject of "echoed"; an expletive
    met on the way ("it's hard to know") means there is no source.
    """
    subject = _subject(verb)
    return source_phrase(subject) if subject is not None else None


def _subject(verb: Token) -> Token | None:
    """The head word of ``subject_source``."""
    current = verb
    for _ in range(5):
        found = None
        for child in current.lefts if current is verb else current.children:
            if child.dep_ in ("nsubj", "csubj") or (child.dep_ == "nsubjpass" and current is not verb):
                found = child  # of two ("Board chair" / "Gwen Harrow"), the one next to the verb
            if child.dep_ == "expl":
                return None
        if found is None and current is verb:
            found = next((c for c in verb.rights if c.dep_ in ("nsubj", "csubj")), None)
        if found is not None:
            if current is not verb and found.lower_ in ("it", "there"):
                return None
            return found
        for aux in current.lefts:  # the small model sometimes hangs the subject on the auxiliary
            if aux.dep_ == "aux":
                subject = next((g for g in aux.children if g.dep_ == "nsubj"), None)
                if subject is not None:
                    return subject
        if current.dep_ in ("relcl", "acl") and current.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return current.head
        if current.dep_ in CLIMB_DEPS and current.head.i != current.i:
            current = current.head
            continue
        return None
    return None


def inverted_source(verb: Token, sent_end: int) -> SourcePhrase | None:
    """The speaker after the verb in "..., added the officials": a noun closing the sentence."""
    doc = verb.doc
    if verb.i == 0 or doc[verb.i - 1].text not in (",", "”", '"', "''"):
        return None
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or any(c.dep_ in SUBJECTS or c.dep_ == "auxpass" for c in verb.children):
        return None
    for child in verb.rights:
        if child.ent_type_ in ("DATE", "TIME"):  # "..., Ahmed Yousef, told WND that year": a when, not a who
            continue
        if child.dep_ in ("dobj", "nsubj", "attr", "npadvmod") and child.pos_ in ("NOUN", "PROPN"):
            last = max(t.i for t in child.subtree)
            if all(doc[i].is_punct or doc[i].is_space for i in range(last + 1, sent_end)):
                return source_phrase(child)
    return None


def appositive_source(verb: Token) -> SourcePhrase | None:
    """The named speaker set off before a subjectless verb: "..., Hamas' adviser, Ahmed Yousef, told WND".

    The parser hangs such a name as an appositive of the previous clause's last noun; the
    speaker is the outermost appositive of that chain, up to the comma before the verb (not the
    name's subtree, which may run on past it).
    """
    doc = verb.doc
    if verb.i < 2 or doc[verb.i - 1].text != "," or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    name = doc[verb.i - 2]
    while name.dep_ == "compound" and name.head.i > name.i:
        name = name.head
    if name.dep_ != "appos" or name.pos_ != "PROPN":
        return None
    outer = name
    while outer.head.dep_ == "appos" and outer.head.i < outer.i:
        outer = outer.head
    return SourcePhrase(name, (outer.left_edge.i, name.i + 1))


def postverbal_source(verb: Token, clauses: list[Token]) -> SourcePhrase | None:
    """The speaker right after the verb that the parser gave to the quote: '"A," said X, "B."'."""
    for clause in clauses:
        for child in clause.children:
            if (
                child.dep_ == "nsubj"
                and child.left_edge.i == verb.i + 1
                and child.pos_ in ("PROPN", "NOUN")
                and "," in (child.right_edge.text, verb.doc[min(child.right_edge.i + 1, len(verb.doc) - 1)].text)
            ):
                return source_phrase(child)
    return None


def quote_source(verb: Token, quotes: QuoteRegions) -> SourcePhrase | None:
    """The noun between a closing quote and the verb ('"...," campaign manager Robby Mook said')."""
    doc = verb.doc
    if verb.i == 0:
        return None
    name = doc[verb.i - 1]
    if name.pos_ not in ("NOUN", "PROPN", "PRON") or quotes.inside(name.idx):
        return None
    return source_phrase(name)


def agent_source(verb: Token) -> SourcePhrase | None:
    """The ``by X`` agent of a passive verb ("was reported by the Ledger")."""
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return source_phrase(obj)
    return None


def passive(verb: Token) -> bool:
    """Whether the verb has a passive auxiliary ("was reported"): its subject is what was said."""
    return any(c.dep_ == "auxpass" for c in verb.children)


def verb_source(verb: Token, clauses: list[Token], quotes: QuoteRegions, sent_end: int) -> SourcePhrase | None:
    """The source of a verb cue, working around the small parser's usual slips.

    Args:
        verb: the cue verb.
        clauses: its clausal complements.
        quotes: the doc's quotation regions.
        sent_end: the index just past the verb's sentence.

    Returns:
        The source, or None when the text names none (or it cannot be found).
    """
    if passive(verb) or any(c.dep_ == "agent" for c in verb.children):
        found = agent_source(verb)
    else:
        found = inverted_source(verb, sent_end) or subject_source(verb)
    if found is None and clauses:
        found = postverbal_source(verb, clauses)
    if found is not None and quotes.inside(found.root.idx) and not quotes.inside(verb.idx):
        found = quote_source(verb, quotes)  # the parser took a word of the quote
    if found is None or (found.root.head != verb and found.root.dep_ != "dobj"):
        found = appositive_source(verb) or found
    return found
