"""Constructions headed by something other than a verb's clause.

Adjectives ("was critical of X"), "according to X", colons ("Rubio: Trump can't be trusted",
"listed its conditions: ..."), "there were reports (that) X" and reporting nouns ("the claim that
X", "his support for X"). Each function returns the candidates of one construction.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from claimflow.nlp.candidates import Candidate
from claimflow.nlp.cue_bounds import cue_range
from claimflow.nlp.lexicon import Lexicon
from claimflow.nlp.quotes import QuoteRegions
from claimflow.nlp.source_finding import source_phrase, subject_source
from claimflow.nlp.spans import subtree_ids, token_ranges
from claimflow.nlp.verb_cues import ARG_PREPS, marked_clause

NAME_PARTS = ("compound", "amod", "det", "poss", "nmod", "case", "nummod")
# the labels a site puts before a page's title ("Movie Review: ...", "Analysis: ..."): page furniture, not a speaker
GENRE_LABELS = frozenset({"review", "recap", "preview", "analysis", "opinion", "editorial", "explainer",
                          "interview", "update", "podcast", "video", "photos", "gallery", "quiz", "newsletter"})


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
                if child.i > adj.i and (child.dep_ == "ccomp" or marked_clause(child)):
                    ids |= subtree_ids(child)
        if not ids:
            continue
        start = min(verb.i, adj.i)
        src = subject_source(verb)
        ranges = token_ranges(doc, ids - set(range(start, end)))
        if ranges:
            out.append(Candidate("adjective", (start, end), adj.i, ranges, src.tokens if src is not None else None))
    return out


def according_candidates(doc: Doc, tokens: list[Token], ends: list[int]) -> list[Candidate]:
    """``according to X``: X is the source, the rest of its clause the content."""
    out: list[Candidate] = []
    for tok in tokens:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), None)
        src = source_phrase(obj).tokens if obj is not None else None
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
            src = subject_source(verb)
            cue = (cue_range(verb)[0], colon.i + 1)
            out.append(Candidate("colon_clause", cue, verb.i, ranges, src.tokens if src is not None else None))
        name = doc[colon.i - 1]
        if name.pos_ not in ("PROPN", "NOUN") or "\n" in name.text_with_ws or name.text.isupper():
            continue  # "NOTICE: ..." labels a text, it does not quote anyone
        if name.lower_ in GENRE_LABELS:
            continue
        start = name.i
        while start > 0 and doc[start - 1].head.i in range(start, name.i + 1) and doc[start - 1].dep_ in NAME_PARTS:
            start -= 1
        out.append(Candidate("colon_name", (colon.i, colon.i + 1), colon.i, ranges, (start, name.i + 1)))
    return out


def _after_colon(colon: Token, quotes: QuoteRegions) -> list[tuple[int, int]]:
    """The content after a colon: the quotation opening right after it, else the rest of its paragraph."""
    text = quotes.text
    begin = colon.idx + 1
    para_end = quotes.paragraph_end(begin)
    nxt = quotes.after(begin)
    if nxt is not None and quotes.only_space(begin, nxt[0]) and nxt[1] <= para_end + 1:
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
        src = source_phrase(holder) if holder is not None else None
        start = noun.i
        if src is None and noun.dep_ == "attr" and noun.head.i < noun.i:
            # "she was a full-fledged booster of Romney": the copula's subject holds the view
            src = subject_source(noun.head)
            if src is not None:
                kind, start = f"{kind}_attr", noun.head.i
        elif src is None and noun.dep_ == "pobj" and noun.head.lower_ in ("in", "with") and noun.head.i == start - 1:
            verb = noun.head.head  # "came out in support of X", "voiced it with concern that"
            if verb.pos_ == "VERB" and verb.i < noun.i:
                src = subject_source(verb)
                if src is not None:
                    kind, start = f"{kind}_verb", verb.i
        if src is None and kind == "noun_prep":
            continue  # "the support for X" names no one; most such phrases are not attributions
        ranges = token_ranges(doc, ids)
        if ranges:
            out.append(Candidate(kind, (start, end), noun.i, ranges, src.tokens if src is not None else None))
    return out
