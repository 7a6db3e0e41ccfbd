"""Candidate attributions read off a dependency parse: a cue, its content and its source.

Each candidate records which construction produced it ("ccomp", "inverted", "according", ...)
and a bag of string features, so a small linear scorer (see ``scorer.py``) decides which
candidates are claims. Generation is deliberately generous; precision comes from the scorer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
EDGE_PUNCT = set(",;:-–—()[]")
CLAUSE_DEPS = ("ccomp",)
INVERTED_DEPS = ("parataxis", "advcl", "conj", "ROOT", "ccomp")
ARG_PREPS = ("about", "for", "on", "to", "against", "of", "over", "with")


@dataclass
class Candidate:
    """A possible attribution: token index ranges for cue and source, char ranges for content."""

    kind: str  # the construction that produced it, e.g. "ccomp", "inverted", "according"
    cue: tuple[int, int]  # token range [start, end)
    head: int  # the cue's head token index (the verb, "according", the noun)
    content: list[tuple[int, int]]  # character ranges, in text order
    source: tuple[int, int] | None  # token range, or None
    features: list[str] = field(default_factory=list)


def token_ranges(doc: Doc, indices: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous character ranges covering the given tokens, edge punctuation dropped."""
    ranges: list[tuple[int, int]] = []
    run: list[int] = []
    for i in sorted(set(indices)):
        if run and i != run[-1] + 1:
            ranges.extend(_trim_run(doc, run))
            run = []
        run.append(i)
    if run:
        ranges.extend(_trim_run(doc, run))
    return ranges


def _trim_run(doc: Doc, run: list[int]) -> list[tuple[int, int]]:
    """The character range of a run of tokens without its leading/trailing punctuation."""
    lo, hi = 0, len(run)
    while lo < hi and (doc[run[lo]].text in EDGE_PUNCT or doc[run[lo]].is_space):
        lo += 1
    while hi > lo and (doc[run[hi - 1]].text in EDGE_PUNCT or doc[run[hi - 1]].text == "." or doc[run[hi - 1]].is_space):
        hi -= 1
    if hi - lo == 0 or all(doc[i].is_punct for i in run[lo:hi]):
        return []
    first, last = doc[run[lo]], doc[run[hi - 1]]
    return [(first.idx, last.idx + len(last.text))]


def subtree_ids(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def cue_range(verb: Token) -> tuple[int, int]:
    """The verb with its contiguous auxiliaries, negation and particles (PolNeAR's cue extent)."""
    start = verb.i
    left = {c.i for c in verb.lefts if c.dep_ in ("aux", "auxpass", "neg", "advmod") and c.i < verb.i}
    while start - 1 in left:
        start -= 1
    end = verb.i + 1
    right = {c.i for c in verb.rights if c.dep_ in ("prt", "neg")}
    while end in right:
        end += 1
    while start < verb.i and verb.doc[start].dep_ == "advmod" and verb.doc[start].lower_ not in ("also", "not"):
        start += 1
    return start, end


def find_subject(verb: Token) -> Token | None:
    """The verb's subject, climbing through conjuncts and open complements that lack one."""
    current = verb
    for _ in range(4):
        for child in current.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
            if child.dep_ == "nsubjpass" and current is not verb:
                return child
        if current.dep_ in ("conj", "xcomp") and current.head is not current:
            current = current.head
            continue
        if current.dep_ in ("relcl", "acl") and current.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return current.head
        return None
    return None


def source_range(subject: Token) -> tuple[int, int]:
    """The subject's phrase, without relative clauses, trailing appositive commas or punctuation."""
    doc = subject.doc
    if subject.dep_ in ("nsubj", "nsubjpass", "csubj", "pobj"):
        ids = [t.i for t in subject.subtree]
    else:  # a relative clause's head noun: keep its left modifiers only
        ids = [t.i for t in subject.lefts for t in t.subtree] + [subject.i]
        ids += [t.i for c in subject.rights if c.dep_ in ("compound", "appos", "prep") for t in c.subtree]
    start, end = min(ids), max(ids) + 1
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    if subject.tag_ in ("WP", "WDT") and subject.head.dep_ == "relcl":
        return source_range(subject.head.head)
    return start, end


def inverted_subject(verb: Token, sent_end: int) -> Token | None:
    """The speaker after the verb in "..., added the officials": a noun closing the sentence."""
    doc = verb.doc
    if verb.i == 0 or doc[verb.i - 1].text not in (",", "”", '"', "''"):
        return None
    for child in verb.rights:
        if child.dep_ in ("dobj", "nsubj", "attr", "npadvmod") and child.pos_ in ("NOUN", "PROPN"):
            last = max(t.i for t in child.subtree)
            if all(doc[i].is_punct for i in range(last + 1, sent_end)):
                return child
    return None


def passive(verb: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in verb.children)


def agent_source(verb: Token) -> Token | None:
    """The ``by X`` agent of a passive verb."""
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def sentence_ends(doc: Doc) -> list[int]:
    """For each token, the index just past its sentence (``Token.sent`` rescans the doc each call)."""
    ends = [len(doc)] * len(doc)
    for sent in doc.sents:
        ends[sent.start : sent.end] = [sent.end] * (sent.end - sent.start)
    return ends


def verb_candidates(doc: Doc, lexicon: Lexicon, quotes: QuoteRegions, ends: list[int]) -> list[Candidate]:
    """Candidates headed by a verb: clausal, inverted, open-complement, object and prep content."""
    out: list[Candidate] = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        lemma = verb.lemma_.lower()
        clauses = [c for c in verb.children if c.dep_ in CLAUSE_DEPS]
        known = lemma in lexicon.verbs
        if not known and not (clauses and verb.pos_ == "VERB"):
            continue
        cue = cue_range(verb)
        cue_ids = set(range(*cue))
        if passive(verb):
            agent = agent_source(verb)
            subject = agent
        else:
            subject = find_subject(verb) or inverted_subject(verb, ends[verb.i])
        src = source_range(subject) if subject is not None else None
        src_ids = set(range(*src)) if src else set()
        kind, content_ids = _content(verb, clauses, cue_ids | src_ids, known, ends[verb.i])
        if kind is None:
            continue
        ranges = token_ranges(doc, content_ids)
        if not ranges:
            continue
        ranges = quotes.extend(ranges, doc[cue[0]].idx)
        last = doc[max(cue[1], src[1] if src else 0) - 1]
        ranges = quotes.continued(ranges, last.idx + len(last.text))
        if kind == "prep":
            prep = next(c for c in verb.rights if c.dep_ in ("prep", "dative") and c.lower_ in ARG_PREPS)
            cue = (cue[0], max(cue[1], prep.i + 1))
        out.append(Candidate(kind, cue, verb.i, ranges, src))
    return out


def _content(
    verb: Token, clauses: list[Token], exclude: set[int], known: bool, sent_end: int
) -> tuple[str | None, set[int]]:
    """Which construction carries the verb's content, and the content's token indices."""
    if clauses:
        ids: set[int] = set()
        for clause in clauses:
            ids |= subtree_ids(clause)
        return "ccomp", ids - exclude
    if not known:
        return None, set()
    head = verb.head
    if (
        verb.dep_ in INVERTED_DEPS
        and head is not verb
        and head.i < verb.i
        and any(t.text in (",", "“", '"', "”") for t in verb.doc[max(head.i, verb.left_edge.i - 2) : verb.i])
    ):
        ids = subtree_ids(head) - subtree_ids(verb) - exclude
        ids = {i for i in ids if i < verb.left_edge.i}
        return "inverted", ids
    for child in verb.children:
        if child.dep_ == "xcomp":
            return "xcomp", subtree_ids(child) - exclude
    for child in verb.children:
        if child.dep_ in ("dobj", "attr") and child.i > verb.i:
            ids = subtree_ids(child)
            for other in verb.children:
                if other.dep_ == "prep" and other.i > child.i:
                    ids |= subtree_ids(other)
            return "dobj", ids - exclude
    for child in verb.rights:
        if child.dep_ in ("prep", "dative") and child.lower_ in ARG_PREPS:
            return "prep", {t.i for c in child.children for t in c.subtree} - exclude
    if verb.dep_ == "ROOT" or verb.dep_ == "parataxis":
        nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
        if nxt is not None and nxt.text == ":":
            return "colon", set(range(nxt.i + 1, sent_end))
    return None, set()


def according_candidates(doc: Doc, ends: list[int]) -> list[Candidate]:
    """``according to X``: X is the source, the rest of its clause the content."""
    out: list[Candidate] = []
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        src = source_range(obj) if obj is not None else None
        head = tok.head if tok.dep_ != "ROOT" else tok
        if head is tok:
            start = next((i for i in range(tok.i, -1, -1) if ends[i] != ends[tok.i]), -1) + 1
            ids = set(range(start, ends[tok.i])) - subtree_ids(tok)
        else:
            anchor = head
            while anchor.dep_ not in ("ROOT",) and anchor.head is not anchor and anchor.pos_ not in ("VERB", "AUX"):
                anchor = anchor.head
            ids = subtree_ids(anchor) - subtree_ids(tok)
        ids -= set(range(tok.i, to.i + 1))
        ranges = token_ranges(doc, ids)
        if ranges:
            out.append(Candidate("according", (tok.i, to.i + 1), tok.i, ranges, src))
    return out


def noun_candidates(doc: Doc, lexicon: Lexicon) -> list[Candidate]:
    """Reporting nouns with a clausal complement: ``the claim that ...``, ``a statement saying``."""
    out: list[Candidate] = []
    for noun in doc:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in lexicon.nouns:
            continue
        clauses = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" for g in c.children)]
        if not clauses:
            continue
        ids = set().union(*(subtree_ids(c) for c in clauses))
        poss = next((c for c in noun.children if c.dep_ == "poss"), None)
        src = source_range(poss) if poss is not None else None
        ranges = token_ranges(doc, ids)
        if ranges:
            out.append(Candidate("noun", (noun.i, noun.i + 1), noun.i, ranges, src))
    return out


def candidates(doc: Doc, lexicon: Lexicon, quotes: QuoteRegions) -> list[Candidate]:
    """All candidate attributions of a parsed doc, with their scorer features filled in.

    Args:
        doc: a doc parsed by a pipeline with a dependency parser and NER.
        lexicon: cue words and their classes.
        quotes: the doc's quotation regions.

    Returns:
        Candidates in cue order; several may share content (nested attributions).
    """
    ends = sentence_ends(doc)
    found = verb_candidates(doc, lexicon, quotes, ends) + according_candidates(doc, ends) + noun_candidates(doc, lexicon)
    found.sort(key=lambda c: c.cue)
    for cand in found:
        cand.features = features(doc, cand, lexicon, quotes)
    return found


def features(doc: Doc, cand: Candidate, lexicon: Lexicon, quotes: QuoteRegions) -> list[str]:
    """String features of a candidate for the linear scorer."""
    head = doc[cand.head]
    lemma = head.lemma_.lower() if cand.kind != "according" else "according to"
    known = lemma in lexicon.verbs or lemma in lexicon.nouns or cand.kind == "according"
    lem = lemma if known else "<unk>"
    n_chars = sum(e - s for s, e in cand.content)
    size = "xs" if n_chars < 15 else "s" if n_chars < 40 else "m" if n_chars < 120 else "l"
    src = doc[cand.source[1] - 1] if cand.source else None
    src_type = "none"
    if src is not None:
        src_type = "pron" if src.pos_ == "PRON" else (src.ent_type_ or src.pos_)
        if src.lower_ in ("it", "this", "that", "which", "what"):
            src_type = "it"
    cue_tok = doc[cand.cue[0]]
    in_quote = quotes.inside(cue_tok.idx)
    neg = any(c.dep_ == "neg" for c in head.children)
    feats = [
        "bias",
        f"kind={cand.kind}",
        f"lemma={lem}",
        f"lemma|kind={lem}|{cand.kind}",
        f"dep={head.dep_}",
        f"tag={head.tag_}",
        f"size={size}",
        f"kind|size={cand.kind}|{size}",
        f"src={src_type}",
        f"kind|src={cand.kind}|{src_type}",
        f"lemma|src={lem}|{src_type != 'none'}",
        f"inquote={in_quote}",
        f"neg={neg}",
        f"prior={lexicon.prior_bucket(lemma)}",
        f"prior|kind={lexicon.prior_bucket(lemma)}|{cand.kind}",
        f"quotecontent={quotes.kind(cand.content)}",
    ]
    if head.dep_ in ("amod", "acl", "relcl", "advcl", "xcomp", "pcomp"):
        feats.append(f"lemma|dep={lem}|{head.dep_}")
    if any(c.dep_ == "auxpass" for c in head.children):
        feats.append("passive")
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "could", "might", "may", "should") for c in head.children):
        feats.append("modal")
    if head.i > 0 and doc[head.i - 1].lower_ == "to":
        feats.append("infinitive")
    return feats
