"""Identity across articles (issue 20): one id per real-world entity in every article it is in,
scored against the PolNeAR entity gold set, which stays outside the repository."""

from __future__ import annotations

import argparse
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from claimflow.config import PROJECT_ROOT
from claimflow.evaluation import entities as scorer
from claimflow.evaluation.brat import read_text
from claimflow.evaluation.cli import add_parsers
from claimflow.evaluation.entities import (
    POLNEAR_GOLD,
    GoldArticle,
    GoldEntity,
    PredictedArticle,
    gold_texts_present,
    present_gold_sets,
    read_gold,
    score_identity,
    texts_folder,
)
from claimflow.models import ENTITY_LABELS, Entity, Mention, entity_id

POLNEAR_HELDOUT_GOLD = PROJECT_ROOT / "tests" / "fixtures" / "entities_gold_polnear_heldout.json"  # same texts folder
POLNEAR_GOLD_JSON = json.loads(POLNEAR_GOLD.read_text(encoding="utf-8"))
POLNEAR_TEXTS = texts_folder(POLNEAR_GOLD_JSON, POLNEAR_GOLD.parent)
without_polnear = pytest.mark.skipif(not POLNEAR_TEXTS.is_dir(), reason="../shared/data/polnear is not present")

DAY1 = "Donald Trump spoke in Ohio. Trump thanked Ohio."
DAY2 = "Donald J. Trump left Ohio; Trump's plane was late."


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """The offsets of the nth occurrence of ``word`` in ``text``."""
    starts = [m.start() for m in re.finditer(re.escape(word), text)]
    return starts[nth], starts[nth] + len(word)


def entity(text: str, name: str, label: str, words: Sequence[tuple[str, int]], eid: str | None = None) -> Entity:
    """A predicted entity of ``text`` whose mentions are the given (word, nth occurrence)."""
    mentions = tuple(Mention(*at(text, w, n), w, label) for w, n in words)
    return Entity(name, label, mentions, eid if eid is not None else entity_id(name, label))


def gold_pair() -> list[GoldArticle]:
    """Two days that both name Donald Trump and Ohio; the gold offsets leave out the possessive."""
    trump1 = GoldEntity("Donald Trump", frozenset({"PERSON"}), (at(DAY1, "Donald Trump"), at(DAY1, "Trump", 1)), "Trump")
    trump2 = GoldEntity("Donald J. Trump", frozenset({"PERSON"}), (at(DAY2, "Donald J. Trump"), at(DAY2, "Trump", 1)), "Trump")
    ohio1 = GoldEntity("Ohio", frozenset({"GPE"}), (at(DAY1, "Ohio"), at(DAY1, "Ohio", 1)), "Ohio")
    ohio2 = GoldEntity("Ohio", frozenset({"GPE"}), (at(DAY2, "Ohio"),), "Ohio")
    return [
        GoldArticle("day1", DAY1, (trump1, ohio1), "2016-01-01"),
        GoldArticle("day2", DAY2, (trump2, ohio2), "2016-01-02"),
    ]


def day1_trump() -> Entity:
    """Day 1's "Donald Trump" with both its mentions, as the canonical layer finds it."""
    return entity(DAY1, "Donald Trump", "PERSON", [("Donald Trump", 0), ("Trump", 1)])


def ohio(text: str, n: int = 1) -> Entity:
    return entity(text, "Ohio", "GPE", [("Ohio", i) for i in range(n)])


def test_identity_one_id_covers_each_entity_in_every_article() -> None:
    predicted = [
        [day1_trump(), ohio(DAY1, 2)],
        # "Trump's" overlaps the gold "Trump"; the id is the registry's, not derived from this name
        [entity(DAY2, "Donald J. Trump", "PERSON", [("Donald J. Trump", 0), ("Trump's", 0)], entity_id("Donald Trump", "PERSON")),
         ohio(DAY2)],
    ]
    report = score_identity(gold_pair(), predicted).report()
    assert report == {"identity_entities": 2, "identity_kept": 2, "identity_share": 100.0, "identity_split": []}


def test_identity_split_when_articles_give_different_ids() -> None:
    donald_j = entity(DAY2, "Donald J. Trump", "PERSON", [("Donald J. Trump", 0), ("Trump", 1)])
    predicted = [[day1_trump(), ohio(DAY1, 2)], [donald_j, ohio(DAY2)]]
    report = score_identity(gold_pair(), predicted).report()
    assert (report["identity_entities"], report["identity_kept"], report["identity_share"]) == (2, 1, 50.0)
    assert report["identity_split"] == [
        {
            "ref": "Trump",
            "articles": {
                "day1": {"entity_id": entity_id("Donald Trump", "PERSON"), "name": "Donald Trump", "label": "PERSON"},
                "day2": {"entity_id": donald_j.entity_id, "name": "Donald J. Trump", "label": "PERSON"},
            },
        }
    ]


def test_identity_missing_prediction_in_one_article_is_not_covered() -> None:
    predicted = [[day1_trump(), ohio(DAY1, 2)], [ohio(DAY2)]]
    report = score_identity(gold_pair(), predicted).report()
    assert report["identity_kept"] == 1
    assert report["identity_split"][0]["ref"] == "Trump"
    assert report["identity_split"][0]["articles"]["day2"] is None


def test_identity_takes_the_entity_holding_most_mentions() -> None:
    # day 1: "Trump" alone is its own entity (ORG) and "Donald Trump" holds the first mention: the tie
    # goes to the earliest; day 2: only the first of the two mentions is predicted, and it decides
    predicted = [
        [
            entity(DAY1, "Donald Trump", "PERSON", [("Donald Trump", 0)]),
            entity(DAY1, "Trump", "ORG", [("Trump", 1)]),
            ohio(DAY1, 2),
        ],
        [entity(DAY2, "Donald Trump", "PERSON", [("Donald J. Trump", 0)]), ohio(DAY2)],
    ]
    assert score_identity(gold_pair(), predicted).report()["identity_kept"] == 2


def test_identity_counts_only_entities_in_two_or_more_articles() -> None:
    gold = gold_pair()
    alone = GoldArticle("day3", "Kasich spoke.", (GoldEntity("Kasich", frozenset({"PERSON"}), ((0, 6),), "Kasich"),))
    no_ref = GoldArticle("day4", "Kasich spoke.", (GoldEntity("Kasich", frozenset({"PERSON"}), ((0, 6),)),))
    kasich = Entity("Kasich", "PERSON", (Mention(0, 6, "Kasich", "PERSON"),))
    predicted = [
        [day1_trump(), ohio(DAY1, 2)],
        [entity(DAY2, "Donald Trump", "PERSON", [("Donald J. Trump", 0), ("Trump", 1)]), ohio(DAY2)],
        [kasich],
        [kasich],
    ]
    report = score_identity([*gold, alone, no_ref], predicted).report()
    assert (report["identity_entities"], report["identity_kept"]) == (2, 2)
    assert score_identity([alone], [[kasich]]).report()["identity_share"] is None


def test_identity_default_derives_ids_for_a_layer_without_them() -> None:
    # raw spaCy gives no entity_id: the same name and label get the same derived id in both articles
    predicted = [
        [Entity("Ohio", "GPE", (Mention(*at(DAY1, "Ohio"), "Ohio", "GPE"),))],
        [Entity("Ohio", "GPE", (Mention(*at(DAY2, "Ohio"), "Ohio", "GPE"),))],
    ]
    report = score_identity(gold_pair(), predicted).report()
    assert report["identity_kept"] == 1
    assert [s["ref"] for s in report["identity_split"]] == ["Trump"]


def test_identity_resolve_is_pluggable() -> None:
    seen: list[tuple[str, str | None]] = []

    def registry(articles: Sequence[PredictedArticle]) -> list[tuple[Entity, ...]]:
        """Stand-in for a day-level registry: every name ending in "Trump" joins one id."""
        seen.extend((a.article_id, a.published) for a in articles)
        one = entity_id("Donald Trump", "PERSON")
        return [tuple(Entity(e.name, e.label, e.mentions, one if e.name.endswith("Trump") else e.entity_id) for e in a.entities)
                for a in articles]

    predicted = [
        [day1_trump(), ohio(DAY1, 2)],
        [entity(DAY2, "Donald J. Trump", "PERSON", [("Donald J. Trump", 0), ("Trump", 1)]), ohio(DAY2)],
    ]
    assert score_identity(gold_pair(), predicted).report()["identity_kept"] == 1
    assert score_identity(gold_pair(), predicted, registry).report()["identity_kept"] == 2
    assert seen == [("day1", "2016-01-01"), ("day2", "2016-01-02")]
    with pytest.raises(ValueError, match="resolve returned entities for 1 articles, expected 2"):
        score_identity(gold_pair(), predicted, lambda articles: [()])


def test_the_registrys_replay_gives_a_middle_initial_and_a_later_bare_surname_day_ones_id() -> None:
    """The lake's registry, replayed day by day, keeps "Donald J. Trump" and an ORG-labelled
    "Trump" of later days under day 1's "Donald Trump"; per-article ids split them."""
    day3 = "Trump answered."
    gold = [*gold_pair(), GoldArticle("day3", day3, (GoldEntity("Trump", frozenset({"PERSON"}), (at(day3, "Trump"),), "Trump"),),
                                      "2016-01-03")]
    predicted = [
        [day1_trump(), ohio(DAY1, 2)],
        [entity(DAY2, "Donald J. Trump", "PERSON", [("Donald J. Trump", 0), ("Trump", 1)]), ohio(DAY2)],
        [entity(day3, "Trump", "ORG", [("Trump", 0)])],
    ]
    assert score_identity(gold, predicted).report()["identity_kept"] == 1
    through = score_identity(gold, predicted, scorer.registry_ids).report()
    assert (through["identity_kept"], through["identity_split"]) == (2, [])


def test_the_registrys_replay_follows_the_runs_pins() -> None:
    """A pin in the run's identities file joins a nickname the rules leave alone, in the
    evaluation's registry row as at publish."""
    from claimflow.identity.files import Identities

    day2 = "The Donald left Ohio."
    gold = [gold_pair()[0], GoldArticle("day2", day2, (GoldEntity("The Donald", frozenset({"PERSON"}),
                                                                  (at(day2, "The Donald"),), "Trump"),), "2016-01-02")]
    predicted = [[day1_trump(), ohio(DAY1, 2)], [entity(day2, "The Donald", "PERSON", [("The Donald", 0)])]]
    assert score_identity(gold, predicted, scorer.registry_ids).report()["identity_kept"] == 0
    pinned = partial(scorer.registry_ids, identities=Identities(pins={"Donald Trump": ("The Donald",)}))
    assert score_identity(gold, predicted, pinned).report()["identity_kept"] == 1


def test_read_gold_refuses_one_ref_on_two_entities(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Trump met Trump Jr.", encoding="utf-8")
    ents = [
        {"name": "Trump", "label": "PERSON", "ref": "Donald Trump", "mentions": [[0, 5, "Trump"]]},
        {"name": "Trump Jr.", "label": "PERSON", "ref": "Donald Trump", "mentions": [[10, 19, "Trump Jr."]]},
    ]
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"seeds": ".", "articles": [{"id": "a", "file": "a.txt", "entities": ents}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="gold article a: one ref on two entities: \\['Donald Trump'\\]"):
        read_gold(path)


def test_texts_folder_is_relative_to_the_project_root(tmp_path: Path) -> None:
    article = {"id": "08", "file": "08-tech-data-breach.txt", "published": "2026-11-20", "entities": []}
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"texts": "seeds", "articles": [article]}), encoding="utf-8")
    (gold,) = read_gold(path)
    assert gold.text == read_text(PROJECT_ROOT / "seeds" / "08-tech-data-breach.txt")
    assert gold.published == "2026-11-20"
    assert gold_texts_present(path)
    path.write_text(json.dumps({"texts": "../no-such-folder", "articles": [article]}), encoding="utf-8")
    assert not gold_texts_present(path)


def test_polnear_gold_is_skipped_where_its_texts_are_absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    absent = tmp_path / "gold.json"
    absent.write_text(json.dumps({"texts": "../no-such-folder", "articles": []}), encoding="utf-8")
    monkeypatch.setattr(scorer, "GOLD_SETS", {"seeds": scorer.DEFAULT_GOLD, "polnear": absent})
    assert present_gold_sets() == {"seeds": scorer.DEFAULT_GOLD}


@pytest.mark.parametrize("gold_path", [POLNEAR_GOLD, POLNEAR_HELDOUT_GOLD], ids=["dev", "heldout"])
def test_polnear_texts_are_not_in_the_repository(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    assert not texts_folder(gold, gold_path.parent).is_relative_to(PROJECT_ROOT)
    names = {Path(a["file"]).name for a in gold["articles"]}
    assert not [p for p in PROJECT_ROOT.glob("tests/**/*.txt") if p.name in names]


@pytest.mark.polnear
@without_polnear
@pytest.mark.parametrize("gold_path", [POLNEAR_GOLD, POLNEAR_HELDOUT_GOLD], ids=["dev", "heldout"])
def test_polnear_gold_mentions_match_the_texts(gold_path: Path) -> None:
    """Every mention's text equals the text at its offsets as read_text reads it, no two mentions
    overlap, every entity has a label of ENTITY_LABELS and a ref, and the set is what issue 20 asks."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    articles, texts = gold["articles"], texts_folder(gold, gold_path.parent)
    assert len(articles) >= 30
    assert len({a["source"] for a in articles}) >= 5 and len({a["published"] for a in articles}) >= 20
    refs: dict[str, set[str]] = {}
    for item in articles:
        assert Path(item["file"]).stem == item["id"]
        text = read_text(texts / item["file"])
        offsets = []
        for ent in item["entities"]:
            assert ent["label"] in ENTITY_LABELS and set(ent.get("also", ())) <= set(ENTITY_LABELS), (item["id"], ent)
            assert ent["mentions"] and ent["ref"], (item["id"], ent["name"])
            refs.setdefault(ent["ref"], set()).add(item["id"])
            for start, end, words in ent["mentions"]:
                assert text[start:end] == words, (item["id"], start, end, words)
                offsets.append((start, end))
        offsets.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(offsets)), f"{item['id']}: overlapping mentions"
    assert sum(len(ids) > 1 for ids in refs.values()) >= 30
    assert len(read_gold(gold_path)) == len(articles)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimflow")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def names_layer(doc) -> list[Entity]:
    """A stand-in entity layer: "Donald Trump" / "Donald J. Trump" and "Ohio", each name its own id."""
    found: dict[tuple[str, str], list[Mention]] = {}
    for m in re.finditer(r"Donald (?:J\. )?Trump|Ohio", doc.text):
        label = "GPE" if m.group() == "Ohio" else "PERSON"
        found.setdefault((m.group(), label), []).append(Mention(m.start(), m.end(), m.group(), label))
    return [Entity(name, label, tuple(ms), entity_id(name, label)) for (name, label), ms in found.items()]


@pytest.fixture
def two_day_gold(tmp_path: Path) -> Path:
    """The two days of ``gold_pair`` as a gold file."""
    articles = []
    for article in gold_pair():
        (tmp_path / f"{article.article_id}.txt").write_text(article.text, encoding="utf-8")
        ents = [
            {"name": g.name, "label": min(g.labels), "ref": g.ref, "mentions": [[s, e, article.text[s:e]] for s, e in g.mentions]}
            for g in article.entities
        ]
        file = f"{article.article_id}.txt"
        articles.append({"id": article.article_id, "file": file, "published": article.published, "entities": ents})
    path = tmp_path / "two_days.json"
    path.write_text(json.dumps({"seeds": ".", "articles": articles}), encoding="utf-8")
    return path


def test_evaluate_entities_prints_identity_across_articles(
    two_day_gold: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(scorer, "entity_layers", lambda aliases: {"baseline": names_layer, "canonical": names_layer})
    assert run(["evaluate", "--entities", "--gold", str(two_day_gold)]) == 0
    out = capsys.readouterr().out
    assert "gold set: two_days" in out
    line = "identity across articles: of 2 entities in two or more articles, one id for baseline 1 (50.0%), canonical 1 (50.0%)"
    assert line in out
    first8 = entity_id("Donald Trump", "PERSON")[:8]
    assert re.search(rf"split: Trump: 'Donald Trump' PERSON \[{first8}\] in 1, 'Donald J\. Trump' PERSON \[\w{{8}}\] in 1", out)


def test_evaluate_entities_prints_what_the_registry_leaves_split(
    two_day_gold: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Day 2's "Donald J. Trump" named "DJT": no rule joins it, and the line says who holds him where."""

    def nicknamed(doc) -> list[Entity]:
        return [replace(e, name="DJT", entity_id=entity_id("DJT", e.label)) if e.name == "Donald J. Trump" else e
                for e in names_layer(doc)]

    monkeypatch.setattr(scorer, "entity_layers", lambda aliases: {"baseline": names_layer, "canonical": nicknamed})
    assert run(["evaluate", "--entities", "--gold", str(two_day_gold)]) == 0
    out = capsys.readouterr().out
    first8 = entity_id("Donald Trump", "PERSON")[:8]
    assert re.search(rf"registry split: Trump: 'Donald Trump' PERSON \[{first8}\] in 1, 'DJT' PERSON \[\w{{8}}\] in 1", out)


def test_evaluate_entities_json_has_the_identity_measure(
    two_day_gold: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(scorer, "entity_layers", lambda aliases: {"baseline": names_layer, "canonical": names_layer})
    assert run(["evaluate", "--entities", "--gold", str(two_day_gold), "--json"]) == 0
    canonical = json.loads(capsys.readouterr().out)["two_days"]["canonical"]
    assert (canonical["identity_entities"], canonical["identity_kept"], canonical["identity_share"]) == (2, 1, 50.0)
    assert [s["ref"] for s in canonical["identity_split"]] == ["Trump"]


@pytest.mark.polnear
@without_polnear
def test_evaluate_entities_scores_both_gold_sets(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--entities", "--json"]) == 0
    sets = json.loads(capsys.readouterr().out)
    assert set(sets) == {"seeds", "polnear"}
    baseline, canonical = sets["polnear"]["baseline"], sets["polnear"]["canonical"]
    assert canonical["articles"] == len(POLNEAR_GOLD_JSON["articles"])
    assert sets["seeds"]["canonical"]["identity_entities"] == 0
    assert canonical["identity_entities"] == baseline["identity_entities"] >= 30
    assert canonical["entity_f1"] > baseline["entity_f1"], (baseline, canonical)
    assert canonical["identity_share"] >= baseline["identity_share"], (baseline, canonical)
    assert sets["polnear"]["registry"]["identity_share"] > canonical["identity_share"], sets["polnear"]["registry"]


def test_heldout_gold_is_disjoint_from_the_dev_gold_and_not_scored_by_default() -> None:
    """The held-out set measures the resolver on articles nobody tuned on: none of the dev set's
    articles, and never among the sets ``claimflow evaluate --entities`` scores unasked."""
    heldout = json.loads(POLNEAR_HELDOUT_GOLD.read_text(encoding="utf-8"))["articles"]
    assert not {a["id"] for a in heldout} & {a["id"] for a in POLNEAR_GOLD_JSON["articles"]}
    assert POLNEAR_HELDOUT_GOLD not in scorer.GOLD_SETS.values()


@pytest.mark.polnear
@without_polnear
def test_evaluate_entities_scores_the_heldout_gold_when_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(scorer, "entity_layers", lambda aliases: {"baseline": names_layer, "canonical": names_layer})
    assert run(["evaluate", "--entities", "--gold", str(POLNEAR_HELDOUT_GOLD), "--json"]) == 0
    canonical = json.loads(capsys.readouterr().out)["entities_gold_polnear_heldout"]["canonical"]
    articles = json.loads(POLNEAR_HELDOUT_GOLD.read_text(encoding="utf-8"))["articles"]
    refs: dict[str, set[str]] = {}
    for item in articles:
        for ent in item["entities"]:
            refs.setdefault(ent["ref"], set()).add(item["id"])
    assert canonical["articles"] == len(articles)
    assert canonical["gold_entities"] == sum(len(a["entities"]) for a in articles)
    assert canonical["identity_entities"] == sum(len(ids) > 1 for ids in refs.values())
