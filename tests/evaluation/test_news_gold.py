"""``claimflow evaluate --news-gold``: the command on a made-up page with fixed claims (known
scores), an article whose text drifted (skipped and named), and the modern-news gold itself
(every span's words still at its offsets in the re-extracted page text)."""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from claimflow.evaluation import cli
from claimflow.evaluation.news import DEFAULT_PAGES, SHORT, article_text, parse_article, read_news_gold, span_record
from claimflow.models import SOURCE_KINDS, Claim, Span

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MINI = FIXTURES / "news_mini"
NEWS_GOLD = FIXTURES / "claims_gold_news.json"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimflow")
    cli.add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def mini_pages(tmp_path: Path, html: bytes | None = None) -> Path:
    """A web-page folder holding the made-up page, gzipped as the shared folder stores pages."""
    pages = tmp_path / "webpages"
    (pages / "pages").mkdir(parents=True)
    raw = (MINI / "harbour.html").read_bytes() if html is None else html
    (pages / "pages" / "harbour.html.gz").write_bytes(gzip.compress(raw))
    return pages


def span(text: str, words: str) -> Span:
    start = text.index(words)
    return Span.of(text, start, start + len(words))


class FixedPipeline:
    """Stands in for the spaCy pipeline: the same hand-made claims for any text, so the scores
    depend on the evaluation's arithmetic only."""

    def pipe(self, items, as_tuples: bool, batch_size: int):
        for text, context in items:
            yield SimpleNamespace(_=SimpleNamespace(claims=fixed_claims(text))), context


def fixed_claims(text: str) -> list[Claim]:
    """Four claims against the gold's four: the mayor's with the headline glued to its content
    (still matched, right kind), the report's as an organisation (wrong kind), the spokesman's
    missed, the official's as a person (wrong kind), and a sentence of the writer's own (false)."""
    return [
        Claim(span(text, "said"), (Span.of(text, 0, text.index(", Mayor")),), span(text, "Mayor Ana Ruiz"), "person"),
        Claim(span(text, "According to"), (span(text, "the repairs cost $2 million, twice the first estimate"),),
              span(text, "a report by the city's engineers"), "organisation"),
        Claim(span(text, "said the piers"), (span(text, "the piers would need further work within five years"),),
              span(text, "An official familiar with the inspection"), "person"),
        Claim(span(text, "closed"), (span(text, "It was closed in March after a ship struck one of its piers"),), None, "none"),
    ]


# Worked out by hand from fixed_claims against tests/fixtures/news_mini/gold.json: 3 of 4 claims
# match at both thresholds (the glued headline still covers all of the mayor's content), each
# with an overlapping source; kinds right for 1 of the 3 matched (the mayor's).
EXPECTED = {
    "gold_claims": 4,
    "predicted_claims": 4,
    "claims@0.3_precision": 75.0,
    "claims@0.3_recall": 75.0,
    "claims@0.3_f1": 75.0,
    "claims@0.3_source_accuracy": 100.0,
    "claims@0.8_precision": 75.0,
    "claims@0.8_recall": 75.0,
    "claims@0.8_f1": 75.0,
    "kind_accuracy": 33.3,
    "kind_matched": 3,
    "kind_person_recall": 100.0,
    "kind_person_precision": 50.0,
    "kind_document_recall": 0.0,
    "kind_anonymous_recall": 0.0,
    "articles": 1,
    "gold_person": 2,
    "gold_document": 1,
    "gold_anonymous": 1,
}


def test_news_gold_scores_are_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "load_pipeline", lambda model=None: FixedPipeline())
    argv = ["evaluate", "--news-gold", str(MINI / "gold.json"), "--pages", str(mini_pages(tmp_path)), "--json"]
    assert run(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert {key: report[key] for key in EXPECTED} == EXPECTED


def test_drifted_article_is_named_and_not_scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "load_pipeline", lambda model=None: FixedPipeline())
    html = (MINI / "harbour.html").read_bytes().replace(b"on Monday", b"on Tuesday")
    argv = ["evaluate", "--news-gold", str(MINI / "gold.json"), "--pages", str(mini_pages(tmp_path, html)), "--json"]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert "skipped harbour: harbour attribution 0 source: text[92:106] is not 'Mayor Ana Ruiz'" in err
    assert "no article could be re-found" in err


def test_missing_pages_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--news-gold", str(MINI / "gold.json"), "--pages", str(tmp_path)]) == 2
    assert "gzipped web pages" in capsys.readouterr().err


def test_span_words_are_checked_against_the_text() -> None:
    entry = json.loads((MINI / "gold.json").read_text(encoding="utf-8"))["articles"][0]
    text = article_text((MINI / "harbour.html").read_bytes())
    assert len(parse_article(entry, text).article.attributions) == 4
    entry["attributions"][1]["source"][0]["start"] += 1
    with pytest.raises(LookupError, match="harbour attribution 1 source"):
        parse_article(entry, text)
    entry["attributions"][1]["source"][0]["start"] -= 1
    entry["attributions"][1]["source_kind"] = "somebody"
    with pytest.raises(ValueError, match="harbour attribution 1: source_kind 'somebody'"):
        parse_article(entry, text)


def test_long_spans_are_checked_by_their_ends_and_hash() -> None:
    text = "Intro. " + "word " * 30 + "end."
    record = span_record(text, 7, len(text))
    assert set(record) == {"start", "end", "head", "tail", "sha1"} and len(record["head"]) == SHORT // 2
    entry = {"id": "long", "attributions": [{"source": [], "cue": [], "content": [record], "source_kind": "none"}]}
    assert parse_article(entry, text).article.attributions[0].content[0].text == text[7:]
    with pytest.raises(LookupError, match="long attribution 0 content"):
        parse_article(entry, text.replace("word word", "word sword", 1))


def test_news_gold_stores_no_article_text() -> None:
    gold = json.loads(NEWS_GOLD.read_text(encoding="utf-8"))
    for article in gold["articles"]:
        assert set(article) == {"id", "page", "url", "topic", "attributions"}
        for row in article["attributions"]:
            assert set(row) == {"source", "cue", "content", "source_kind"}
            assert row["source_kind"] in SOURCE_KINDS
            assert all(len(s.get("text", "")) <= SHORT for role in ("source", "cue", "content") for s in row[role])


@pytest.mark.skipif(not (DEFAULT_PAGES / "pages").is_dir(), reason="../shared/data/webpages is not present")
def test_news_gold_spans_match_the_reextracted_text() -> None:
    articles, warnings = read_news_gold(NEWS_GOLD, DEFAULT_PAGES)
    assert warnings == []
    assert len(articles) >= 20
    kinds = Counter(k for a in articles for k in a.kinds)
    assert sum(kinds.values()) >= 100
    assert kinds["anonymous"] and kinds["document"] and kinds["organisation"]


def test_news_gold_reads_only_what_it_names(tmp_path: Path) -> None:
    """A page the folder lacks, or one that is not gzip, skips that article with its id, not the set."""
    gold = json.loads((MINI / "gold.json").read_text(encoding="utf-8"))
    gold["articles"].append(dict(gold["articles"][0], id="elsewhere", page="missing.html.gz"))
    gold["articles"].append(dict(gold["articles"][0], id="plain", page="plain.html.gz"))
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    pages = mini_pages(tmp_path)
    (pages / "pages" / "plain.html.gz").write_bytes((MINI / "harbour.html").read_bytes())
    articles, warnings = read_news_gold(path, pages)
    assert [a.article.name for a in articles] == ["harbour"]
    assert warnings[0].startswith("skipped elsewhere: missing.html.gz: no page file")
    assert warnings[1].startswith("skipped plain: plain.html.gz: not a readable gzipped page")


@pytest.mark.parametrize(
    ("gold", "reason"),
    [
        ({"articles": {}}, "expected an object with a list of articles"),
        ({"articles": [{"id": "x", "page": "../../etc/passwd"}]}, "needs a page file name"),
        ({"articles": [{"id": "harbour", "page": "harbour.html.gz", "attributions": ["no"]}]}, "harbour attribution 0: expected an object"),
    ],
)
def test_malformed_gold_exits_2_with_the_reason(tmp_path: Path, gold: dict, reason: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    assert run(["evaluate", "--news-gold", str(path), "--pages", str(mini_pages(tmp_path))]) == 2
    assert reason in capsys.readouterr().err
