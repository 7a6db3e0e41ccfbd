"""Candidate attributions read off a dependency parse: a cue, its content and its source.

Each candidate records which construction produced it ("ccomp", "inverted", "according", ...)
and a bag of string features, so a small linear scorer (see ``scorer.py``) decides which
candidates are claims. Generation is deliberately generous; precision comes from the scorer.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import GAP, QuoteRegions

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
DATELINE = re.compile(r"[A-Z][A-Z .,'’-]+ [–—-] ")
EDGE_PUNCT = set(",;:-–—()[]")
END_PUNCT = EDGE_PUNCT | {"."}  # a final stop is not part of reported content
NAME_PARTS = ("compound", "amod", "det", "poss", "nmod", "case", "nummod")
CLAUSE_DEPS = ("ccomp",)
INVERTED_DEPS = ("parataxis", "advcl", "conj", "ROOT", "ccomp")
CONTENT_MARKS = ("for", "that", "whether", "if")
OUTER_KINDS = ("ccomp", "inverted", "postposed", "detached", "parenthetical", "adjacent_quote")  # report whole clauses
COLON_OUTER_KINDS = ("colon_clause",)  # hold what follows the colon whatever the verb ("iterated ...:")
CLIMB_DEPS = ("conj", "xcomp", "advcl", "pcomp", "prep", "acomp")
ADDRESSEE_VERBS = ("tell", "inform", "assure", "remind", "notify", "brief")
ARG_PREPS = ("about", "for", "on", "to", "against", "of", "over", "with", "into", "at")
GOVERNOR_DEPS = ("ROOT", "advcl", "acomp", "conj", "relcl", "ccomp", "xcomp")  # a verb a cue hangs from
LINKED_DEPS = ("xcomp", "acomp", "ccomp", "conj", "advcl", "relcl")
CUE_LEFT_DEPS = ("aux", "auxpass", "neg", "advmod")  # "has not yet said"
CLAUSE_ADVERBS = ("when", "where", "how", "why")  # "when he said": not part of the cue


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
    while hi > lo and (doc[run[hi - 1]].text in END_PUNCT or doc[run[hi - 1]].is_space):
        hi -= 1
    if hi - lo == 0 or all(doc[i].is_punct for i in run[lo:hi]):
        return []
    first, last = doc[run[lo]], doc[run[hi - 1]]
    return [(first.idx, last.idx + len(last.text))]


def subtree_ids(token: Token) -> set[int]:
    """The indices of the token's subtree."""
    return {t.i for t in token.subtree}


def cue_range(verb: Token) -> tuple[int, int]:
    """The verb's token range as PolNeAR marks cues.

    That is the verb with its adjacent auxiliaries, negation, adverbs and particles, a following
    colon and a bare time ("said Tuesday"). "in a statement" stays out: annotators disagree on it.
    """
    doc = verb.doc
    start = verb.i
    left = {c.i for c in verb.lefts if c.dep_ in ("aux", "auxpass", "neg", "advmod")}
    while start - 1 in left:
        start -= 1
    end = verb.i + 1
    for child in verb.rights:
        if child.i != end:
            break
        if child.dep_ in ("prt", "neg") or (child.dep_ == "npadvmod" and child.ent_type_ in ("DATE", "TIME")):
            end = child.i + 1
        else:
            break
    if end < len(doc) and doc[end].text == ":":
        end += 1
    return start, end


def extend_cue(doc: Doc, cand: Candidate) -> tuple[int, int]:
    """The candidate's cue grown to the verb phrase PolNeAR marks as the cue of a kept claim.

    On the left: the verb the cue hangs from when only particles or adverbs stand between them
    ("began thinking about", "went on to say", "seems to feel"), with that verb's auxiliaries,
    and an adjacent auxiliary, particle or adjective of the cue. On the right: "-ly" manner
    adverbs ("said dryly") and the "for" of "called for X to". A leading "when" is dropped.
    Each rule was kept only if it raised cue overlap F1 on PolNeAR train (cues.py's generator
    keeps the short verb form for the scorer's features; this runs on kept claims only).
    """
    start, end = cand.cue
    if cand.kind in ("according", "colon_name"):
        return start, end
    head = doc[cand.head]
    while start < end - 1 and doc[start].lower_ in CLAUSE_ADVERBS and doc[start].dep_ == "advmod":
        start += 1
    anchor = head
    for _ in range(4):
        if start == 0:
            break
        tok = doc[start - 1]
        gov = anchor.head
        if (
            anchor.dep_ in LINKED_DEPS
            and gov.i < start
            and gov.pos_ in ("VERB", "AUX", "ADJ")
            and gov.dep_ in GOVERNOR_DEPS
            and all(doc[i].head.i == gov.i and doc[i].dep_ in ("prt", "advmod", "neg") for i in range(gov.i + 1, start))
        ):
            tok = gov
            anchor = tok
            start = tok.i
            while start > 0 and doc[start - 1].head.i == tok.i and doc[start - 1].dep_ in CUE_LEFT_DEPS:
                start -= 1
        elif tok.head.i == anchor.i and (tok.dep_ in ("aux", "prt") or (tok.dep_ == "amod" and tok.pos_ == "ADJ")):
            start -= 1
        else:
            break
    while end < len(doc):
        tok = doc[end]
        if tok.head.i == head.i and tok.dep_ == "advmod" and (tok.lower_.endswith("ly") or tok.lower_ == "back"):
            end += 1
        elif tok.dep_ == "mark" and tok.lower_ == "for":
            end += 1
        else:
            break
    return start, end


def find_subject(verb: Token) -> Token | None:
    """The verb's subject, climbing out of conjuncts, adjuncts and open complements that lack one.

    "He echoed that promise, saying ..." gives "saying" the subject of "echoed"; an expletive
    met on the way ("it's hard to know") means there is no source.
    """
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


def source_range(subject: Token) -> tuple[int, int]:
    """The subject's phrase, without relative clauses, trailing appositive commas or punctuation.

    A relative pronoun stays itself ("who"), as PolNeAR marks it; the speaker is resolved later.
    """
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
    return start, end


def inverted_subject(verb: Token, sent_end: int) -> Token | None:
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
                return child
    return None


def appositive_speaker(verb: Token) -> tuple[int, int] | None:
    """The named speaker set off before a subjectless verb: "..., Hamas' adviser, Ahmed Yousef, told WND".

    The parser hangs such a name as an appositive of the previous clause's last noun; the
    speaker is the outermost appositive of that chain, up to the comma before the verb.
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
    return outer.left_edge.i, name.i + 1


def postverbal_speaker(verb: Token, clauses: list[Token]) -> Token | None:
    """The speaker right after the verb that the parser gave to the quote: '"A," said X, "B."'."""
    for clause in clauses:
        for child in clause.children:
            if (
                child.dep_ == "nsubj"
                and child.left_edge.i == verb.i + 1
                and child.pos_ in ("PROPN", "NOUN")
                and "," in (child.right_edge.text, verb.doc[min(child.right_edge.i + 1, len(verb.doc) - 1)].text)
            ):
                return child
    return None


def speaker_after_quote(verb: Token, quotes: QuoteRegions) -> Token | None:
    """The noun between a closing quote and the verb ('"...," campaign manager Robby Mook said')."""
    doc = verb.doc
    if verb.i == 0:
        return None
    name = doc[verb.i - 1]
    if name.pos_ not in ("NOUN", "PROPN", "PRON") or quotes.inside(name.idx):
        return None
    return name


def passive(verb: Token) -> bool:
    """Whether the verb has a passive auxiliary ("was reported")."""
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


def _marked_clause(child: Token) -> bool:
    """An adverbial clause that is really the verb's content: "called for X to", "asked whether"."""
    return child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in CONTENT_MARKS for g in child.children)


def verb_candidates(
    doc: Doc, tokens: list[Token], lexicon: Lexicon, quotes: QuoteRegions, ends: list[int]
) -> list[Candidate]:
    """Candidates headed by a verb: clausal, inverted, open-complement, object and prep content."""
    out: list[Candidate] = []
    for verb in tokens:
        lemma = verb.lemma_.lower()
        clauses = [c for c in verb.children if c.dep_ in CLAUSE_DEPS or _marked_clause(c)]
        known = lemma in lexicon.verbs
        light = noun_object(verb, lexicon) if verb.pos_ == "VERB" else None
        if not known and light is None and not (clauses and verb.pos_ == "VERB"):
            continue
        cue = cue_range(verb)
        src = verb_source(verb, clauses, quotes, ends[verb.i])
        src_ids = set(range(*src)) if src else set()
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


def verb_source(verb: Token, clauses: list[Token], quotes: QuoteRegions, sent_end: int) -> tuple[int, int] | None:
    """The token range of the verb's source, working around the small parser's usual slips.

    Args:
        verb: the cue verb.
        clauses: its clausal complements.
        quotes: the doc's quotation regions.
        sent_end: the index just past the verb's sentence.

    Returns:
        The source's token range, or None when the text names none (or it cannot be found).
    """
    if passive(verb) or any(c.dep_ == "agent" for c in verb.children):
        subject = agent_source(verb)
    else:
        subject = inverted_subject(verb, sent_end) or find_subject(verb)
    if subject is None and clauses:
        subject = postverbal_speaker(verb, clauses)
    if subject is not None and quotes.inside(subject.idx) and not quotes.inside(verb.idx):
        subject = speaker_after_quote(verb, quotes)  # the parser took a word of the quote
    src = source_range(subject) if subject is not None else None
    if subject is None or (subject.head != verb and subject.dep_ != "dobj"):
        src = appositive_speaker(verb) or src
    return src


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
    if k >= 0 and not text[quotes.regions[k][1] : start].strip(GAP):
        return [quotes.regions[k]]
    if not after:
        return []
    end = doc[last - 1].idx + len(doc[last - 1].text)
    nxt = quotes.after(end)
    if nxt is not None and not text[end : nxt[0]].strip(GAP) and "\n" not in text[end : nxt[0]]:
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


def adjective_candidates(doc: Doc, tokens: list[Token], lexicon: Lexicon) -> list[Candidate]:
    """Copula and adjective cues: "was critical of X", "is worried about X", "were hopeful that"."""
    out: list[Candidate] = []
    for adj in tokens:
        if adj.pos_ != "ADJ" or adj.dep_ != "acomp" or adj.lemma_.lower() not in lexicon.adjectives:
            continue
        verb = adj.head
        ids: set[int] = set()
        end = adj.i + 1
        for child in adj.children:
            if child.dep_ in ("ccomp", "xcomp"):
                ids |= subtree_ids(child)
            elif child.dep_ == "prep" and child.i > adj.i:
                ids |= {t.i for g in child.children for t in g.subtree}
                end = max(end, child.i + 1) if child.i == end else end
        if not ids and verb is not adj:  # "were hopeful Tuesday that ...": the clause hangs on the copula
            for child in verb.rights:
                if child.i > adj.i and (child.dep_ == "ccomp" or _marked_clause(child)):
                    ids |= subtree_ids(child)
        if not ids:
            continue
        start = min(verb.i, adj.i)
        subject = find_subject(verb)
        src = source_range(subject) if subject is not None else None
        ranges = token_ranges(doc, ids - set(range(start, end)))
        if ranges:
            out.append(Candidate("adjective", (start, end), adj.i, ranges, src))
    return out


def _between_commas(verb: Token) -> bool:
    """Whether the verb's phrase is set off by commas on both sides."""
    doc = verb.doc
    words = [t.i for t in verb.subtree if not t.is_punct]
    left, right = words[0], words[-1]
    before = doc[left - 1].text if left > 0 else ""
    after = doc[right + 1].text if right + 1 < len(doc) else ""
    return before in (",", "—", "–") and after in (",", "—", "–")


def according_candidates(doc: Doc, tokens: list[Token], ends: list[int]) -> list[Candidate]:
    """``according to X``: X is the source, the rest of its clause the content."""
    out: list[Candidate] = []
    for tok in tokens:
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
            while anchor.dep_ not in ("ROOT",) and anchor.head.i != anchor.i and anchor.pos_ not in ("VERB", "AUX"):
                anchor = anchor.head
            ids = subtree_ids(anchor) - subtree_ids(tok)
        ids -= set(range(tok.i, to.i + 1))
        ranges = token_ranges(doc, ids)
        if ranges:
            out.append(Candidate("according", (tok.i, to.i + 1), tok.i, ranges, src))
    return out


def colon_candidates(doc: Doc, tokens: list[Token], quotes: QuoteRegions, ends: list[int]) -> list[Candidate]:
    """Content introduced by a colon: ``Name: content`` and ``X iterated a set of preconditions: ...``.

    The first is the headline and live-blog form ("Rubio: Trump can't be trusted"): the source
    is the name right before the colon. The second is a clause that a colon closes, or whose
    verb has its object before the colon: the verb phrase up to the colon is the cue and its
    subject the source, as PolNeAR marks them. In both the content runs to the end of the
    paragraph, or is the quotation that opens right after the colon.
    """
    out: list[Candidate] = []
    for colon in tokens:
        if colon.text != ":" or colon.i == 0:
            continue
        ranges = _after_colon(colon, quotes)
        if not ranges:
            continue
        verb = doc[colon.i - 1]  # the head of the clause before the colon, however the parser hung the colon
        while verb.head.i < colon.i and verb.head.i != verb.i:
            verb = verb.head
        closes = all(doc[i].is_space for i in range(colon.i + 1, ends[colon.i]))
        if verb.pos_ == "VERB" and (closes or any(c.dep_ == "dobj" and c.i < colon.i for c in verb.children)):
            subject = find_subject(verb)
            src = source_range(subject) if subject is not None else None
            out.append(Candidate("colon_clause", (cue_range(verb)[0], colon.i + 1), verb.i, ranges, src))
        name = doc[colon.i - 1]
        if name.pos_ not in ("PROPN", "NOUN") or "\n" in name.text_with_ws or name.text.isupper():
            continue  # "NOTICE: ..." labels a text, it does not quote anyone
        start = name.i
        while start > 0 and doc[start - 1].head.i in range(start, name.i + 1) and doc[start - 1].dep_ in NAME_PARTS:
            start -= 1
        out.append(Candidate("colon_name", (colon.i, colon.i + 1), colon.i, ranges, (start, name.i + 1)))
    return out


def _after_colon(colon: Token, quotes: QuoteRegions) -> list[tuple[int, int]]:
    """The content after a colon: the quotation opening right after it, else the rest of its paragraph."""
    text = quotes.text
    begin = colon.idx + 1
    para_end = text.find("\n", begin)
    para_end = len(text) if para_end < 0 else para_end
    nxt = quotes.after(begin)
    if nxt is not None and not text[begin : nxt[0]].strip() and nxt[1] <= para_end + 1:
        return quotes.continued([nxt], nxt[1])
    stop = para_end
    while stop > begin and text[stop - 1] in " \t\r.":
        stop -= 1
    lead = begin
    while lead < stop and text[lead].isspace():
        lead += 1
    return [(lead, stop)] if stop > lead else []


def existential_candidates(doc: Doc, tokens: list[Token], lexicon: Lexicon, ends: list[int]) -> list[Candidate]:
    """``there were reports (that) X``: the reporting noun is the cue, what follows it the content.

    The parse of an unmarked clause after the noun is seldom a clean complement ("reports Sen.
    John Kerry ... accepted a letter" hangs "accepted" on "were"), so the content is the rest of
    the sentence when it holds a verb. Nobody is named as the source.
    """
    out: list[Candidate] = []
    for noun in tokens:
        be = noun.head
        if (
            noun.dep_ != "attr"
            or noun.lemma_.lower() not in lexicon.nouns
            or be.lemma_ != "be"
            or not any(c.dep_ == "expl" for c in be.children)
        ):
            continue
        rest = list(range(noun.i + 1, ends[noun.i]))
        if not any(doc[i].pos_ in ("VERB", "AUX") for i in rest):
            continue
        ranges = token_ranges(doc, rest)
        if ranges:
            out.append(Candidate("existential", (noun.i, noun.i + 1), noun.i, ranges, None))
    return out


def noun_candidates(doc: Doc, tokens: list[Token], lexicon: Lexicon) -> list[Candidate]:
    """Reporting nouns with their content: ``the claim that ...``, ``his support for X``.

    The content is a marked clause or the object of a following preposition; the source is a
    possessive ("Trump's call for") or compound ("Obama administration criticism") modifier, or
    the subject of the copula or verb the noun completes ("she was a critic of", "he came out
    in support of"), whose words then join the cue.
    """
    out: list[Candidate] = []
    for noun in tokens:
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in lexicon.nouns:
            continue
        clauses = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" for g in c.children)]
        end = noun.i + 1
        if clauses:
            kind, ids = "noun", set().union(*(subtree_ids(c) for c in clauses))
        else:
            prep = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ in ARG_PREPS), None)
            if prep is None or prep.i != noun.i + 1:
                continue
            kind, ids, end = "noun_prep", {t.i for g in prep.children for t in g.subtree}, prep.i + 1
        holder = next((c for c in noun.children if c.dep_ == "poss"), None)
        if holder is None:
            holder = next((c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"), None)
        start = noun.i
        if holder is None and noun.dep_ == "attr" and noun.head.i < noun.i:
            # "she was a full-fledged booster of Romney": the copula's subject holds the view
            holder = find_subject(noun.head)
            if holder is not None:
                kind, start = f"{kind}_attr", noun.head.i
        elif holder is None and noun.dep_ == "pobj" and noun.head.lower_ in ("in", "with") and noun.head.i == start - 1:
            verb = noun.head.head  # "came out in support of X", "voiced it with concern that"
            if verb.pos_ == "VERB" and verb.i < noun.i:
                holder = find_subject(verb)
                if holder is not None:
                    kind, start = f"{kind}_verb", verb.i
        if holder is None and kind == "noun_prep":
            continue  # "the support for X" names no one; most such phrases are not attributions
        src = source_range(holder) if holder is not None else None
        ranges = token_ranges(doc, ids)
        if ranges:
            out.append(Candidate(kind, (start, end), noun.i, ranges, src))
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
    by_pos: dict[str, list[Token]] = {"VERB": [], "NOUN": [], "ADJ": [], "PUNCT": [], "according": []}
    for tok in doc:  # one pass: making Token objects is the component's main cost
        pos = "according" if tok.lower_ == "according" else "VERB" if tok.pos_ == "AUX" else tok.pos_
        if pos in by_pos:
            by_pos[pos].append(tok)
    found = (
        verb_candidates(doc, by_pos["VERB"], lexicon, quotes, ends)
        + according_candidates(doc, by_pos["according"], ends)
        + noun_candidates(doc, by_pos["NOUN"], lexicon)
        + adjective_candidates(doc, by_pos["ADJ"], lexicon)
        + colon_candidates(doc, by_pos["PUNCT"], quotes, ends)
        + existential_candidates(doc, by_pos["NOUN"], lexicon, ends)
    )
    found.sort(key=lambda c: c.cue)
    outer = [
        c
        for c in found
        if c.kind in COLON_OUTER_KINDS
        or (c.kind in OUTER_KINDS and lexicon.prior_bucket(doc[c.head].lemma_.lower()) == "hi")
    ]
    for cand in found:
        cand.features = features(doc, cand, lexicon, quotes)
        start = doc[cand.cue[0]].idx
        if any(o.head != cand.head and any(s <= start < e for s, e in o.content) for o in outer):
            cand.features += ["nested", f"nested|kind={cand.kind}"]
    return found


def features(doc: Doc, cand: Candidate, lexicon: Lexicon, quotes: QuoteRegions) -> list[str]:
    """String features of a candidate for the linear scorer."""
    head = doc[cand.head]
    lemma = head.lemma_.lower() if cand.kind != "according" else "according to"
    known = lemma in lexicon.verbs or lemma in lexicon.nouns or lemma in lexicon.adjectives or cand.kind == "according"
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
    src_side = "none" if cand.source is None else "after" if cand.source[0] > cand.head else "before"
    kind = "ccomp" if cand.kind in ("postposed", "detached") else cand.kind  # a clause, then its cue
    feats = [
        "bias",
        f"srcside={src_side}",
        f"kind|srcside={kind}|{src_side}",
        f"kind={kind}",
        f"lemma={lem}",
        f"lemma|kind={lem}|{kind}",
        f"dep={head.dep_}",
        f"tag={head.tag_}",
        f"size={size}",
        f"kind|size={kind}|{size}",
        f"src={src_type}",
        f"kind|src={kind}|{src_type}",
        f"lemma|src={lem}|{src_type != 'none'}",
        f"inquote={in_quote}",
        f"neg={neg}",
        f"prior={lexicon.prior_bucket(lemma)}",
        f"prior|kind={lexicon.prior_bucket(lemma)}|{kind}",
        f"quotecontent={quotes.kind(cand.content)}",
    ]
    if head.dep_ in ("amod", "acl", "relcl", "advcl", "xcomp", "pcomp"):
        feats.append(f"lemma|dep={lem}|{head.dep_}")
    if cand.kind != "passive_subject" and any(c.dep_ == "auxpass" for c in head.children):
        feats.append("passive")  # every passive_subject reading is passive: its kind says so
        if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in head.children):
            feats.append(f"passive_it|kind={kind}")  # "it was reported that": the classic sourceless form
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "could", "might", "may", "should") for c in head.children):
        feats.append("modal")
    if head.i > 0 and doc[head.i - 1].lower_ == "to":
        feats.append("infinitive")
    if cand.source is not None:
        first = doc[cand.source[0]]
        at_para_start = first.i == 0 or "\n" in doc[first.i - 1].text_with_ws
        feats.append(f"kind|parastart={kind}|{at_para_start}")
    return feats
