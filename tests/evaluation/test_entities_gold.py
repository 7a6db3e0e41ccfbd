"""The entity gold set (issue 12) and its scorer: offsets that match the seeds, known scores, the CLI."""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import pytest

from claimflow.evaluation import entities as scorer
from claimflow.evaluation.cli import add_parsers
from claimflow.evaluation.entities import DEFAULT_GOLD, EntityCounts, GoldArticle, GoldEntity, normalize, read_gold
from claimflow.models import ENTITY_LABELS, Entity, Mention
from claimflow.nlp.entities import raw_entities

ROOT = Path(__file__).resolve().parents[2]
SEED = "08-tech-data-breach.txt"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimflow")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """The offsets of the nth occurrence of ``word`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def mention(text: str, word: str, nth: int = 0, label: str = "") -> Mention:
    start, end = at(text, word, nth)
    return Mention(start, end, text[start:end], label)


def test_gold_mentions_match_the_seed_texts() -> None:
    gold = json.loads(DEFAULT_GOLD.read_text(encoding="utf-8"))
    seeds = DEFAULT_GOLD.parent / gold["seeds"]
    assert len(gold["articles"]) >= 15
    for item in gold["articles"]:
        text = scorer.article_text(seeds, item["file"], item.get("record"))
        offsets = []
        for ent in item["entities"]:
            assert ent["label"] in ENTITY_LABELS and set(ent.get("also", ())) <= set(ENTITY_LABELS), (item["id"], ent)
            assert ent["mentions"], (item["id"], ent["name"])
            for start, end, words in ent["mentions"]:
                assert text[start:end] == words, (item["id"], start, end, words)
                offsets.append((start, end))
        offsets.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(offsets)), f"{item['id']}: overlapping mentions"
    assert len(read_gold(DEFAULT_GOLD)) == len(gold["articles"])


def test_read_gold_refuses_a_mention_that_no_longer_matches(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    entity = {"name": "Telvano", "label": "ORG", "mentions": [[79, 86, "Telvano"]]}
    article = {"id": "08-tech-data-breach", "file": SEED, "entities": [entity]}
    path.write_text(json.dumps({"seeds": str(ROOT / "seeds"), "articles": [article]}), encoding="utf-8")
    with pytest.raises(ValueError, match="08-tech-data-breach: mention 'Telvano' at \\[79, 86\\]"):
        read_gold(path)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("The  United\nNations", "united nations", id="case, spaces and a leading the"),
        pytest.param("Kelly's", "kelly", id="possessive"),
        pytest.param("Kelly’s", "kelly", id="curly possessive"),
        pytest.param("Harbour Workers'", "harbour workers", id="plural possessive"),
        pytest.param("Theodore Rovers", "theodore rovers", id="the only as a word"),
    ],
)
def test_normalize(name: str, key: str) -> None:
    assert normalize(name) == key


def test_scores_of_a_hand_made_article() -> None:
    text = "Ann Lee thanked the United Nations. Lee's Lebanese aide said the U.N. would help Lee."
    gold = GoldArticle(
        "hand",
        text,
        (
            GoldEntity("Ann Lee", frozenset({"PERSON"}), (at(text, "Ann Lee"), at(text, "Lee", 1), at(text, "Lee", 2))),
            GoldEntity("United Nations", frozenset({"ORG"}), (at(text, "United Nations"), at(text, "U.N."))),
            GoldEntity("Lebanese", frozenset({"NORP", "GPE"}), (at(text, "Lebanese"),)),
        ),
    )
    predicted = [
        # the possessive is not the mention:
        Entity("Ann Lee", "PERSON", (mention(text, "Ann Lee"), mention(text, "Lee's"))),
        Entity("Lee", "PERSON", (mention(text, "Lee", 2),)),  # not merged: an extra entity, a mislinked mention
        Entity("the United Nations", "GPE", (mention(text, "United Nations"),)),  # right name, wrong label
        Entity("U.N.", "ORG", (mention(text, "U.N."),)),  # the acronym not merged
        Entity("Lebanese", "GPE", (mention(text, "Lebanese"),)),  # an 'also' label matches
    ]
    counts = EntityCounts()
    counts.add(gold, predicted)
    # entities: 2 of 5 predicted keys match, 2 of 3 gold found; mentions: 5 of 6 offsets both sides;
    # linked: only "Ann Lee" and "Lebanese" sit in an entity with the gold name and label.
    assert counts.report() == {
        "gold_entities": 3,
        "predicted_entities": 5,
        "entity_precision": 40.0,
        "entity_recall": 66.7,
        "entity_f1": 50.0,
        "mention_precision": 83.3,
        "mention_recall": 83.3,
        "mention_f1": 83.3,
        "linked_mention_accuracy": 33.3,
        "articles": 1,
    }


@pytest.fixture
def one_seed_gold(tmp_path: Path) -> Path:
    """A gold set of one article, seed 08 as annotated in the team's gold set."""
    full = json.loads(DEFAULT_GOLD.read_text(encoding="utf-8"))
    article = next(a for a in full["articles"] if a["file"] == SEED)
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"seeds": str(ROOT / "seeds"), "articles": [article]}), encoding="utf-8")
    return path


def named_only(doc) -> list[Entity]:
    """A stand-in canonical layer: raw spaCy without dates, numbers and money."""
    return [e for e in raw_entities(doc) if e.label in ENTITY_LABELS]


def test_evaluate_entities_json_on_one_seed(
    one_seed_gold: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(scorer, "entity_layers", lambda aliases: {"baseline": raw_entities, "canonical": named_only})
    assert run(["evaluate", "--entities", "--gold", str(one_seed_gold), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["gold"]  # keyed by the gold set's name
    for row in (rows["baseline"], rows["canonical"]):
        row.pop("seconds")
    # Gold: Telvano (3 mentions), Europe, Mirela Dragan, Kofi Asante (2): 4 entities, 7 mentions.
    # spaCy finds the 4 names (5 mentions: not the third "Telvano", not "Asante") plus 7 dates,
    # numbers and sums (one mention each): 11 entities, 12 mentions.
    assert rows["baseline"] == {
        "gold_entities": 4,
        "predicted_entities": 11,
        "entity_precision": 36.4,
        "entity_recall": 100.0,
        "entity_f1": 53.3,
        "mention_precision": 41.7,
        "mention_recall": 71.4,
        "mention_f1": 52.6,
        "linked_mention_accuracy": 71.4,
        "articles": 1,
        # one article: no entity is in two or more
        "identity_entities": 0,
        "identity_kept": 0,
        "identity_share": None,
        "identity_split": [],
    }
    assert rows["canonical"] == {
        **rows["baseline"],
        "predicted_entities": 4,
        "entity_precision": 100.0,
        "entity_f1": 100.0,
        "mention_precision": 100.0,
        "mention_f1": 83.3,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "nowhere.json", id="no file"),
        pytest.param('{"articles": []}', "not in the shape", id="no seeds folder"),
        pytest.param("[1, 2", "Expecting", id="not JSON"),
    ],
)
def test_evaluate_entities_bad_gold_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "nowhere.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert run(["evaluate", "--entities", "--gold", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_evaluate_needs_polnear_or_entities() -> None:
    with pytest.raises(SystemExit):
        run(["evaluate"])


def test_canonical_beats_baseline_on_gold() -> None:
    from claimflow.evaluation.cli import load_pipeline

    rows = scorer.evaluate_entities(load_pipeline())
    baseline, canonical = rows["baseline"], rows["canonical"]
    assert canonical is not None
    assert canonical["entity_f1"] > baseline["entity_f1"], (baseline, canonical)
    assert canonical["mention_f1"] >= baseline["mention_f1"], (baseline, canonical)
