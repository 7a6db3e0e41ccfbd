"""Where a cue starts and ends: the verb phrase PolNeAR marks as the cue.

Two rules, used at two moments. ``cue_range`` gives the short verb form candidates carry (the
scorer's features were trained on it); ``extend_cue`` grows the cue of a claim the scorer kept
to the longer phrase annotators mark.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from claimflow.nlp.candidates import Candidate

GOVERNOR_DEPS = ("ROOT", "advcl", "acomp", "conj", "relcl", "ccomp", "xcomp")  # a verb a cue hangs from
LINKED_DEPS = ("xcomp", "acomp", "ccomp", "conj", "advcl", "relcl")
CUE_LEFT_DEPS = ("aux", "auxpass", "neg", "advmod")  # "has not yet said"
CLAUSE_ADVERBS = ("when", "where", "how", "why")  # "when he said": not part of the cue


def cue_range(verb: Token) -> tuple[int, int]:
    """The verb's token range as PolNeAR marks cues.

    That is the verb with its adjacent auxiliaries, negation, adverbs and particles, a following
    colon and a bare time ("said Tuesday"). "in a statement" stays out: annotators disagree on it.
    """
    doc = verb.doc
    start = verb.i
    left = {c.i for c in verb.lefts if c.dep_ in CUE_LEFT_DEPS}
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
    Each rule was kept only if it raised cue overlap F1 on PolNeAR train (candidates keep the
    short verb form of ``cue_range`` for the scorer's features; this runs on kept claims only).
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
