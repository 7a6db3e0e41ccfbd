"""Reading PolNeAR-style brat folders: first annotator, discontinuous spans, Content2."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow.evaluation.brat import parse_ann, read_pairs, read_split

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "polnear_mini"


def test_read_split_uses_first_annotator_alphabetically() -> None:
    articles = {a.name: a for a in read_split(FIXTURE, "dev")}
    assert sorted(articles) == ["mini_001_budget", "mini_002_police", "mini_003_quiet"]
    assert len(articles["mini_001_budget"].attributions) == 2  # aa01's file, not zz99's


def test_read_pairs_gives_articles_annotated_twice_in_annotator_order() -> None:
    pairs = list(read_pairs(FIXTURE, "dev"))
    assert [(first.name, second.name) for first, second in pairs] == [("mini_001_budget", "mini_001_budget")]
    first, second = pairs[0]
    assert (len(first.attributions), len(second.attributions)) == (2, 1)  # aa01, then zz99
    assert first.text == second.text


def test_read_split_keeps_discontinuous_content_and_missing_source() -> None:
    police = next(a for a in read_split(FIXTURE, "dev") if a.name == "mini_002_police")
    quote, no_source = police.attributions[1], police.attributions[2]
    assert [s.text for s in quote.content] == ["“We got everyone out,”", "“Nobody was hurt.”"]
    assert no_source.source == () and no_source.cue[0].text == "reopened"


def test_read_split_limit() -> None:
    assert len(list(read_split(FIXTURE, "dev", limit=1))) == 1


def test_read_split_refuses_a_folder_without_texts(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="NAME.txt"):
        list(read_split(tmp_path, "dev"))


@pytest.mark.parametrize(
    "ann, contents",
    [
        pytest.param("T1\tContent 0 3;4 7\tab cd\nE1\tAttribution:T9 Content:T1\n", [["abc", "def"]], id="fragments"),
        pytest.param("T1\tContent 0 3\tabc\nT2\tContent 4 7\tdef\nE1\tAttribution:T9 Content:T1 Content2:T2\n", [["abc", "def"]], id="Content2"),
        pytest.param("T1\tCue 0 3\tabc\nE1\tAttribution:T9 Cue:T1\n", [], id="no content is skipped"),
        pytest.param("T1\tContent 0 3\tabc\ncontinued text\n#1\tAnnotatorNotes T1\tnote\nE1\tAttribution:T9 Content:T1\n", [["abc"]], id="continuation and note lines"),
    ],
)
def test_parse_ann(ann: str, contents: list[list[str]]) -> None:
    parsed = parse_ann(ann, "abc def")
    assert [[s.text for s in a.content] for a in parsed] == contents
