"""Verb constructions: a reporting verb with its clause, object, complement or nearby quotation.

"officials said (that) X", "X, added the officials", "he called the plan a disaster", "the poll
was released", "as reported by X", "responded by saying X", "expressed alarm that X" (a reporting
noun as the verb's object). A verb often has several readings; each becomes a candidate and the
scorer picks.
"""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc, Token

from claimflow.nlp.candidates import Candidate
from claimflow.nlp.cue_bounds import cue_range
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.source_finding import passive, verb_source
from claimflow.nlp.spans import subtree_ids, token_ranges

DATELINE = re.compile(r"[A-Z][A-Z .,'’-]+ [–—-] ")
CLAUSE_DEPS = ("ccomp",)
INVERTED_DEPS = ("parataxis", "advcl", "conj", "ROOT", "ccomp")
CONTENT_MARKS = ("for", "that", "whether", "if")
ADDRESSEE_VERBS = ("tell", "inform", "assure", "remind", "notify", "brief")
ARG_PREPS = ("about", "for", "on", "to", "against", "of", "over", "with", "into", "at")
CONNECTIVE_SUBJECTS = ("That", "This")  # "That said, ...", "This being said, ...": the writer moving on


def verb_candidates(
    doc: Doc, tokens: list[Token], lexicon: Lexicon, quotes: QuoteRegions, ends: list[int]
) -> list[Candidate]:
    """Candidates headed by a verb: clausal, inverted, open-complement, object and prep content."""
    out: list[Candidate] = []
    connectives = {i for verb in tokens for i in connective(verb)}
    for verb in tokens:
        if verb.i in connectives:
            continue
        lemma = verb.lemma_.lower()
        clauses = [c for c in verb.children if c.dep_ in CLAUSE_DEPS or marked_clause(c)]
        known = lemma in lexicon.verbs
        light = noun_object(verb, lexicon) if verb.pos_ == "VERB" else None
        if not known and light is None and not (clauses and verb.pos_ == "VERB"):
            continue
        cue = cue_range(verb)
        found = verb_source(verb, clauses, quotes, ends[verb.i])
        src = found.tokens if found is not None else None
        src_ids = (set(range(*src)) if src else set()) | connectives
        readings: list[tuple[str, list[tuple[int, int]]]] = [
            ("postposed" if kind == "inverted" and src and src[0] > verb.i else kind, token_ranges(doc, ids))
            for kind, ids in _contents(verb, clauses, set(range(*cue)) | src_ids, known, ends[verb.i])
        ]
        first_tok = min(cue[0], src[0] if src else cue[0])
        end_tok = max(cue[1], src[1] if src else 0)
        if known and not any(kind == "ccomp" for kind, _ in readings):
            readings.append(("adjacent_quote", adjacent_quote(doc, quotes, first_tok, end_tok)))
        last = doc[end_tok - 1]
        final = doc[ends[verb.i] - 1]
        for kind, ranges in readings:
            if not ranges:
                continue
            ranges = quotes.extend(ranges, doc[cue[0]].idx)
            ranges = quotes.continued(ranges, last.idx + len(last.text), final.idx + len(final.text))
            if ranges[0][0] > doc[cue[0]].idx and quotes.kind(ranges[:1]) == "direct":
                ranges = adjacent_quote(doc, quotes, first_tok, first_tok + 1, after=False) + ranges
            ranges = strip_dateline(quotes.text, ranges)
            span, cand_src = cue, src
            if kind == "as_clause" and not any(c.dep_ in ("nsubj", "agent") for c in verb.children):
                cand_src = None  # "as reported by X" names X; a bare "as reported" names no one
            if kind == "passive_subject" and not any(c.dep_ == "agent" for c in verb.children):
                cand_src = None  # "the poll was released", "Lazar, known as Guccifer": no one is named
            if kind == "prep":
                prep = next(c for c in verb.rights if _argument_prep(c))
                span = (cue[0], max(cue[1], prep.i + 1))
            elif kind == "passive_subject":
                prep = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ == "as"), None)
                span = (cue[0], max(cue[1], prep.i + 1)) if prep is not None else cue
            out.append(Candidate(kind, span, verb.i, ranges, cand_src))
        if light is not None:
            end, ids = light
            light_ranges = token_ranges(doc, ids - src_ids)
            if light_ranges:
                out.append(Candidate("noun_object", (cue[0], max(cue[1], end)), verb.i, light_ranges, src))
    return out


def connective(verb: Token) -> range:
    """The tokens of the writer's "That said," (or "That being said,") when "said" opens its
    sentence so: a turn of the argument, neither a source nor part of anyone's content. Empty
    for any other verb."""
    doc = verb.doc
    if verb.lower_ != "said" or verb.i + 1 >= len(doc) or doc[verb.i + 1].text != ",":
        return range(0)
    first = verb.i - 2 if verb.i >= 2 and doc[verb.i - 1].lower_ == "being" else verb.i - 1
    if first >= 0 and doc[first].text in CONNECTIVE_SUBJECTS and doc[first].is_sent_start:
        return range(first, verb.i + 2)
    return range(0)


def marked_clause(child: Token) -> bool:
    """An adverbial clause that is really the verb's content: "called for X to", "asked whether"."""
    return child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in CONTENT_MARKS for g in child.children)


def noun_object(verb: Token, lexicon: Lexicon) -> tuple[int, set[int]] | None:
    """A reporting noun as the verb's object: "expressed alarm that X", "offered praise for X".

    Returns:
        The token just past the cue (verb, object and preposition) and the content's token
        indices, or None when the verb has no such object.
    """
    obj = next((c for c in verb.rights if c.dep_ == "dobj"), None)
    if obj is None or obj.lemma_.lower() not in lexicon.nouns:
        return None
    for holder in (obj, verb):
        for child in holder.rights:
            if child.i < obj.i:
                continue
            if child.dep_ == "prep" and child.lower_ in ARG_PREPS:
                ids = {t.i for g in child.children for t in g.subtree}
                if ids:
                    return child.i + 1, ids
            if child.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" for g in child.children):
                return child.left_edge.i, subtree_ids(child)
    return None


def adjacent_quote(
    doc: Doc, quotes: QuoteRegions, first: int, last: int, *, after: bool = True
) -> list[tuple[int, int]]:
    """A quotation right before tokens ``first..last`` (“...?” Rubio said) or right after them.

    Args:
        doc: the doc.
        quotes: its quotation regions.
        first: the first token of the cue and source.
        last: the token just past the cue and source.
        after: also look right after them.

    Returns:
        The quotation's character range as a one-item list, or an empty list.
    """
    text = quotes.text
    start = doc[first].idx
    k = bisect.bisect_left(quotes.starts, start) - 1
    if k >= 0 and quotes.only_gap(quotes.regions[k][1], start):
        return [quotes.regions[k]]
    if not after:
        return []
    end = doc[last - 1].idx + len(doc[last - 1].text)
    nxt = quotes.after(end)
    if nxt is not None and quotes.only_gap(end, nxt[0]) and "\n" not in text[end : nxt[0]]:
        return [nxt]
    return []


def strip_dateline(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content without a leading dateline ("NORTHFIELD – Patients ..." gives "Patients ...")."""
    if not ranges:
        return ranges
    start, end = ranges[0]
    if start and text[start - 1] != "\n":
        return ranges
    match = DATELINE.match(text, start, end)
    if match is None:
        return ranges
    return [(match.end(), end), *ranges[1:]]


def _contents(
    verb: Token, clauses: list[Token], exclude: set[int], known: bool, sent_end: int
) -> list[tuple[str, set[int]]]:
    """The readings of the verb's content: ``(construction, token indices)``, likeliest first.

    A clausal complement is the content when there is one. Otherwise a verb after a comma may
    report the clause before it ("inverted") or carry its own object ("..., citing the poll"),
    so both readings are returned and the scorer picks.
    """
    if clauses:
        ids: set[int] = set()
        for clause in clauses:
            ids |= subtree_ids(clause)
        return [("ccomp", ids - exclude)]
    if not known:
        return []
    readings: list[tuple[str, set[int]]] = []
    head = verb.head
    if (
        verb.dep_ in INVERTED_DEPS
        and head.i != verb.i
        and head.i < verb.i
        and any(t.text in (",", "“", '"', "”") for t in verb.doc[max(head.i, verb.left_edge.i - 2) : verb.i])
    ):
        ids = subtree_ids(head) - subtree_ids(verb) - exclude
        readings.append(("inverted", {i for i in ids if i < verb.left_edge.i}))
    own = _own_content(verb, exclude, sent_end)
    if (
        verb.dep_ == "advcl"
        and head.i != verb.i
        and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
        and not any(c.dep_ in ("dobj", "xcomp") for c in verb.children)
    ):
        # "As Crane said, the two have become ...": the clause the "as" phrase hangs on
        readings.append(("as_clause", subtree_ids(head) - subtree_ids(verb) - exclude))
    subject = next((c for c in verb.lefts if c.dep_ == "nsubjpass"), None) if passive(verb) else None
    if subject is not None and subject.lower_ not in ("it", "there") and verb.dep_ != "amod":
        # "The poll was released Wednesday", "X was widely criticized as Y": what was said is the subject
        ids = subtree_ids(subject)
        for prep in verb.rights:
            if prep.dep_ == "prep" and prep.lower_ == "as":
                ids |= {t.i for g in prep.children for t in g.subtree}
        readings.append(("passive_subject", ids - exclude))
    elif verb.dep_ == "acl" and verb.tag_ == "VBN" and head.i < verb.i:
        prep = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ == "as"), None)
        if prep is not None:  # "Marcel Lazar, known online as Guccifer": the name and what it is known as
            ids = subtree_ids(head) - subtree_ids(verb)
            ids |= {t.i for g in prep.children for t in g.subtree}
            readings.append(("passive_subject", ids - exclude))
    if verb.dep_ == "ROOT" and verb.i > 0 and own is None:
        first = min([verb.i, *exclude])
        before = range(verb.left_edge.i, first)
        has_clause = any(verb.doc[i].pos_ in ("VERB", "AUX") for i in before)
        if len(before) > 1 and verb.doc[first - 1].text == "," and has_clause:
            # "X did Y, a senior official told the Courier" with Y parsed off the verb
            readings.append(("detached", set(before) - exclude))
    if verb.dep_ == "parataxis" and head.i > verb.i and _between_commas(verb):
        # "The goal, he said, is to forge a cease-fire": the clause around the cue
        readings.append(("parenthetical", subtree_ids(head) - subtree_ids(verb) - exclude))
    if own is not None:
        readings.append(own)
    return readings


def _argument_prep(child: Token) -> bool:
    """A preposition introducing what the verb is about ("talked about X"), not when ("on Thursday")."""
    return (
        child.dep_ in ("prep", "dative")
        and (child.lower_ in ARG_PREPS or (child.lower_ == "by" and any(g.dep_ == "pcomp" for g in child.children)))
        and not any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in child.children)
    )


def _own_content(verb: Token, exclude: set[int], sent_end: int) -> tuple[str, set[int]] | None:
    """Content carried by the verb's own dependents: open complement, object and predicate, preposition, colon."""
    for child in verb.children:
        if child.dep_ == "xcomp":
            return "xcomp", subtree_ids(child) - exclude
    for child in verb.children:
        if child.dep_ == "oprd" and not (verb.dep_ == "acl" and verb.tag_ == "VBN"):  # "a book called X" names it
            # "called her 'weak'", "which Trump had called a disaster": the object and its predicate
            ids = subtree_ids(child)
            for obj in verb.children:
                if obj.dep_ == "dobj":
                    ids |= subtree_ids(obj)
            return "oprd", ids - exclude
    for child in verb.children:
        if child.dep_ in ("dobj", "attr") and child.i > verb.i:
            if verb.lemma_.lower() in ADDRESSEE_VERBS:
                break  # "told the Eastern Courier": the object is who was told, not what
            ids = subtree_ids(child)
            for other in verb.children:
                if other.dep_ in ("prep", "oprd", "xcomp", "ccomp") and other.i > child.i:
                    ids |= subtree_ids(other)
            return "dobj", ids - exclude
    for child in verb.rights:
        if _argument_prep(child):
            return "prep", {t.i for c in child.children for t in c.subtree} - exclude
    if verb.dep_ in ("ROOT", "parataxis"):
        nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
        if nxt is not None and nxt.text == ":":
            return "colon", set(range(nxt.i + 1, sent_end))
    return None


def _between_commas(verb: Token) -> bool:
    """Whether the verb's phrase is set off by commas on both sides."""
    doc = verb.doc
    words = [t.i for t in verb.subtree if not t.is_punct]
    left, right = words[0], words[-1]
    before = doc[left - 1].text if left > 0 else ""
    after = doc[right + 1].text if right + 1 < len(doc) else ""
    return before in (",", "—", "–") and after in (",", "—", "–")
